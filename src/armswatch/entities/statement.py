"""Statements: entity property values with their dataset, language and first/last seen list date.

:func:`statement_rows` turns a :class:`ListSnapshot` into table rows (pure). :func:`store_snapshot`
writes one snapshot inside the caller's transaction: new statements are bulk-inserted
(``executemany``), known ones get their ``first_seen``/``last_seen`` widened, and the entities the
snapshot carried are recorded in ``entity_presence``. A snapshot already stored (same id) adds
nothing. Statement ids are FtM's deterministic key (SHA-1 of dataset, entity id, property, value and,
when set, language).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from followthemoney.proxy import EntityProxy
from followthemoney.statement import Statement, StatementEntity
from followthemoney.statement.util import BASE_ID
from sqlalchemy import Column, Connection, MetaData, String, Table, delete, insert, select, update

from armswatch.entities.schema import entity_absence, entity_presence, entity_snapshot, entity_statement
from armswatch.entities.snapshot import ListSnapshot

_BATCH = 5000


@dataclass(frozen=True)
class StoreResult:
    """What one import added."""

    snapshot_id: str
    already_imported: bool
    entities: int
    statements: int
    new_statements: int
    widened_statements: int
    #: the records written, by table (keys), for the audit entry that seals them
    touched: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)


def snapshot_id(dataset: str, artifact_ids: Sequence[str]) -> str:
    """Deterministic id of a snapshot: the dataset and the artifact(s) it was read from."""
    key = dataset + "|" + "|".join(sorted(artifact_ids))
    return "snap-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def entity_statements(entity: EntityProxy, dataset: str) -> Iterable[Statement]:
    """The statements of one entity (plain proxies are converted; the ``id`` checksum is skipped)."""
    if isinstance(entity, StatementEntity):
        for stmt in entity.statements:
            if stmt.prop != BASE_ID:
                yield stmt
        return
    if entity.id is None:
        return
    for prop, value in entity.itervalues():
        yield Statement(entity.id, prop.name, entity.schema.name, value, dataset)


def statement_rows(snapshot: ListSnapshot, seen: date, run_id: str, artifact_id: str) -> list[dict[str, Any]]:
    """One row per distinct statement of the snapshot, first and last seen on ``seen``."""
    day = seen.isoformat()
    rows: dict[str, dict[str, Any]] = {}
    for entity in snapshot.entities:
        for stmt in entity_statements(entity, snapshot.dataset):
            if stmt.id is None or stmt.id in rows:
                continue
            rows[stmt.id] = {
                "id": stmt.id,
                "entity_id": stmt.entity_id,
                "schema": stmt.schema,
                "prop": stmt.prop,
                "value": stmt.value,
                "lang": stmt.lang,
                "original_value": stmt.original_value,
                "dataset": stmt.dataset,
                "first_seen": day,
                "last_seen": day,
                "run_id": run_id,
                "artifact_id": artifact_id,
            }
    return list(rows.values())


def store_snapshot(
    conn: Connection,
    snapshot: ListSnapshot,
    *,
    snap_id: str,
    seen: date,
    date_source: str,
    run_id: str,
    artifact_ids: Sequence[str],
    imported_at: str,
) -> StoreResult:
    """Write ``snapshot`` as seen on ``seen``; idempotent per ``snap_id``."""
    if conn.execute(select(entity_snapshot.c.id).where(entity_snapshot.c.id == snap_id)).first():
        return StoreResult(snap_id, True, 0, 0, 0, 0)
    rows = statement_rows(snapshot, seen, run_id, artifact_ids[0])
    known = {
        r.id: (r.first_seen, r.last_seen)
        for r in conn.execute(
            select(entity_statement.c.id, entity_statement.c.first_seen, entity_statement.c.last_seen).where(
                entity_statement.c.dataset == snapshot.dataset
            )
        )
    }
    day = seen.isoformat()
    new = [r for r in rows if r["id"] not in known]
    later = [r["id"] for r in rows if r["id"] in known and known[r["id"]][1] < day]
    earlier = [r["id"] for r in rows if r["id"] in known and known[r["id"]][0] > day]
    others = sorted(
        (str(r.list_date), str(r.id))
        for r in conn.execute(
            select(entity_snapshot.c.id, entity_snapshot.c.list_date).where(
                entity_snapshot.c.dataset == snapshot.dataset
            )
        )
    )
    carried = {r["id"] for r in rows}
    absences = absences_for(known, carried, later, earlier, others, day, snap_id)
    bulk_insert(conn, entity_statement, new)
    _widen(conn, later, entity_statement.c.last_seen, day)
    _widen(conn, earlier, entity_statement.c.first_seen, day)
    bulk_insert(conn, entity_absence, absences)
    present = {e.id: e.schema.name for e in snapshot.entities if e.id is not None}
    presence = [{"snapshot_id": snap_id, "entity_id": k, "schema": v} for k, v in present.items()]
    bulk_insert(conn, entity_presence, presence)
    conn.execute(
        insert(entity_snapshot).values(
            id=snap_id,
            dataset=snapshot.dataset,
            title=snapshot.title or snapshot.dataset,
            list_date=day,
            date_source=date_source,
            artifact_id=artifact_ids[0],
            artifacts=list(artifact_ids),
            run_id=run_id,
            entity_count=len(present),
            statement_count=len(rows),
            new_statements=len(new),
            problems=dict(snapshot.problems),
            imported_at=imported_at,
        )
    )
    widened = len(set(later) | set(earlier))
    touched: dict[str, list[tuple[str, ...]]] = {
        "entity_snapshot": [(snap_id,)],
        "entity_statement": [(r["id"],) for r in new] + [(i,) for i in dict.fromkeys([*later, *earlier])],
        "entity_presence": [(snap_id, k) for k in present],
        "entity_absence": [(a["statement_id"], a["snapshot_id"]) for a in absences],
    }
    return StoreResult(snap_id, False, len(present), len(rows), len(new), widened, touched)


def absences_for(
    known: dict[str, tuple[str, str]],
    carried: set[str],
    later: Sequence[str],
    earlier: Sequence[str],
    others: Sequence[tuple[str, str]],
    day: str,
    snap_id: str,
) -> list[dict[str, Any]]:
    """Absence rows that keep as-of views exact when a span is widened over snapshots lacking a value.

    ``others`` are the dataset's other snapshots as sorted ``(list_date, id)``. A value carried now
    whose span widens over snapshots that did not carry it (it went away and came back, or an older
    edition arrives late) is absent from those; a known value not carried now whose span covers
    ``day`` is absent from this snapshot.
    """
    dates = [d for d, _ in others]
    out: list[dict[str, Any]] = []

    def between(lo: str, hi: str) -> list[str]:
        return [sid for _, sid in others[bisect_right(dates, lo) : bisect_left(dates, hi)]]

    for sid in later:
        out.extend({"statement_id": sid, "snapshot_id": s} for s in between(known[sid][1], day))
    for sid in earlier:
        out.extend({"statement_id": sid, "snapshot_id": s} for s in between(day, known[sid][0]))
    out.extend(
        {"statement_id": sid, "snapshot_id": snap_id}
        for sid, (first, last) in known.items()
        if first <= day <= last and sid not in carried
    )
    return out


def _widen(conn: Connection, ids: list[str], column: Column[Any], day: str) -> None:
    """Set ``column`` to ``day`` for these statement ids: ids go to a temporary table (bulk insert)
    and one UPDATE … WHERE id IN (SELECT …) does the rest, instead of one UPDATE per row."""
    if not ids:
        return
    staging = Table("entity_statement_widen", MetaData(), Column("id", String(40)), prefixes=["TEMPORARY"])
    staging.create(conn, checkfirst=True)
    conn.execute(delete(staging))
    bulk_insert(conn, staging, [{"id": i} for i in ids])
    conn.execute(
        update(entity_statement).where(entity_statement.c.id.in_(select(staging.c.id))).values({column: day})
    )
    staging.drop(conn)


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with the driver's ``executemany`` and positional parameters.

    SQLAlchemy's per-row parameter processing cost more than SQLite's own work on 200k statements,
    so the INSERT is written once in the driver's parameter style and fed plain tuples.
    """
    if not rows:
        return
    columns = [c.name for c in table.columns]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    preparer = conn.dialect.identifier_preparer
    sql = (
        f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    for chunk in _chunks(rows):
        conn.exec_driver_sql(sql, [tuple(r.get(c) for c in columns) for r in chunk])


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]
