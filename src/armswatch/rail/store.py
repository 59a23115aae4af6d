"""Rail movements in a workspace: stored rows (table ``rail_movement``), every write audited and sealed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from armswatch.errors import InputError, NotFoundError
from armswatch.provenance.clock import parse_when, to_iso, utcnow
from armswatch.rail.movement import RailMovement
from armswatch.rail.schema import rail_movement
from armswatch.workspace import Workspace


def resolve_link(ws: Workspace, ref: str) -> str:
    """A finding id, or an artifact id (full, ``sha256:`` or an 8+ hex prefix): the stored id."""
    try:
        return ws.get_finding(ref).id
    except (NotFoundError, InputError):
        pass
    try:
        return ws.resolve_artifact_id(ref)
    except (NotFoundError, InputError):
        raise NotFoundError(f"no finding or artifact {ref!r} to link") from None


def save_movements(ws: Workspace, movements: Sequence[RailMovement], path: str = "") -> dict[str, int]:
    """Store movements in one transaction (sites and links must exist, else nothing is stored);
    already stored ones are counted as unchanged."""
    known = {s.id for s in ws.list_sites()}
    checked: list[RailMovement] = []
    for i, m in enumerate(movements):
        where = f"movement {i + 1}" if len(movements) > 1 else "movement"
        if m.site_id not in known:
            raise InputError(
                f"{where}: no site {m.site_id!r} (see 'armswatch sites list')", path=path or None
            )
        links = tuple(dict.fromkeys(resolve_link(ws, r) for r in m.links))
        checked.append(RailMovement(m.id, m.site_id, m.at, m.wagons, m.direction, m.source, m.note, links))
    counts = {"added": 0, "unchanged": 0}
    now = to_iso(utcnow())
    with ws.transaction() as conn:
        ids: list[str] = []
        for m in checked:
            if (
                m.id in ids
                or conn.execute(select(rail_movement.c.id).where(rail_movement.c.id == m.id)).first()
            ):
                counts["unchanged"] += 1
                continue
            conn.execute(insert(rail_movement).values(**m.as_row(), analyst=ws.analyst, created_at=now))
            ids.append(m.id)
        if ids:
            payload: dict[str, Any] = {"ids": ids, **({"path": path} if path else {})}
            if len(ids) == 1:
                payload = checked[[m.id for m in checked].index(ids[0])].as_row()
            ws._audit(
                conn,
                "rail.observe" if len(ids) == 1 else "rail.import",
                "rail_movement",
                ids[0] if len(ids) == 1 else f"{len(ids)} movements",
                payload,
                seal=[("rail_movement", [(i,) for i in ids])],
            )
        counts["added"] = len(ids)
    return counts


def _from_row(r: Any) -> RailMovement:
    return RailMovement(
        r["id"],
        r["site_id"],
        parse_when(r["at"]),
        int(r["wagons"]),
        r["direction"],
        r["source"],
        r["note"],
        tuple(r["links"] or ()),
    )


def list_movements(ws: Workspace, site_id: str | None = None) -> list[RailMovement]:
    q = select(rail_movement).order_by(rail_movement.c.at, rail_movement.c.id)
    if site_id:
        q = q.where(rail_movement.c.site_id == site_id)
    with ws.engine.connect() as conn:
        return [_from_row(r) for r in conn.execute(q).mappings().all()]


def link_movement(ws: Workspace, movement_id: str, refs: Sequence[str]) -> RailMovement:
    """Link a stored movement to findings (shipments) or artifacts (evidence); audited."""
    resolved = [resolve_link(ws, r) for r in refs]
    with ws.transaction() as conn:
        row = conn.execute(select(rail_movement).where(rail_movement.c.id == movement_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no rail movement {movement_id!r} (see 'armswatch rail series')")
        before = list(row["links"] or [])
        after = list(dict.fromkeys([*before, *resolved]))
        if after != before:
            conn.execute(update(rail_movement).where(rail_movement.c.id == movement_id).values(links=after))
            ws._audit(
                conn,
                "rail.link",
                "rail_movement",
                movement_id,
                {"before": before, "after": after},
                seal=[("rail_movement", [(movement_id,)])],
            )
        row = conn.execute(select(rail_movement).where(rail_movement.c.id == movement_id)).mappings().one()
    return _from_row(row)
