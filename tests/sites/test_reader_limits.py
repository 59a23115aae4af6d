"""Regressions from the issue 9 fuzz campaign: site readers refuse hostile input with one InputError."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from shapely.geometry import Polygon

from armswatch.errors import InputError
from armswatch.sites import geometry
from armswatch.sites.format_csv import sites_from_csv, sites_to_csv
from armswatch.sites.format_geojson import sites_from_geojson
from armswatch.sites.format_kml import sites_from_kml, sites_to_kml

from .conftest import make_site

PROPS = {"name": "X", "country": "KP", "kind": "port", "precision": "city"}
HEADER = "id,name,aliases,country,kind,precision,lat,lon,wkt,sources,notes\n"


def _fc(*features: dict[str, Any], crs: str | None = None) -> str:
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def _point(x: float, y: float, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {**PROPS, **props},
        "geometry": {"type": "Point", "coordinates": [x, y]},
    }


def test_geojson_nested_too_deep_is_input_error() -> None:
    """Regression: 100,000 nested arrays raised RecursionError."""
    with pytest.raises(InputError, match=r"nested too deep"):
        sites_from_geojson('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_geojson_5000_digit_integer_is_a_bad_coordinate() -> None:
    """Regression: int('1' * 5000) raised ValueError (the 4,300-digit limit)."""
    text = _fc(_point(1, 2)).replace("[1, 2]", "[" + "1" * 5000 + ", 2]")
    with pytest.raises(InputError, match="non-finite"):
        sites_from_geojson(text)


@pytest.mark.parametrize(
    "crs", ["+proj=stere +lat_0=90 +k=0", "+proj=merc +lat_ts=90", "+proj=axisswap +order=2,1", "+proj=foo"]
)
def test_impossible_proj_string_crs_is_input_error(crs: str) -> None:
    """Regression: a proj string that PROJ refuses raised ProjError."""
    with pytest.raises(InputError, match="unknown CRS"):
        sites_from_geojson(_fc(_point(1, 2), crs=crs))


def test_crs_whose_properties_are_not_an_object_is_input_error() -> None:
    with pytest.raises(InputError, match=r"properties\.name"):
        sites_from_geojson('{"type": "FeatureCollection", "crs": {"properties": []}, "features": []}')


def test_web_mercator_outside_the_world_is_refused_not_wrapped() -> None:
    """Regression: EPSG:3857 x = 3e7 became longitude -90.5."""
    with pytest.raises(InputError, match="outside the area of its CRS"):
        sites_from_geojson(_fc(_point(3e7, 0), crs="EPSG:3857"))


def test_web_mercator_inside_the_world_is_reprojected() -> None:
    (site,) = sites_from_geojson(_fc(_point(14_514_000.0, 5_210_000.0), crs="EPSG:3857"))
    lon, lat = site.lonlat
    assert 130.3 < lon < 130.5 and 42.2 < lat < 42.5


def test_lenient_reading_counts_the_out_of_world_point_with_its_feature() -> None:
    skipped: Counter[str] = Counter()
    sites = sites_from_geojson(
        _fc(_point(14_514_000.0, 5_210_000.0, id="a"), _point(3e7, 0, id="b"), crs="EPSG:3857"),
        skipped=skipped,
    )
    assert [s.id for s in sites] == ["a"]
    assert skipped == Counter({"coordinate outside the area of its CRS (first: feature 1)": 1})


@pytest.mark.parametrize("encoding", ["NaN", "UTF-16", "x" * 200])
def test_kml_impossible_encoding_is_input_error(encoding: str) -> None:
    """Regression: encoding="NaN" raised LookupError."""
    with pytest.raises(InputError):
        sites_from_kml(f'<?xml version="1.0" encoding="{encoding}"?><kml/>'.encode())


def _kml_polygon(vertices: int) -> bytes:
    coords = " ".join(["0,0", *("1,1" for _ in range(vertices - 2)), "0,0"])
    return (
        '<kml><Placemark><name>P</name><ExtendedData><Data name="country"><value>KP</value></Data>'
        "</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + coords
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>"
    ).encode()


def test_kml_polygon_over_the_vertex_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import armswatch.sites.format_kml as kml

    monkeypatch.setattr(kml, "MAX_VERTICES", 50)
    with pytest.raises(InputError, match="more than 50 KML coordinates"):
        sites_from_kml(_kml_polygon(200))


def test_kml_too_many_elements_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import armswatch.sites.format_kml as kml

    monkeypatch.setattr(kml, "MAX_MARKUP", 100)
    with pytest.raises(InputError, match="more than 100 XML elements"):
        sites_from_kml(b"<kml>" + b"<a/>" * 200 + b"</kml>")


def test_kml_deeply_nested_alias_json_is_text_not_a_crash() -> None:
    site = make_site()
    text = sites_to_kml([site]).replace('["Najin"]', "[" * 5000 + "]" * 5000)
    (back,) = sites_from_kml(text)
    assert back.aliases == ("[" * 5000 + "]" * 5000,)


def test_geojson_polygon_over_the_vertex_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geometry, "MAX_VERTICES", 10)
    ring = [[0, 0], *([[1, 1]] * 20), [0, 0]]
    feature = {"type": "Feature", "properties": PROPS, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    with pytest.raises(InputError, match="more than 10 positions"):
        sites_from_geojson(_fc(feature))


def test_wkt_with_deep_nesting_is_refused_before_geos() -> None:
    with pytest.raises(InputError, match="parentheses"):
        sites_from_csv(HEADER + "a,A,,KP,port,city,,," + '"GEOMETRYCOLLECTION' + "(" * 20_000 + '"' + ",,\n")


@pytest.fixture
def small_field_limit() -> Iterator[int]:
    previous = csv.field_size_limit(1000)
    yield 1000
    csv.field_size_limit(previous)


def test_csv_over_long_cell_is_one_counted_bad_line(small_field_limit: int) -> None:
    text = (
        HEADER
        + "a,A,,KP,port,city,42,130,,,\n"
        + "b,B,,KP,port,city,42,130,,,"
        + "x" * 2000
        + "\nc,C,,KP,port,city,42,131,,,\n"
    )
    skipped: Counter[str] = Counter()
    assert [s.id for s in sites_from_csv(text, skipped=skipped)] == ["a", "c"]
    assert skipped == Counter({"unreadable CSV record (first: line 3)": 1})
    with pytest.raises(InputError, match="line 3"):
        sites_from_csv(text, path=None)


def test_csv_header_over_the_column_limit_is_refused() -> None:
    with pytest.raises(InputError, match="columns"):
        sites_from_csv(",".join(f"c{i}" for i in range(5000)) + "\n")


def test_csv_not_utf8_names_its_line() -> None:
    data = (HEADER + "a,A,,KP,port,city,42,130,,,\n").encode() + b"b,\xff,,KP,port,city,42,130,,,\n"
    with pytest.raises(InputError) as info:
        sites_from_csv(data, path="s.csv")
    assert str(info.value).startswith("s.csv:3: not UTF-8")


def test_exports_carry_no_interpretable_markup() -> None:
    site = make_site(name="<b>=HYPERLINK(1)</b>", aliases=("=cmd|' /C calc'!A0",), notes="<script>x</script>")
    kml = sites_to_kml([site])
    assert "<script>" not in kml and "<b>" not in kml
    (back,) = sites_from_kml(kml)
    assert back == site  # escaped on the way out, restored on the way in
    rows = list(csv.reader(sites_to_csv([site]).splitlines()))
    assert rows[1][2].startswith("'=") and rows[1][1] == site.name


def test_shapely_polygon_over_the_vertex_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geometry, "MAX_VERTICES", 10)
    with pytest.raises(InputError, match="more than 10 vertices"):
        geometry.validate_geometry(Polygon([(0, 0), *((i * 0.01, 1) for i in range(20)), (0, 0)]))


def _kmz(kml: bytes) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    return buf.getvalue()


def test_damaged_kmz_archives_are_input_errors() -> None:
    """Regression (fuzz campaign): a damaged deflate stream, a truncated member, an unsupported zip
    version or compression flag raised zlib.error, EOFError, ValueError or NotImplementedError."""
    good = _kmz(sites_to_kml([make_site()]).encode())
    assert sites_from_kml(good)[0].id == "rajin-port"
    start = good.index(b"doc.kml") + len(b"doc.kml")  # the local header's file name, then the data
    cd = good.index(b"PK\x01\x02")  # the central directory entry
    damaged = [
        good[:start] + bytes(b ^ 0x55 for b in good[start : start + 40]) + good[start + 40 :],  # zlib.error
        good[: cd + 6] + b"\x80\x00" + good[cd + 8 :],  # "zip file version 12.8"
        good[: cd + 8] + b"\x20\x00" + good[cd + 10 :],  # flag bit 5: compressed patched data
        good[: cd + 10] + b"\x63\x00" + good[cd + 12 :],  # an unsupported compression method
        good[:start] + good[start : start + 20],  # truncated
    ]
    for data in damaged:
        with pytest.raises(InputError):
            sites_from_kml(data)


def test_csv_with_lat_but_no_lon_column_is_a_bad_record() -> None:
    """Regression (fuzz campaign): a header with wkt and lat but no lon raised KeyError: 'lon'."""
    text = "id,name,country,kind,precision,lat,wkt\na,A,KP,port,city,42,\n"
    skipped: Counter[str] = Counter()
    assert sites_from_csv(text, skipped=skipped) == []
    assert skipped == Counter({"missing lon (first: line 2)": 1})
