from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from armswatch.report.basemap import clip_countries
from armswatch.report.svgmap import (
    Overlay,
    build_map,
    build_maps,
    detail_subset,
    fit_view,
    graticule,
    path_d,
    short_label,
)
from armswatch.sites.starter import load_starter

from .factories import make_site


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-170, 170), st.floats(-70, 70)),
        min_size=1,
        max_size=6,
    )
)
def test_fit_view_contains_every_point(points: list[tuple[float, float]]) -> None:
    view = fit_view([Point(p) for p in points])
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    x, y = view.project(lon, lat)
    assert np.all((x >= -1e-6) & (x <= view.width + 1e-6))
    assert np.all((y >= -1e-6) & (y <= view.height + 1e-6))


def test_projection_orientation() -> None:
    view = fit_view([Point(120, 30), Point(130, 45)])
    x, y = view.project(np.array([120.0, 130.0]), np.array([30.0, 45.0]))
    assert x[1] > x[0], "east is right"
    assert y[1] < y[0], "north is up"


def test_basemap_has_land_for_korea_and_none_mid_pacific() -> None:
    korea = clip_countries((124.0, 37.0, 131.0, 43.0), 0.01)
    assert korea and all(g.bounds[0] >= 124.0 - 1e-9 and g.bounds[2] <= 131.0 + 1e-9 for g in korea)
    land = shapely.union_all(korea)
    assert land.contains(Point(125.75, 39.02)), "Pyongyang is on land"
    assert not land.contains(Point(129.5, 40.5)), "the East Sea is not"
    assert clip_countries((-150.0, -40.0, -140.0, -35.0), 0.01) == []


def test_graticule_has_both_axes_and_few_lines() -> None:
    lines = graticule(fit_view([Point(124, 37), Point(134, 46)]))
    lon = [g for g in lines if g.axis == "lon"]
    lat = [g for g in lines if g.axis == "lat"]
    assert 2 <= len(lon) <= 9 and 2 <= len(lat) <= 9
    assert all(g.label.endswith(("E", "W")) for g in lon)


def test_path_d_polygon_with_hole_and_line() -> None:
    view = fit_view([Point(0, 0), Point(4, 4)])
    poly = Polygon([(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)], [[(1, 1), (2, 1), (2, 2), (1, 1)]])
    d = path_d(view, poly)
    assert d.count("M") == 2 and d.count("Z") == 2
    line = path_d(view, shapely.LineString([(0, 0), (4, 4)]))
    assert line.startswith("M") and "Z" not in line


def test_detail_map_for_far_outlier() -> None:
    sites = load_starter("dprk-russia")
    subset = detail_subset(sites, [])
    assert subset is not None
    near, _ = subset
    ids = {s.id for s in near}
    assert "tikhoretsk-ammunition-depot" not in ids and "rajin-port" in ids
    assert len(build_maps(sites, [])) == 2
    assert detail_subset([make_site(), make_site("b", 128.0, 40.0)], []) is None


def test_tiny_polygon_also_gets_a_point_marker() -> None:
    tiny = Polygon([(130.0, 42.0), (130.001, 42.0), (130.001, 42.001), (130.0, 42.0)])
    big = Point(120, 30).buffer(2)
    m = build_map([make_site()], [Overlay("f0", tiny, "finding", "t"), Overlay("f1", big, "finding", "b")])
    assert [p.ref for p in m.points] == ["f0"]
    assert {s.ref for s in m.shapes} == {"f0", "f1"}


def test_short_label() -> None:
    assert short_label("February 11 Plant (Ryongsong Machine Complex), Hamhung") == "February 11 Plant"
    assert len(short_label("x" * 80)) == 44


def test_polygon_site_outline_is_drawn() -> None:
    poly = Polygon([(130.38, 42.33), (130.40, 42.33), (130.40, 42.35), (130.38, 42.33)])
    m = build_map([make_site(geometry=poly, precision="facility"), make_site("b", 131.0, 43.0)], [])
    assert [a.ref for a in m.site_areas] == ["test-plant"]
    assert m.site_areas[0].d.startswith("M") and m.site_areas[0].d.endswith("Z")
    assert len(m.sites) == 2


def test_long_track_is_simplified_for_the_map() -> None:
    t = np.linspace(0, 1, 100_000)
    track = shapely.LineString(np.column_stack([128 + 4 * t, 38 + 4 * t + 1e-6 * np.sin(t * 5000)]))
    m = build_map([], [Overlay("f0", track, "finding line", "track")])
    [shape_] = m.shapes
    assert shape_.d.count(" ") < 2_000, "a straight-ish track needs few vertices at map scale"


def test_short_label_keeps_enough_of_the_name() -> None:
    assert short_label("2.8 (February 8) Vinalon Complex, Hamhung") == "2.8 (February 8) Vinalon Complex"
    assert short_label("Khasan railway station / settlement") == "Khasan railway station"


def test_geometry_collection_parts_are_drawn_by_type() -> None:
    coll = shapely.GeometryCollection(
        [Point(130.4, 42.3), shapely.LineString([(130.4, 42.3), (133.0, 42.7)]), Point(120, 30).buffer(1)]
    )
    m = build_map([], [Overlay("f0", coll, "finding status-new", "t")])
    css = sorted(s.css for s in m.shapes)
    assert css == ["finding status-new", "finding status-new line"]
    assert len(m.points) == 1
