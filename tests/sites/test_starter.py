from __future__ import annotations

import pytest
from shapely.geometry import Point

from armswatch.errors import NotFoundError
from armswatch.sites.starter import load_starter, starter_names


def test_starter_loads_with_honest_precision() -> None:
    sites = load_starter("dprk-russia")
    by_id = {s.id: s for s in sites}
    assert len(by_id) == len(sites) >= 15
    assert all(isinstance(s.geometry, Point) for s in sites), "no facility outlines in the starter list"
    assert all(s.sources and s.notes for s in sites)
    assert all("Confidence (fact base):" in s.notes for s in sites)
    plant = by_id["february-11-plant"]
    assert plant.precision == "city" and "plant coordinates not found" in plant.notes
    assert plant.kind == "production" and plant.country == "KP"
    assert by_id["sohae-satellite-launching-station"].kind == "test-site"
    assert by_id["yongbyon-nuclear-scientific-research-center"].kind == "other"
    assert by_id["tikhoretsk-ammunition-depot"].kind == "depot"
    assert {
        by_id[i].kind for i in ("tumangang-rail-station", "khasan-station", "korea-russia-friendship-bridge")
    } == {"rail"}
    # ports sit at their World Port Index harbour point, not the district point 14 km away
    assert by_id["rajin-port"].geometry == Point(130.3, 42.233333)
    assert (
        by_id["rajin-port"].precision == "approximate" and "42.34 N 130.38972 E" in by_id["rajin-port"].notes
    )
    assert by_id["vostochny-port"].kind == "port"


def test_starter_leaves_out_unlocated_sites() -> None:
    ids = {s.id for s in load_starter("dprk-russia")}
    for absent in ("mozdok", "kotluban", "yegorlykskaya", "huichon"):
        assert not any(absent in i for i in ids)


def test_unknown_starter() -> None:
    assert starter_names() == ["dprk-russia"]
    with pytest.raises(NotFoundError, match="known: dprk-russia"):
        load_starter("iran")
