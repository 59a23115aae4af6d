from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from armswatch.errors import InputError
from armswatch.sites.format_csv import join_list, sites_from_csv, sites_to_csv, split_list
from armswatch.sites.format_geojson import sites_from_geojson, sites_to_geojson
from armswatch.sites.format_kml import sites_from_kml, sites_to_kml
from armswatch.sites.model import Site

from .conftest import make_site, unique_sites


def assert_same_sites(a: list[Site], b: list[Site]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.to_dict() | {"geometry": None} == y.to_dict() | {"geometry": None}
        assert type(x.geometry) is type(y.geometry)
        np.testing.assert_allclose(
            shapely.get_coordinates(x.geometry), shapely.get_coordinates(y.geometry), atol=1e-7, rtol=0
        )


@settings(max_examples=60, deadline=None)
@given(unique_sites())
def test_geojson_round_trip(items: list[Site]) -> None:
    assert_same_sites(sites_from_geojson(sites_to_geojson(items)), items)


@settings(max_examples=60, deadline=None)
@given(unique_sites())
def test_csv_round_trip(items: list[Site]) -> None:
    assert_same_sites(sites_from_csv(sites_to_csv(items)), items)


@settings(max_examples=60, deadline=None)
@given(unique_sites())
def test_kml_round_trip(items: list[Site]) -> None:
    assert_same_sites(sites_from_kml(sites_to_kml(items)), items)


@settings(deadline=None)
@given(unique_sites(max_size=2))
def test_csv_list_escaping(items: list[Site]) -> None:
    for site in items:
        assert split_list(join_list(site.aliases)) == site.aliases


def _fc(*features: dict[str, object], **extra: object) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra})


def _feature(geometry: dict[str, object], **props: object) -> dict[str, object]:
    base = {"name": "X", "country": "KP", "kind": "port", "precision": "city"}
    return {"type": "Feature", "geometry": geometry, "properties": base | props}


def test_geojson_unclosed_ring_names_feature() -> None:
    good = _feature({"type": "Point", "coordinates": [130, 42]}, id="a")
    bad = _feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, id="b")
    with pytest.raises(InputError) as info:
        sites_from_geojson(
            _fc(good, good | {"properties": {**good["properties"], "id": "c"}}, bad), path="w.geojson"
        )  # type: ignore[dict-item]
    assert info.value.record == 2
    assert info.value.path == "w.geojson"
    assert "feature 2: polygon ring is not closed" in str(info.value)


def test_geojson_reprojects_legacy_crs() -> None:
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(130.38972, 42.34)
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    [site] = sites_from_geojson(_fc(_feature({"type": "Point", "coordinates": [x, y]}), crs=crs))
    assert site.geometry.x == pytest.approx(130.38972, abs=1e-7)
    assert site.geometry.y == pytest.approx(42.34, abs=1e-7)
    assert site.id == "x"


def test_geojson_wgs84_urn_is_lonlat() -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    [site] = sites_from_geojson(_fc(_feature({"type": "Point", "coordinates": [130.5, 42.5]}), crs=crs))
    assert (site.geometry.x, site.geometry.y) == (130.5, 42.5)


