"""A user-imported ship register: who owned, managed and operated a vessel, under which name and flag.

The CSV follows the columns of public ship registers (Equasis-style company history tables):
``imo, name, flag, owner, manager, operator, from, to, source``. ``imo`` is required and must carry a
valid check digit; ``from``/``to`` are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (empty = open); at least
one of name, flag, owner, manager, operator must be given. A bad row is counted by reason (with the first
line of each reason) and skipped, unless ``strict``: then the first bad row is an :class:`InputError`
naming the file and line and nothing is stored.

:func:`read_registry_csv` is pure; :func:`import_registry` stores the file as an artifact and its rows in
the ``vessel_registry`` table in one run, sealed in the audit chain. Importing the same file again
adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, insert, select

from armswatch.dossier.schema import vessel_registry
from armswatch.errors import InputError, MissingFileError
from armswatch.io.csvrows import read_csv_rows
from armswatch.types.imo import clean_imo
from armswatch.workspace import Workspace

COLUMNS: Final = ("imo", "name", "flag", "owner", "manager", "operator", "from", "to", "source")
TEXT_COLUMNS: Final = ("name", "flag", "owner", "manager", "operator", "source")
MAX_BYTES: Final = 50 * 1024 * 1024
MAX_FIELD: Final = 4096
_DATE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TOOL: Final = "dossier.registry.import"


@dataclass(frozen=True)
class RegistryRow:
    """One register line: the vessel's name/flag/companies over ``valid_from``–``valid_to``."""

    imo: str
    name: str
    flag: str
    owner: str
    manager: str
    operator: str
    valid_from: str
    valid_to: str
    source: str
    line: int


@dataclass
class RegistryRead:
    rows: list[RegistryRow] = field(default_factory=list)
    bad: Counter[str] = field(default_factory=Counter)
    first_bad: dict[str, int] = field(default_factory=dict)


def _date(text: str, what: str) -> str:
    if text and not _DATE.match(text):
        raise InputError(f"{what} is not YYYY, YYYY-MM or YYYY-MM-DD: {text[:40]!r}")
    if len(text) >= 7 and not 1 <= int(text[5:7]) <= 12:
        raise InputError(f"{what} has no month {text[5:7]}: {text!r}")
    if len(text) == 10:
        from datetime import date

        try:
            date.fromisoformat(text)
        except ValueError:
            raise InputError(f"{what} is not a real date: {text!r}") from None
    return text


def parse_row(row: dict[str | None, Any], line: int = 0) -> RegistryRow:
    """One CSV row (from ``line``) as a :class:`RegistryRow`; :class:`InputError` with the reason when
    it is bad."""
    if None in row:
        raise InputError("more cells than header columns")
    cells = {k: str(row.get(k) or "").strip() for k in COLUMNS}
    for key in TEXT_COLUMNS:
        if _CONTROL.search(cells[key]):
            raise InputError(f"{key} holds control characters")
    if not cells["imo"]:
        raise InputError("no IMO number")
    imo = clean_imo(cells["imo"])
    if imo is None or len(re.sub(r"\D", "", cells["imo"])) != 7:
        raise InputError("IMO number fails its check digit")
    start, end = _date(cells["from"], "from"), _date(cells["to"], "to")
    if start and end and end < start[: len(end)]:
        raise InputError("'to' is before 'from'")
    if not any(cells[k] for k in ("name", "flag", "owner", "manager", "operator")):
        raise InputError("no name, flag, owner, manager or operator")
    return RegistryRow(
        imo, cells["name"], cells["flag"], cells["owner"], cells["manager"], cells["operator"],
        start, end, cells["source"], line,
    )  # fmt: skip


def read_registry_csv(data: bytes, path: str = "<csv>", *, strict: bool = False) -> RegistryRead:
    """Parse a register CSV; bad rows counted by reason (first line of each reason kept)."""
    read = read_csv_rows(
        data, path, ("imo", "from", "to"), parse_row, strict=strict, max_bytes=MAX_BYTES,
        max_field=MAX_FIELD, skip_blank=True,
        missing_message=lambda missing: f"header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})",
    )  # fmt: skip
    rows = [replace(r, line=line) for r, line in zip(read.rows, read.lines, strict=True)]
    return RegistryRead(rows, read.bad, read.first_bad)


def row_id(artifact_id: str, line: int) -> str:
    return "reg-" + hashlib.sha256(f"{artifact_id}|{line}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ImportSummary:
    artifact_id: str
    run_id: str | None
    rows: int
    added: int
    bad: dict[str, int]
    first_bad: dict[str, int]


def import_registry(
    ws: Workspace, path: Path, *, strict: bool = False, source: str | None = None
) -> ImportSummary:
    """Store a register CSV (artifact + rows, one run, sealed); idempotent on the file's bytes."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    read = read_registry_csv(data, str(path), strict=strict)
    if not read.rows:
        reasons = ", ".join(f"{k} ({v})" for k, v in read.bad.most_common(3)) or "no data rows"
        raise InputError(f"no usable register rows: {reasons}", path=str(path))
    source_id = ws.add_source(source, reliability="F") if source else None
    art = ws.add_artifact(data, name=path.name, media_type="text/csv", source=source_id)
    ids = [row_id(art.id, r.line) for r in read.rows]
    with ws.engine.connect() as conn:
        known = set(
            conn.execute(
                select(vessel_registry.c.id).where(vessel_registry.c.artifact_id == art.id)
            ).scalars()
        )
    if known >= set(ids):
        return ImportSummary(art.id, None, len(ids), 0, dict(read.bad), dict(read.first_bad))
    params = {"file": path.name, "strict": strict, "source": source}
    with ws.run(TOOL, parameters=params, inputs=[art.id]) as run:
        run_id = str(run.id)
        values = [
            {"id": i, "imo": r.imo, "name": r.name, "flag": r.flag, "owner": r.owner, "manager": r.manager,
             "operator": r.operator, "valid_from": r.valid_from, "valid_to": r.valid_to, "source": r.source,
             "artifact_id": art.id, "line": r.line, "run_id": run_id}
            for i, r in zip(ids, read.rows, strict=True) if i not in known
        ]  # fmt: skip

        def write(conn: Connection) -> None:
            """In the run's commit (writers are serialised): rows and run are stored together, and a
            concurrent import of the same file that committed first leaves nothing to add."""
            stored = set(
                conn.execute(
                    select(vessel_registry.c.id).where(vessel_registry.c.artifact_id == art.id)
                ).scalars()
            )
            values[:] = [v for v in values if v["id"] not in stored]
            if values:
                conn.execute(insert(vessel_registry), values)
            ws._audit(
                conn, "registry.import", "artifact", art.id,
                {"rows": len(values), "bad": dict(read.bad), "run": run_id},
                seal=[("vessel_registry", [(v["id"],) for v in values])],
            )  # fmt: skip

        run.on_commit(write)
        run.summary.update({"rows": len(values), "bad rows": sum(read.bad.values()), "bad": dict(read.bad)})
    return ImportSummary(art.id, run_id, len(ids), len(values), dict(read.bad), dict(read.first_bad))


def registry_rows(ws: Workspace, imos: list[str]) -> list[dict[str, Any]]:
    """Stored register rows for these IMO numbers, oldest period first."""
    if not imos:
        return []
    query = select(vessel_registry).where(vessel_registry.c.imo.in_(imos))
    with ws.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda r: (r["valid_from"] or "0000", r["valid_to"] or "9999", r["line"]))
