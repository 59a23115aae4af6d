"""Munition items in a workspace: idempotent imports, marking search, links, findings, tamper-evident rows."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from armswatch.errors import NotFoundError
from armswatch.munitions.assess import assess_items
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.schema import munition_item
from armswatch.munitions.store import get_item, link_item, list_items, save_items
from armswatch.munitions.template import load_template
from armswatch.violations.mapper import latest_candidates, map_violations
from armswatch.workspace import Workspace


def test_template_import_is_idempotent_and_searchable(ws: Workspace) -> None:
    items = load_template("dprk-russia")
    assert save_items(ws, items)["added"] == len(items)
    assert save_items(ws, items) == {"added": 0, "updated": 0, "unchanged": len(items)}
    assert [i.id for i in list_items(ws, marking="bang 122")] == ["grad-122mm-rockets-bang-122"]
    assert [i.id for i in list_items(ws, marking="방-122")] == ["grad-122mm-rockets-bang-122"]
    assert get_item(ws, "grad-122").id == "grad-122mm-rockets-bang-122"  # unique prefix
    with pytest.raises(NotFoundError):
        get_item(ws, "nothing")


def test_links_are_checked_and_groups_become_findings(ws: Workspace) -> None:
    save_items(ws, load_template("dprk-russia"))
    second = MunitionItem.from_dict(
        {
            "id": "bakhmut-rocket",
            "type": "rocket",
            "calibre": "122 mm",
            "markings": ["bang-122"],
            "recovered_place": "Bakhmut",
            "recovered_country": "UA",
            "recovered_at": "2024-05",
            "origin_country": "KP",
            "sources": ["https://example.org/photo"],
        }
    )
    save_items(ws, [second])
    with pytest.raises(NotFoundError):
        link_item(ws, "bakhmut-rocket", sites=["no-such-site"])
    counts = assess_items(ws)
    assert counts["groups"] == 1
    [group] = ws.list_findings(kind="munitions.group")
    assert group.details["key"] in ("방-122", "bang-122") and group.confidence == "roughly even chance"
    assert {"munition:bakhmut-rocket", "munition:grad-122mm-rockets-bang-122"} <= set(group.subjects)
    kharkiv = next(
        f for f in ws.list_findings(kind="munitions.item") if "munition:kharkiv" in " ".join(f.subjects)
    )
    assert kharkiv.confidence == "likely"  # OFFICIAL source tag
    # the violations mapper reads items: DPRK origin, abroad, after the 2009 ban; procurement unknown
    map_violations(ws)
    rules = {c.details["rule"] for c in latest_candidates(ws)}
    assert rules == {"dprk-origin-munitions"}


def test_an_item_edited_outside_armswatch_is_caught_by_verify(ws: Workspace) -> None:
    from armswatch.provenance.verify import verify_workspace

    save_items(ws, load_template("dprk-russia"))
    assert not [p for p in verify_workspace(ws).problems if "munition_item" in str(p)]
    with ws.engine.begin() as conn:
        conn.execute(
            update(munition_item).where(munition_item.c.id == "shells-152mm-blue-paint").values(label="x")
        )
    problems = [str(p) for p in verify_workspace(ws).problems]
    assert any("munition_item" in p and "shells-152mm-blue-paint" in p for p in problems)