def test_geojson_unknown_crs() -> None:
    crs = {"type": "name", "properties": {"name": "EPSG:999999"}}
    with pytest.raises(InputError, match="unknown CRS"):
        sites_from_geojson(_fc(_feature({"type": "Point", "coordinates": [0, 0]}), crs=crs))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{", "not valid JSON"),
        ('{"type": "Point"}', "FeatureCollection"),
        (_fc(_feature({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})), "Point or Polygon"),
        (_fc(_feature({"type": "Point", "coordinates": [0, 0]}, country="ZZ")), "feature 0: unknown ISO"),
        (_fc(_feature({"type": "Point", "coordinates": ["a", 0]})), "non-numeric"),
    ],
)
def test_geojson_bad_input(doc: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sites_from_geojson(doc)


def test_geojson_duplicate_ids() -> None:
    f = _feature({"type": "Point", "coordinates": [0, 0]}, id="a")
    with pytest.raises(InputError, match="duplicate site id 'a'"):
        sites_from_geojson(_fc(f, f))


HEADER = "id,name,aliases,country,kind,precision,lat,lon,wkt,sources,notes\n"


def test_csv_reads_points_and_wkt_and_names_line() -> None:
    text = (
        HEADER
        + "a,Alpha,A1;A2,kp,port,city,42.0,130.0,,https://x;https://y,note\n"
        + 'b,Beta,,RU,depot,facility,,,"POLYGON ((40 45, 40.1 45, 40.1 45.1, 40 45))",,\n'
    )
    a, b = sites_from_csv(text.encode("utf-8-sig"))
    assert a.aliases == ("A1", "A2") and a.sources == ("https://x", "https://y")
    assert a.geometry == Point(130, 42)
    assert isinstance(b.geometry, Polygon)
    bad = HEADER + "a,Alpha,,KP,port,city,42,130,,,\n" + "b,Beta,,KP,port,city,95,130,,,\n"
    with pytest.raises(InputError, match="latitude out of range") as info:
        sites_from_csv(bad, path="s.csv")
    assert info.value.record == 3
    assert str(info.value).startswith("s.csv:3: latitude out of range")  # the line is named once


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,A,,KP,port,city,,,,,", "no location"),
        ("a,A,,KP,port,city,x,1,,,", "lat is not a number"),
        ("a,A,,KP,port,city,1,1,POINT (1 1),,", "not both"),
        ('a,A,,KP,port,city,,,"POLYGON ((0 0, 1 0, 1 1, 0 1))",,', "polygon ring is not closed"),
        (",,,KP,port,city,1,1,,,", "missing name"),
    ],
)
def test_csv_bad_rows(row: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sites_from_csv(HEADER + row + "\n")


def test_csv_missing_columns() -> None:
    with pytest.raises(InputError, match="lacks column"):
        sites_from_csv("id,name\na,b\n")


def test_kml_plain_google_earth_placemark() -> None:
    kml = """<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
    <Placemark><name>Some Depot</name><description>seen 2024</description>
    <Point><coordinates>40.1,45.8,0</coordinates></Point></Placemark></Folder></Document></kml>"""
    with pytest.raises(InputError, match="placemark 0: missing country"):
        sites_from_kml(kml)
    [site] = sites_from_kml(kml, default_country="RU")
    assert (site.id, site.kind, site.precision, site.notes) == (
        "some-depot",
        "other",
        "approximate",
        "seen 2024",
    )
    assert site.geometry == Point(40.1, 45.8)


def test_kml_rejects_entity_expansion() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml><Document>&a;</Document></kml>'
    with pytest.raises(InputError, match="unsafe"):
        sites_from_kml(bomb)


def test_kml_polygon_with_hole_round_trip() -> None:
    outer = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    hole = [(1, 1), (2, 1), (2, 2), (1, 2), (1, 1)]
    site = make_site(geometry=Polygon(outer, [hole]), precision="facility")
    [back] = sites_from_kml(sites_to_kml([site]))
    assert back == site


def test_kml_unclosed_ring() -> None:
    kml = re.sub(
        r"<Point>\s*<coordinates>[^<]*</coordinates>\s*</Point>",
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,1</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon>",
        sites_to_kml([make_site()]),
    )
    assert "Polygon" in kml
    with pytest.raises(InputError, match="placemark 0: polygon ring is not closed"):
        sites_from_kml(kml)


def test_kmz_archive_is_read() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("files/readme.txt", "x")
        zf.writestr("doc.kml", sites_to_kml([make_site()]))
    assert sites_from_kml(buf.getvalue()) == [make_site()]
    with pytest.raises(InputError, match=r"no \.kml document"):
        empty = io.BytesIO()
        with zipfile.ZipFile(empty, "w") as zf:
            zf.writestr("a.txt", "x")
        sites_from_kml(empty.getvalue())


def test_kml_description_is_html_escaped_for_google_earth() -> None:
    site = make_site(notes="<script>x</script>\nline 2")
    kml = sites_to_kml([site])
    assert "&lt;script&gt;" in kml.split("<description>")[1].split("</description>")[0].replace("&amp;", "&")
    assert sites_from_kml(kml)[0].notes == site.notes


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "'=x", "''+y"])
def test_csv_formula_cells_guarded_and_restored(value: str) -> None:
    site = make_site(name=value, aliases=(value,), notes=value, sources=(value,))
    text = sites_to_csv([site])
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    for col in ("name", "aliases", "notes", "sources"):
        assert row[col].startswith("'"), col
    assert sites_from_csv(text) == [site]


def test_lenient_reading_skips_and_counts_by_reason() -> None:
    from collections import Counter

    text = (
        HEADER
        + "a,Alpha,,KP,port,city,42,130,,,\n"
        + "b,Beta,,KP,port,city,95,130,,,\n"
        + "c,Gamma,,KP,port,city,-91,130,,,\n"
        + "a,Again,,KP,port,city,42,131,,,\n"
        + "d,Delta,,ZZ,port,city,42,131,,,\n"
        + "e,Eps,,KP,port,city,41,129,,,\n"
    )
    skipped: Counter[str] = Counter()
    sites = sites_from_csv(text, skipped=skipped)
    assert [s.id for s in sites] == ["a", "e"]
    assert skipped == Counter(
        {
            "latitude out of range [-90, 90] (first: line 3)": 2,
            "duplicate site id (first: line 5)": 1,
            "unknown ISO 3166 country code 'ZZ' (first: line 6)": 1,
        }
    )
    with pytest.raises(InputError, match="line 3: latitude"):
        sites_from_csv(text)


def test_lenient_geojson_and_kml() -> None:
    from collections import Counter

    good = _feature({"type": "Point", "coordinates": [130, 42]}, id="a")
    bad = _feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, id="b")
    skipped: Counter[str] = Counter()
    assert [s.id for s in sites_from_geojson(_fc(good, bad), skipped=skipped)] == ["a"]
    assert skipped == Counter({"polygon ring is not closed (first: feature 1)": 1})
    kml = sites_to_kml([make_site(), make_site()])
    skipped = Counter()
    assert len(sites_from_kml(kml, skipped=skipped)) == 1 and skipped == Counter(
        {"duplicate site id (first: placemark 1)": 1}
    )


def test_csv_nul_byte_is_input_error() -> None:
    with pytest.raises(InputError, match="line"):
        sites_from_csv(HEADER + "a,Al\x00pha,,KP,port,city,42,130,,,\n")
