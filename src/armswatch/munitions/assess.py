"""Munition items and their groups as reviewable findings, so the rest of the case can use them.

``assess_items`` records one ``munitions.assess`` run with

* a ``munitions.item`` finding for every item with a recovery place (the fact "item X, attributed to
  Y, recovered at Z on D"), at the confidence its source tag supports (OFFICIAL → likely, OSINT →
  roughly even chance, MEDIA or none → unlikely; an analyst raises it by review), and
* a ``munitions.group`` finding for every group of items sharing a lot, factory code or marking, with
  the group's confidence (see :mod:`armswatch.munitions.group`), pointing at the sites and shipments
  the items are linked to.

The violations mapper reads both (``origin_country``, ``recovered_country``, ``recovered_at`` and
``shipment_findings`` in the details).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from armswatch.munitions.group import group_items
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.store import list_items
from armswatch.workspace import Workspace

TOOL: Final = "munitions.assess"
TAG_CONFIDENCE: Final = {"OFFICIAL": "likely", "OSINT": "roughly even chance"}


def _when(partial: str) -> datetime | None:
    if not partial:
        return None
    parts = [int(p) for p in partial.split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2], tzinfo=UTC)


def _point(item: MunitionItem) -> dict[str, Any] | None:
    if item.lat is None or item.lon is None:
        return None
    return {"type": "Point", "coordinates": [item.lon, item.lat]}


def _item_details(item: MunitionItem) -> dict[str, Any]:
    return {
        "item": item.id,
        "origin_country": item.origin_country,
        "origin_basis": item.origin_basis,
        "recovered_country": item.recovered_country,
        "recovered_at": item.recovered_at,
        "shipment_findings": list(item.shipments),
        "markings": [m.to_dict() for m in item.markings],
        "sources": list(item.sources),
        "confidence_tag": item.confidence_tag,
    }


def assess_items(ws: Workspace) -> dict[str, int]:
    """Record item and group findings for the workspace's munition items; returns counts."""
    items = list_items(ws)
    groups = group_items(items)
    by_id = {i.id: i for i in items}
    with ws.run(TOOL, parameters={"items": len(items)}) as run:
        facts = 0
        for item in items:
            if not (item.recovered_place or item.recovered_country):
                continue
            origin = f", attributed to {item.origin_country}" if item.origin_country else ""
            where = ", ".join(x for x in (item.recovered_place, item.recovered_country) if x)
            run.add_finding(
                kind="munitions.item",
                title=f"{item.label or item.id}: recovered in {where}{origin}",
                summary=item.origin_basis or item.notes[:300],
                subjects=[
                    f"munition:{item.id}",
                    *(f"site:{s}" for s in item.sites),
                    *(f"entity:{e}" for e in item.entities),
                ],
                geometry=_point(item),
                start=_when(item.recovered_at),
                confidence=TAG_CONFIDENCE.get(item.confidence_tag, "unlikely"),
                evidence=item.evidence,
                details=_item_details(item),
            )
            facts += 1
        for g in groups:
            members = [by_id[i] for i in g.items]
            run.add_finding(
                kind="munitions.group",
                title=g.title,
                summary=f"Items {', '.join(g.items)} share {g.basis.replace('_', ' ')} {g.key!r}: "
                "a common production run or shipment is possible; the sites and shipments they are linked to "
                "are the subjects.",
                subjects=[*(f"munition:{i}" for i in g.items), *(f"site:{s}" for s in g.sites)],
                start=_when(g.first_recovered),
                confidence=g.confidence,
                evidence=[a for m in members for a in m.evidence],
                details={
                    "basis": g.basis,
                    "key": g.key,
                    "items": list(g.items),
                    "origin_country": g.origin_country,
                    "recovered_country": g.recovered_country,
                    "recovered_at": g.first_recovered,
                    "shipment_findings": list(g.shipments),
                },
            )
        run.summary.update({"items": len(items), "item findings": facts, "groups": len(groups)})
    return {"items": len(items), "item findings": facts, "groups": len(groups)}
