"""Munition items in a workspace: one row per item, every change audited (the table and its migration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from armswatch.errors import InputError, NotFoundError
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.marking import matches
from armswatch.munitions.schema import munition_item
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.workspace import Workspace


def _audit(ws: Workspace, conn: Any, action: str, item_id: str, payload: dict[str, Any]) -> None:
    ws._audit(conn, action, "munition_item", item_id, payload, seal=[("munition_item", [(item_id,)])])


def save_items(
    ws: Workspace,
    items: Sequence[MunitionItem],
    *,
    replace: bool = True,
    progress: Progress = NO_PROGRESS,
) -> dict[str, int]:
    """Add or update items in one transaction; an unchanged item is left alone (idempotent import)."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    seen: set[str] = set()
    now = to_iso(utcnow())
    with ws.transaction() as conn:
        for item in steps(progress, "saving items", items):
            if item.id in seen:
                raise InputError(f"item id {item.id!r} appears twice in the input")
            seen.add(item.id)
            data = item.to_dict()
            old = conn.execute(select(munition_item).where(munition_item.c.id == item.id)).mappings().first()
            values = {"type": item.type, "label": item.label, "data": data}
            if old is None:
                conn.execute(
                    insert(munition_item).values(id=item.id, **values, created_at=now, updated_at=now)
                )
                _audit(ws, conn, "munition.add", item.id, data)
                counts["added"] += 1
            elif MunitionItem.from_dict(dict(old["data"])).to_dict() == data:
                counts["unchanged"] += 1
            elif not replace:
                raise InputError(f"munition item {item.id!r} already exists")
            else:
                conn.execute(
                    update(munition_item)
                    .where(munition_item.c.id == item.id)
                    .values(**values, updated_at=now)
                )
                _audit(ws, conn, "munition.update", item.id, {"before": dict(old["data"]), "after": data})
                counts["updated"] += 1
    return counts


def get_item(ws: Workspace, item_id: str) -> MunitionItem:
    with ws.engine.connect() as conn:
        row = conn.execute(select(munition_item).where(munition_item.c.id == item_id)).mappings().first()
        if row is None:
            hits = conn.execute(
                select(munition_item.c.id).where(munition_item.c.id.startswith(item_id))
            ).all()
            if len(hits) == 1:
                row = (
                    conn.execute(select(munition_item).where(munition_item.c.id == hits[0][0]))
                    .mappings()
                    .first()
                )
    if row is None:
        raise NotFoundError(f"no munition item {item_id!r} (see 'armswatch munitions list')")
    return MunitionItem.from_dict(dict(row["data"]))


def list_items(
    ws: Workspace, *, marking: str | None = None, item_type: str | None = None, site: str | None = None
) -> list[MunitionItem]:
    """Items, optionally those whose markings match (any script), of one type, or linked to one site."""
    query = select(munition_item.c.data).order_by(munition_item.c.id)
    if item_type:
        query = query.where(munition_item.c.type == item_type)
    with ws.engine.connect() as conn:
        items = [MunitionItem.from_dict(dict(r[0])) for r in conn.execute(query).all()]
    if marking:
        items = [i for i in items if matches(marking, i.markings)]
    if site:
        items = [i for i in items if site in i.sites]
    return items


def link_item(ws: Workspace, item_id: str, **links: Sequence[str]) -> MunitionItem:
    """Add links (sites, shipments, entities, findings, evidence) to an item; checks that they exist."""
    item = get_item(ws, item_id)
    for site_id in links.get("sites", ()):
        ws.get_site(site_id)
    for finding_id in (*links.get("shipments", ()), *links.get("findings", ())):
        ws.get_finding(finding_id)
    evidence = [ws.resolve_artifact_id(a) for a in links.get("evidence", ())]
    data = item.to_dict()
    for name, values in {**links, "evidence": evidence}.items():
        data[name] = list(dict.fromkeys([*data.get(name, []), *values]))
    updated = MunitionItem.from_dict(data)
    save_items(ws, [updated])
    return updated
