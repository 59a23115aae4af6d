"""Import a list file into a workspace: artifact(s), a provenance run, statements, presence.

The file (and for OFAC its sibling files) is stored as artifacts first; an import of the same
artifact(s) into the same dataset again adds nothing. Parsing happens inside the run, and all rows
are written in one transaction, so a malformed file leaves a failed run and no statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from armswatch.entities.history import compare_snapshots, is_subject
from armswatch.entities.importer import detect_format, load_entities, ofac_parts
from armswatch.entities.schema import entity_snapshot
from armswatch.entities.statement import StoreResult, snapshot_id, store_snapshot
from armswatch.errors import InputError, MissingFileError
from armswatch.store.schema import run as run_table
from armswatch.workspace import Workspace

IMPORT_STEPS = ("stored", "parsed", "written")
"""What ``import_list`` reports to ``on_progress``, in order, once each per file."""

_SOURCES = {
    "un-xml": (
        "UN Security Council consolidated sanctions list",
        "United Nations Security Council",
        "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        "UN document, public",
    ),
    "ofac-csv": (
        "OFAC sanctions lists (legacy CSV)",
        "US Treasury, Office of Foreign Assets Control",
        "https://ofac.treasury.gov/sanctions-list-service",
        "US government work, public domain",
    ),
}
_MEDIA = {
    "un-xml": "application/xml",
    "ofac-csv": "text/csv",
    "ftm": "application/x-ndjson",
    "csv": "text/csv",
}


@dataclass(frozen=True)
class ImportResult:
    """Outcome of one file import."""

    path: str
    dataset: str
    list_date: date
    date_source: str
    run_id: str | None
    store: StoreResult
    listed: int = 0
    delisted: int = 0
    problems: dict[str, int] = field(default_factory=dict)


def import_list(
    ws: Workspace,
    path: Path,
    *,
    format: str = "auto",
    list_date: date | None = None,
    dataset: str | None = None,
    mapping: str | None = None,
    strict: bool = False,
    simulated: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import one list file (OFAC: any file of the set) into ``ws``.

    ``on_progress`` is called after each of the :data:`IMPORT_STEPS` (``stored``: the files kept as
    artifacts; ``parsed``; ``written``: statements committed, or found already imported)."""
    step = on_progress or (lambda _stage: None)
    path = Path(path)
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    fmt = detect_format(path) if format == "auto" else format
    files = list(ofac_parts(path)[1].values()) if fmt == "ofac-csv" else [path]
    source = None
    if fmt in _SOURCES:
        name, publisher, url, licence = _SOURCES[fmt]
        source = ws.add_source(name, publisher=publisher, url=url, licence=licence, reliability="A")
    arts = [
        ws.add_artifact(f, name=f.name, media_type=_MEDIA.get(fmt), source=source, simulated=simulated)
        for f in files
    ]
    art_ids = [a.id for a in arts]
    step("stored")
    with ws.tool_lock("entities.import"):  # concurrent imports of one file: the others find it imported
        previous = _already(ws, art_ids, dataset)
        if previous is not None:
            step("parsed")
            step("written")
            return previous
        result = _import(ws, path, fmt, art_ids, list_date, dataset, mapping, strict, step)
        step("written")
        return result


def _import(
    ws: Workspace,
    path: Path,
    fmt: str,
    art_ids: list[str],
    list_date: date | None,
    dataset: str | None,
    mapping: str | None,
    strict: bool,
    step: Callable[[str], None],
) -> ImportResult:
    params = {
        "path": str(path),
        "format": fmt,
        "list_date": list_date,
        "dataset": dataset,
        "mapping": mapping,
    }
    outcome: dict[str, Any] = {}
    with ws.run(
        "entities.import", parameters={k: str(v) for k, v in params.items() if v}, inputs=art_ids
    ) as run:
        snap = load_entities(path, fmt, list_date=list_date, dataset=dataset, mapping=mapping)
        step("parsed")
        if not any(is_subject(e.schema.name) for e in snap.entities):
            found = ", ".join(f"{k} ({v})" for k, v in snap.problems.most_common(3))
            raise InputError(
                "no entities in the file; refused, as an empty edition would delist the whole list"
                + (f" (problems: {found})" if found else ""),
                path=str(path),
            )
        if strict and snap.problems:
            worst = ", ".join(f"{k} ({v})" for k, v in snap.problems.most_common(3))
            raise InputError(f"problems in strict mode: {worst}", path=str(path))
        seen, date_source = _seen(snap.list_date, list_date, own=fmt == "un-xml")
        sid = snapshot_id(snap.dataset, art_ids)

        def write(conn: Connection) -> None:
            """Statements, presence and the snapshot commit together with the run's success."""
            result = store_snapshot(
                conn,
                snap,
                snap_id=sid,
                seen=seen,
                date_source=date_source,
                run_id=run.id,
                artifact_ids=art_ids,
                imported_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            )
            if not result.already_imported:
                ws._audit(
                    conn,
                    "entities.import",
                    "entity_snapshot",
                    sid,
                    {"run": run.id, "statements": result.statements, "new": result.new_statements},
                    seal=list(result.touched.items()),
                )
            change = compare_snapshots(conn, sid)
            outcome.update(result=result, change=change)
            run.summary.update(
                dataset=snap.dataset,
                list_date=seen.isoformat(),
                date_source=date_source,
                entities=result.entities,
                statements=result.statements,
                new_statements=result.new_statements,
                listed=len(change.listed) if change else result.entities,
                delisted=len(change.delisted) if change else 0,
                problems=dict(snap.problems),
            )

        run.on_commit(write)
    result, change = outcome["result"], outcome["change"]
    return ImportResult(
        str(path),
        snap.dataset,
        seen,
        date_source,
        run.id,
        result,
        len(change.listed) if change else result.entities,
        len(change.delisted) if change else 0,
        dict(snap.problems),
    )


def _seen(from_list: date | None, option: date | None, *, own: bool) -> tuple[date, str]:
    """The list's own date wins; then ``--list-date``; then today (recorded as such)."""
    if from_list is not None and (own or option is None):
        return from_list, "list"
    if option is not None:
        return option, "option"
    return datetime.now(UTC).date(), "import-date"


def _already(ws: Workspace, art_ids: list[str], dataset: str | None) -> ImportResult | None:
    query = (
        select(entity_snapshot)
        .join(run_table, run_table.c.id == entity_snapshot.c.run_id)
        .where(entity_snapshot.c.artifact_id == art_ids[0], run_table.c.status == "succeeded")
    )
    if dataset is not None:
        query = query.where(entity_snapshot.c.dataset == dataset)
    with ws.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        if sorted(row["artifacts"]) == sorted(art_ids):
            store = StoreResult(row["id"], True, int(row["entity_count"]), int(row["statement_count"]), 0, 0)
            return ImportResult(
                "", row["dataset"], date.fromisoformat(row["list_date"]), row["date_source"], None, store
            )
    return None
