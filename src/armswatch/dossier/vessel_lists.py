"""The list side of a vessel dossier: list entries, designations and the register.

Reads the entity store (:mod:`armswatch.entities`) and the imported register
(:mod:`armswatch.dossier.registry`). The ownership chain is :mod:`armswatch.dossier.ownership`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from armswatch.dossier.model import Provenance, Statement
from armswatch.dossier.registry import registry_rows

if TYPE_CHECKING:
    from armswatch.entities.history import EntityView, SnapshotInfo
    from armswatch.workspace import Workspace

IDENTITY_PROPS: Final = {"name": "name", "previousName": "previous name", "alias": "alias", "weakAlias": "alias",
                         "flag": "flag", "pastFlags": "past flag", "mmsi": "MMSI", "imoNumber": "IMO",
                         "callSign": "call sign", "type": "type", "buildDate": "build date"}  # fmt: skip
DESIGNATION_PROPS: Final = ("authority", "program", "listingDate", "startDate", "endDate", "unscId", "reason")


def _day(text: str | None, end: bool = False) -> datetime | None:
    """A partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as UTC midnight (its last day when ``end``)."""
    if not text:
        return None
    try:
        if len(text) == 4:
            d = date(int(text), 12, 31) if end else date(int(text), 1, 1)
        elif len(text) == 7:
            y, m = int(text[:4]), int(text[5:7])
            d = date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1) if end else date(y, m, 1)
        else:
            d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def vessel_views(ws: Workspace, mmsis: Iterable[int], imos: Iterable[str]) -> list[EntityView]:
    """List entries (Vessel entities, any dataset, delisted too) with one of these identifiers."""
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import find_vessels
    from armswatch.entities.resolution import clusters

    views: dict[str, EntityView] = {}
    for imo in imos:
        for v in find_vessels(ws, imo=imo):
            views.setdefault(v.entity_id, v)
    for mmsi in mmsis:
        for v in find_vessels(ws, mmsi=f"{mmsi:09d}"):
            views.setdefault(v.entity_id, v)
    # listings an analyst resolved as the same vessel ('entities resolve A B --same'), e.g. a UN entry
    # without the IMO number another list gives: one vessel, all its listings
    found = clusters(ws)
    for entity_id in list(views):
        for member in found.members(entity_id):
            if member not in views:
                views[member] = entity_at(ws, member)
    return [views[k] for k in sorted(views)]


def _snapshots(ws: Workspace) -> dict[str, SnapshotInfo]:
    from armswatch.entities.history import snapshots

    return {s.id: s for s in snapshots(ws)}


def _latest_by_dataset(snaps: dict[str, SnapshotInfo]) -> dict[str, SnapshotInfo]:
    latest: dict[str, SnapshotInfo] = {}
    for s in sorted(snaps.values(), key=lambda s: s.list_date):
        latest[s.dataset] = s
    return latest


def list_identity(ws: Workspace, views: Sequence[EntityView]) -> list[Statement]:
    """What each list said about the vessel's identity, value by value, with the editions that said it."""
    from armswatch.entities.schema import entity_statement as st

    out: list[Statement] = []
    ids = [v.entity_id for v in views]
    if not ids:
        return out
    query = (
        select(st)
        .where(st.c.entity_id.in_(ids), st.c.prop.in_(list(IDENTITY_PROPS)))
        .order_by(st.c.first_seen)
    )
    with ws.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for r in rows:
        label = IDENTITY_PROPS[r["prop"]]
        span = (
            r["first_seen"] if r["first_seen"] == r["last_seen"] else f"{r['first_seen']} – {r['last_seen']}"
        )
        text = f"{r['dataset']} lists {label} {r['value']} for {r['entity_id']} (list editions {span})"
        prov = Provenance(f"list {r['dataset']}", (r["artifact_id"],) if r["artifact_id"] else (), r["run_id"],
                          "list entry", detail=f"statement {r['id']}")  # fmt: skip
        out.append(
            Statement(
                "identity",
                f"list.{r['prop']}",
                text,
                (prov,),
                _day(r["first_seen"]),
                _day(r["last_seen"], True),
            )
        )
    return out


def designation_statements(ws: Workspace, views: Sequence[EntityView]) -> list[Statement]:
    """Listing status per dataset and the Sanction entries naming each list entry, with dates."""
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import designations_of

    snaps = _snapshots(ws)
    out: list[Statement] = []
    for v in views:
        name = v.entity.caption if v.entity is not None else v.entity_id
        for lst in v.listings:
            snap = snaps.get(lst.snapshot_id or "")
            prov = Provenance(f"list {lst.dataset}", (snap.artifact_id,) if snap else (), snap.run_id if snap else None,
                              "list entry", detail=f"edition of {snap.list_date}" if snap else "")  # fmt: skip
            if lst.status == "delisted":
                text = f"{name} ({v.entity_id}) delisted from {lst.dataset} on {lst.delisted_on} (listed from {lst.since})"
            else:
                text = f"{name} ({v.entity_id}) is {lst.status} on {lst.dataset}" + (
                    f" since {lst.since}" if lst.since else ""
                )
            start = (
                datetime(lst.since.year, lst.since.month, lst.since.day, tzinfo=UTC) if lst.since else None
            )
            end = _day(str(lst.delisted_on)) if lst.delisted_on else None
            out.append(Statement("designation", f"listing.{lst.status}", text, (prov,), start, end))
        for sid in designations_of(ws, v.entity_id):
            sv = entity_at(ws, sid)
            if sv.entity is None:
                continue
            props = {k: sv.entity.get(k, quiet=True) for k in DESIGNATION_PROPS}
            bits = [f"{k}: {', '.join(vals)}" for k, vals in props.items() if vals]
            listed = next(iter(props.get("listingDate") or props.get("startDate") or []), None)
            ended = next(iter(props.get("endDate") or []), None)
            rows = [s for s in sv.statements]
            arts = tuple(sorted({r["artifact_id"] for r in rows if r.get("artifact_id")}))
            prov = Provenance(f"list {', '.join(sorted({r['dataset'] for r in rows}))}", arts,
                              rows[0].get("run_id") if rows else None, "list entry", detail=f"sanction {sid}")  # fmt: skip
            text = f"Designation of {name}: " + ("; ".join(bits) or sid)
            out.append(
                Statement(
                    "designation",
                    "sanction",
                    text,
                    (prov,),
                    _day(listed),
                    _day(ended),
                )
            )
    return out


def registry_statements(rows: Sequence[dict[str, Any]]) -> list[Statement]:
    out: list[Statement] = []
    for r in rows:
        parts = [f"{k} {r[k]}" for k in ("name", "flag", "owner", "manager", "operator") if r[k]]
        period = f"{r['valid_from'] or '?'} – {r['valid_to'] or 'open'}"
        text = f"Register IMO {r['imo']}, {period}: " + "; ".join(parts)
        prov = Provenance(r["source"] or "ship register CSV (user-imported)", (r["artifact_id"],), r["run_id"],
                          "register entry (user-imported)", detail=f"line {r['line']}")  # fmt: skip
        out.append(
            Statement("registry", "register", text, (prov,), _day(r["valid_from"]), _day(r["valid_to"], True))
        )
    return out


def registry_for(ws: Workspace, imos: Sequence[str]) -> list[dict[str, Any]]:
    return registry_rows(ws, list(imos))
