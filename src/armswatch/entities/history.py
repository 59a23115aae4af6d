"""History of lists: snapshots, listings and delistings, and what was true about an entity on a date.

A dataset's state on date D is its latest snapshot with ``list_date <= D``. An entity is *listed* on
D when that snapshot carried it, *delisted* when an earlier snapshot carried it and that one does
not (delisted as of the first later snapshot without it), and *not listed* otherwise. Its property
values on D are the statements with ``first_seen <= S <= last_seen`` for that snapshot S, less those
recorded absent from S (``entity_absence``: a value that went away and came back, or an older edition
imported late), so as-of views are exact for entities and for their values.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import Connection, and_, exists, select

from armswatch.entities.schema import entity_absence, entity_presence, entity_snapshot, entity_statement
from armswatch.errors import NotFoundError
from armswatch.workspace import Workspace

_NOT_SUBJECTS = {"Address"}


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    dataset: str
    title: str
    list_date: date
    date_source: str
    run_id: str
    artifact_id: str
    entity_count: int
    new_statements: int


@dataclass(frozen=True)
class Change:
    """Subjects (people, organisations, vessels…) listed and delisted between two snapshots."""

    dataset: str
    snapshot_id: str
    list_date: date
    previous_id: str | None
    previous_date: date | None
    listed: tuple[str, ...]
    delisted: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    dataset: str
    status: str  # "listed" | "delisted" | "not listed"
    since: date | None  # first snapshot of the current (or last) continuous presence
    delisted_on: date | None
    snapshot_id: str | None


@dataclass(frozen=True)
class EntityView:
    entity_id: str
    as_of: date | None
    entity: EntityProxy | None
    listings: tuple[Listing, ...]
    statements: tuple[dict[str, Any], ...]


def is_subject(schema: str) -> bool:
    """True for schemata that are listed themselves (not sanctions, links or addresses)."""
    sc = model.get(schema)
    return sc is not None and sc.is_a("Thing") and schema not in _NOT_SUBJECTS


@contextlib.contextmanager
def _connect(src: Workspace | Connection) -> Iterator[Connection]:
    """A connection: the one given (inside a caller's transaction) or a new one of the workspace."""
    if isinstance(src, Connection):
        yield src
    else:
        with src.engine.connect() as conn:
            yield conn


def snapshots(ws: Workspace | Connection, dataset: str | None = None) -> list[SnapshotInfo]:
    query = select(entity_snapshot).order_by(
        entity_snapshot.c.dataset, entity_snapshot.c.list_date, entity_snapshot.c.imported_at
    )
    if dataset:
        query = query.where(entity_snapshot.c.dataset == dataset)
    with _connect(ws) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        SnapshotInfo(
            r["id"],
            r["dataset"],
            r["title"],
            date.fromisoformat(r["list_date"]),
            r["date_source"],
            r["run_id"],
            r["artifact_id"],
            int(r["entity_count"]),
            int(r["new_statements"]),
        )
        for r in rows
    ]


def _present(ws: Workspace | Connection, snap_id: str) -> set[str]:
    query = select(entity_presence.c.entity_id, entity_presence.c.schema).where(
        entity_presence.c.snapshot_id == snap_id
    )
    with _connect(ws) as conn:
        return {r.entity_id for r in conn.execute(query) if is_subject(r.schema)}


def compare_snapshots(ws: Workspace | Connection, snap_id: str) -> Change | None:
    """Listings and delistings of ``snap_id`` against the dataset's previous snapshot by date."""
    infos = {s.id: s for s in snapshots(ws)}
    if snap_id not in infos:
        return None
    this = infos[snap_id]
    # The edition just before in (list date, import time) order: a corrected file of the same date
    # is compared with the one it supersedes.
    ordered = [s for s in infos.values() if s.dataset == this.dataset]  # snapshots() order
    index = ordered.index(this)
    prev = ordered[index - 1] if index > 0 else None
    now = _present(ws, snap_id)
    before = _present(ws, prev.id) if prev else set()
    return Change(
        this.dataset,
        snap_id,
        this.list_date,
        prev.id if prev else None,
        prev.list_date if prev else None,
        tuple(sorted(now - before)),
        tuple(sorted(before - now)),
    )


def changes(ws: Workspace, dataset: str | None = None) -> list[Change]:
    """Every snapshot's listings and delistings, oldest first."""
    out = [compare_snapshots(ws, s.id) for s in snapshots(ws, dataset)]
    return [c for c in out if c is not None]


