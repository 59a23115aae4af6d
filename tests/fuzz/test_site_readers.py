"""Property tests: site readers return sites (bad records counted) or one InputError, never wrap."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armswatch.errors import InputError
from armswatch.sites.format_csv import sites_from_csv
from armswatch.sites.format_geojson import sites_from_geojson
from armswatch.sites.format_kml import sites_from_kml, sites_to_kml
from armswatch.sites.spreadsheet import guard_cell, unguard_cell

from .fixtures import make_site

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([3e7, -3e7, 2.0e7, 181.0, -91.0, 1e308]),
    st.integers(-(10**30), 10**30),
)
position = st.lists(number, min_size=0, max_size=3)
geometry = st.one_of(
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": position}),
    st.fixed_dictionaries(
        {"type": st.just("Polygon"), "coordinates": st.lists(st.lists(position, max_size=6), max_size=2)}
    ),
    st.fixed_dictionaries({"type": st.sampled_from(["LineString", "Nope", 5]), "coordinates": position}),
)
CRS = [None, "EPSG:4326", "EPSG:3857", "EPSG:32652", "+proj=merc +lat_ts=90", "+proj=stere +lat_0=90 +k=0",
       "+proj=utm +zone=52", "+proj=geocent", "urn:ogc:def:crs:OGC:1.3:CRS84", "nonsense", ""]  # fmt: skip


def _feature(geom: Any, i: int) -> dict[str, Any]:
    props = {"id": f"s{i}", "name": f"S {i}", "country": "KP", "kind": "port", "precision": "city"}
    return {"type": "Feature", "properties": props, "geometry": geom}


@SETTINGS
@given(st.lists(geometry, max_size=5), st.sampled_from(CRS))
def test_geojson_never_crashes_never_wraps(geometries: list[Any], crs: str | None) -> None:
    doc: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [_feature(g, i) for i, g in enumerate(geometries)],
    }
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    skipped: Counter[str] = Counter()
    try:
        sites = sites_from_geojson(json.dumps(doc), skipped=skipped)
    except InputError:
        return
    assert len(sites) + sum(skipped.values()) == len(geometries)
    for site in sites:
        lon, lat = site.lonlat
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    if crs == "EPSG:3857":  # a kept point is inside the projection's world (it came back through the inverse)
        by_id = {f"s{i}": g for i, g in enumerate(geometries)}
        for site in sites:
            geom = by_id[site.id]
            if geom["type"] == "Point":
                assert abs(float(geom["coordinates"][0])) <= 20037508.35


coordinate_text = st.lists(
    st.one_of(st.tuples(number, number).map(lambda p: f"{p[0]},{p[1]}"), st.text(max_size=8)), max_size=8
).map(" ".join)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["Point", "Polygon", "LineString"]), coordinate_text), max_size=4),
       st.sampled_from(["UTF-8", "NaN", "UTF-16", "latin-1"]))  # fmt: skip
def test_kml_never_crashes(marks: list[tuple[str, str]], encoding: str) -> None:
    body = "".join(
        f"<Placemark><name>P{i}</name><{kind}><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
        f"</LinearRing></outerBoundaryIs><coordinates>{coords}</coordinates></{kind}></Placemark>"
        for i, (kind, coords) in enumerate(marks)
    )
    data = f'<?xml version="1.0" encoding="{encoding}"?><kml><Document>{body}</Document></kml>'
    skipped: Counter[str] = Counter()
    try:
        sites = sites_from_kml(data.encode("utf-8", "surrogatepass"), default_country="KP", skipped=skipped)
    except InputError:
        return
    assert len(sites) + sum(skipped.values()) == len(marks)


csv_cell = st.one_of(
    st.text(max_size=12),
    number.map(str),
    st.sampled_from(["POLYGON((0 0,1 0,1 1,0 0))", "POINT EMPTY", '"', "\r"]),
)


@SETTINGS
@given(st.lists(st.lists(csv_cell, min_size=0, max_size=12), max_size=6))
def test_sites_csv_never_crashes(rows: list[list[str]]) -> None:
    header = "id,name,aliases,country,kind,precision,lat,lon,wkt,sources,notes\n"
    text = header + "\n".join(",".join(json.dumps(c) for c in row) for row in rows)
    skipped: Counter[str] = Counter()
    try:
        sites = sites_from_csv(text, skipped=skipped)
    except InputError:
        return
    assert all(-90 <= s.lonlat[1] <= 90 for s in sites)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_spreadsheet_guard_is_reversible_and_complete(text: str) -> None:
    guarded = guard_cell(text)
    assert unguard_cell(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


@settings(max_examples=30, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
        min_size=1,
        max_size=30,
    )
)
def test_kml_export_never_carries_markup_and_round_trips(name: str) -> None:
    if not name.strip():
        return
    site = make_site(name=name, notes=name)
    text = sites_to_kml([site])
    assert "<script" not in text.lower() or "<script" not in name.lower()
    (back,) = sites_from_kml(text)
    assert back.name == site.name and back.notes == site.notes
