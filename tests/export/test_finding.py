from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as DET
import pytest
from shapely.geometry import Point, shape

from armswatch.errors import InputError
from armswatch.export.finding import CSV_COLUMNS, findings_to_csv, findings_to_geojson, findings_to_kml
from armswatch.report.model import EvidenceItem, ReportFinding, ReviewEntry, RunInfo

T0 = datetime(2024, 2, 1, 6, 30, tzinfo=UTC)
SHA = "sha256:" + "e" * 64
KML = "{http://www.opengis.net/kml/2.2}"


def finding(**kw: Any) -> ReportFinding:
    base: dict[str, Any] = {
        "id": "fnd-1",
        "kind": "maritime.gap",
        "title": "AIS gap, Lady R",
        "summary": "dark for 31 h",
        "status": "confirmed",
        "confidence": "very likely",
        "simulated": True,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[130.0, 42.0], [131.0, 42.0], [131.0, 43.0], [130.0, 43.0], [130.0, 42.0]]],
        },
        "start": T0,
        "end": T0,
        "subjects": ("vessel:imo:9161003", "site:rajin-port"),
        "evidence": (EvidenceItem(SHA, "track.parquet", "application/vnd.apache.parquet"),),
        "run": RunInfo("run-9", "maritime.gaps", "0.1.0", {"min_gap_h": 6}, (SHA,), T0, T0),
        "reviews": (ReviewEntry(T0, "bob", "confirmed", "matches imagery"),),
        "details": {"hours": 31},
    }
    return ReportFinding(**(base | kw))


def test_geojson_carries_provenance_and_simulated_flag() -> None:
    doc = json.loads(findings_to_geojson([finding(), finding(id="fnd-2", geometry=None, run=None)]))
    a, b = doc["features"]
    assert a["id"] == "fnd-1" and a["geometry"]["type"] == "Polygon"
    p = a["properties"]
    assert p["simulated"] is True and p["run_id"] == "run-9" and p["tool"] == "maritime.gaps"
    assert p["parameters"] == {"min_gap_h": 6} and p["inputs"] == [SHA] and p["evidence"] == [SHA]
    assert p["reviews"][0]["note"] == "matches imagery" and p["start"] == "2024-02-01T06:30:00+00:00"
    assert b["geometry"] is None and b["properties"]["run_id"] is None and b["properties"]["inputs"] == []


def test_csv_columns_and_point_inside_polygon() -> None:
    text = findings_to_csv([finding(), finding(id="fnd-2", geometry=None, simulated=False)])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    r = rows[0]
    assert r["simulated"] == "true" and rows[1]["simulated"] == "false"
    assert json.loads(r["parameters"]) == {"min_gap_h": 6}
    assert r["inputs"] == SHA and r["subjects"] == "vessel:imo:9161003;site:rajin-port"
    poly = shape(finding().geometry)  # type: ignore[arg-type]
    assert poly.contains(Point(float(r["lon"]), float(r["lat"])))
    assert r["wkt"].startswith("POLYGON") and rows[1]["wkt"] == "" and rows[1]["lat"] == ""
    assert r["last_review"].endswith("bob: confirmed")


def test_kml_placemarks_with_styles_time_and_extended_data() -> None:
    multi = {"type": "MultiPoint", "coordinates": [[130.0, 42.0], [131.0, 42.5]]}
    line = {"type": "LineString", "coordinates": [[130.0, 42.0], [133.0, 42.7]]}
    text = findings_to_kml(
        [finding(), finding(id="f2", geometry=multi, simulated=False), finding(id="f3", geometry=line)]
    )
    root = DET.fromstring(text.encode())
    marks = root.findall(f".//{KML}Placemark")
    assert [m.get("id") for m in marks] == ["fnd-1", "f2", "f3"]
    assert marks[0].findtext(f"{KML}name") == "[SIMULATED] AIS gap, Lady R"
    assert marks[1].findtext(f"{KML}name") == "AIS gap, Lady R"
    assert marks[0].findtext(f"{KML}styleUrl") == "#status-confirmed"
    assert marks[0].find(f"{KML}TimeSpan/{KML}begin") is not None
    data = {d.get("name"): d.findtext(f"{KML}value") for d in marks[0].iter(f"{KML}Data")}
    assert data["run_id"] == "run-9" and json.loads(data["parameters"] or "") == {"min_gap_h": 6}
    assert data["simulated"] == "true"
    assert marks[1].find(f"{KML}MultiGeometry") is not None
    assert len(marks[1].findall(f".//{KML}Point")) == 2
    assert marks[2].findtext(f".//{KML}LineString/{KML}coordinates") == "130.0,42.0 133.0,42.7"


def test_bad_geometry_is_input_error() -> None:
    with pytest.raises(InputError, match="finding fnd-1"):
        findings_to_csv([finding(geometry={"type": "Nope", "coordinates": []})])
    with pytest.raises(InputError, match="cannot write geometry type"):
        findings_to_kml([finding(geometry={"type": "Nope", "coordinates": []})])


def test_csv_free_text_guarded_against_formulas() -> None:
    text = findings_to_csv(
        [
            finding(
                title="=cmd|' /C calc'!A0",
                summary="-5 ships",
                geometry={"type": "Point", "coordinates": [-70.5, -33.2]},
            )
        ]
    )
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["summary"] == "'-5 ships"
    assert row["lon"] == "-70.5" and row["lat"] == "-33.2", "numbers are not altered"


def test_kml_description_is_escaped() -> None:
    text = findings_to_kml([finding(summary="<b>bold</b>")])
    mark = DET.fromstring(text.encode()).find(f".//{KML}Placemark")
    assert mark is not None and mark.findtext(f"{KML}description") == "&lt;b&gt;bold&lt;/b&gt;"