def _listing(dataset_snaps: Sequence[SnapshotInfo], present: set[str], dataset: str) -> Listing:
    """Status from the dataset's snapshots up to the as-of date (oldest first) and those carrying it."""
    if not dataset_snaps:
        return Listing(dataset, "not listed", None, None, None)
    last = dataset_snaps[-1]
    carried = [s.id in present for s in dataset_snaps]
    if not any(carried):
        return Listing(dataset, "not listed", None, None, last.id)
    last_in = max(i for i, c in enumerate(carried) if c)
    start = last_in
    while start > 0 and carried[start - 1]:
        start -= 1
    since = dataset_snaps[start].list_date
    if last_in == len(dataset_snaps) - 1:
        return Listing(dataset, "listed", since, None, last.id)
    return Listing(
        dataset, "delisted", since, dataset_snaps[last_in + 1].list_date, dataset_snaps[last_in].id
    )


def entity_at(ws: Workspace, entity_id: str, as_of: date | None = None) -> EntityView:
    """What the workspace's lists said about ``entity_id`` on ``as_of`` (default: latest)."""
    with ws.engine.connect() as conn:
        present_rows = conn.execute(
            select(entity_presence.c.snapshot_id).where(entity_presence.c.entity_id == entity_id)
        ).all()
        rows = (
            conn.execute(select(entity_statement).where(entity_statement.c.entity_id == entity_id))
            .mappings()
            .all()
        )
        ab = entity_absence
        absent = {
            (r.statement_id, r.snapshot_id)
            for r in conn.execute(
                select(ab.c.statement_id, ab.c.snapshot_id).where(
                    ab.c.statement_id.in_([r["id"] for r in rows])
                )
            )
        }
    if not rows and not present_rows:
        raise NotFoundError(f"no entity {entity_id!r}")
    present = {r.snapshot_id for r in present_rows}
    datasets = sorted({r["dataset"] for r in rows})
    listings: list[Listing] = []
    keep: list[dict[str, Any]] = []
    for ds in datasets:
        snaps = [s for s in snapshots(ws, ds) if as_of is None or s.list_date <= as_of]
        listing = _listing(snaps, present, ds)
        listings.append(listing)
        ref = next((s for s in snaps if s.id == listing.snapshot_id), None)
        if listing.status == "not listed" or ref is None:
            continue
        day = ref.list_date.isoformat()
        keep.extend(
            dict(r)
            for r in rows
            if r["dataset"] == ds
            and r["first_seen"] <= day <= r["last_seen"]
            and (r["id"], ref.id) not in absent
        )
    return EntityView(entity_id, as_of, proxy_from_rows(entity_id, keep), tuple(listings), tuple(keep))


def proxy_from_rows(entity_id: str, rows: Sequence[dict[str, Any]]) -> EntityProxy | None:
    """Build one FtM entity from statement rows (schemata merged to their common schema)."""
    if not rows:
        return None
    schema = model.get(rows[0]["schema"])
    if schema is None:
        return None
    for r in rows[1:]:
        if r["schema"] != schema.name:
            schema = model.common_schema(schema, r["schema"])
    props: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["prop"] in schema.properties and r["value"] not in props[r["prop"]]:
            props[r["prop"]].append(r["value"])
    return model.get_proxy({"id": entity_id, "schema": schema.name, "properties": dict(props)})


def entities_at(
    ws: Workspace,
    as_of: date | None = None,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
) -> list[EntityProxy]:
    """Every entity carried by each dataset's snapshot on ``as_of``, with that snapshot's values.

    ``schema`` keeps only entities of that FtM schema or its descendants (filtered in SQL).
    """
    names = [s.name for s in model.schemata.values() if s.is_a(schema)] if schema else None
    latest: dict[str, SnapshotInfo] = {}
    for s in snapshots(ws):
        if (as_of is None or s.list_date <= as_of) and (not datasets or s.dataset in datasets):
            latest[s.dataset] = s
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    st, pr = entity_statement, entity_presence
    with ws.engine.connect() as conn:
        for snap in latest.values():
            day = snap.list_date.isoformat()
            query = (
                select(st.c.entity_id, st.c.schema, st.c.prop, st.c.value)
                .join(pr, and_(pr.c.entity_id == st.c.entity_id, pr.c.snapshot_id == snap.id))
                .where(st.c.dataset == snap.dataset, st.c.first_seen <= day, st.c.last_seen >= day)
                .where(
                    ~exists().where(
                        entity_absence.c.statement_id == st.c.id, entity_absence.c.snapshot_id == snap.id
                    )
                )
            )
            if names is not None:
                query = query.where(pr.c.schema.in_(names))
            for r in conn.execute(query).mappings():
                grouped[r["entity_id"]].append(dict(r))
    out = [proxy_from_rows(k, v) for k, v in sorted(grouped.items())]
    return [e for e in out if e is not None]
