"""Real harbours: watched port sites take precedence over gazetteer ports; shuttles are found at
the real piers (World Port Index harbour points, as in the starter watchlist)."""

from __future__ import annotations

import polars as pl
from shapely.geometry import Point

from armswatch.maritime.event import haversine_m_np
from armswatch.maritime.events import Context, detect_events
from armswatch.maritime.pattern import SITES_SCHEMA, find_patterns
from armswatch.maritime.port import ports_from_sites
from armswatch.maritime.simulate import track
from armswatch.sites.model import Site
from armswatch.sites.starter import load_starter

NAJIN = (42.2333, 130.3)  # World Port Index harbour points
VOSTOCHNYY = (42.75, 133.0833)
OFFSHORE = (42.15, 131.2)


def _site(sid: str, name: str, country: str, geom: object) -> Site:
    return Site(id=sid, name=name, country=country, kind="port", geometry=geom, precision="approximate")


def _sites_frame(sites: list[Site]) -> pl.DataFrame:
    rows = [
        {"site_id": f"site:{s.id}", "name": s.name, "kind": s.kind, "lat": s.geometry.centroid.y,
         "lon": s.geometry.centroid.x}
        for s in sites
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=SITES_SCHEMA)


def _shuttle() -> pl.DataFrame:
    return track(
        999_006_001,
        [(0, *NAJIN), (12, *NAJIN), (18, *OFFSHORE), (28, *VOSTOCHNYY), (44, *VOSTOCHNYY), (54, *OFFSHORE),
         (60, *NAJIN), (76, *NAJIN)],
        interval_s=300,
    )  # fmt: skip


def test_shuttle_between_the_real_piers_is_found_at_the_watched_sites() -> None:
    sites = [
        _site("rajin-port", "Rajin (Najin) port", "KP", Point(NAJIN[1], NAJIN[0])),
        _site("vostochny-port", "Vostochny port", "RU", Point(VOSTOCHNYY[1], VOSTOCHNYY[0])),
    ]
    ctx = Context.build(ports_from_sites(sites))  # + the bundled WPI (which has Najin and Vostochnyy)
    events = detect_events(_shuttle(), ctx)
    calls = events.filter(pl.col("event_type") == "port_call")
    assert calls["port"].to_list() == ["Rajin (Najin) port", "Vostochny port", "Rajin (Najin) port"]
    findings = find_patterns(events, _sites_frame(sites))
    shuttles = [f for f in findings if f.kind == "ais.shuttle"]
    assert len(shuttles) == 1
    assert set(shuttles[0].sites) == {"site:rajin-port", "site:vostochny-port"}


def test_the_starter_watchlist_ports_catch_the_shuttle() -> None:
    sites = [s for s in load_starter("dprk-russia") if s.kind == "port"]
    ctx = Context.build(ports_from_sites(sites))
    events = detect_events(_shuttle(), ctx)
    findings = find_patterns(events, _sites_frame(sites))
    shuttles = [f for f in findings if f.kind == "ais.shuttle"]
    assert len(shuttles) == 1
    assert set(shuttles[0].sites) == {"site:rajin-port", "site:vostochny-port"}


def test_watched_site_wins_within_its_radius_over_a_nearer_gazetteer_port() -> None:
    # a watched terminal whose polygon (radius ~6 km) covers the WPI point "Najin"; the ship berths
    # at the WPI point, 5 km from the terminal's centre: the watched site names the call
    centre = (NAJIN[0], NAJIN[1] - 5000 / (111_320 * 0.7402))
    ring = Point(centre[1], centre[0]).buffer(6000 / 111_320 / 0.7402, quad_segs=16)
    terminal = _site("test-terminal", "Test terminal", "KP", ring)
    ports = ports_from_sites([terminal])
    radius = ports["radius_m"][0]
    assert 5500 < radius < 9000
    assert haversine_m_np(centre[0], centre[1], *NAJIN) < radius
    stay = track(999_006_002, [(0, *OFFSHORE), (6, *NAJIN), (14, *NAJIN), (20, *OFFSHORE)], interval_s=300)
    calls = detect_events(stay, Context.build(ports)).filter(pl.col("event_type") == "port_call")
    assert calls["port"].to_list() == ["Test terminal"]
