"""Case exports read back with each format's reference library: pyogrio, followthemoney, stix2, csv."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyogrio
import pyogrio.raw
import pytest
import shapely
import stix2
from followthemoney import model
from shapely.geometry import Point

from armswatch.errors import InputError
from armswatch.export.case import write_case, write_findings_gpkg
from armswatch.sites.model import Site
from armswatch.workspace import Workspace

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def build(ws: Workspace) -> dict[str, str]:
    ws.save_sites(
        [
            Site(
                id="rajin-port",
                name="Rajin <b>port</b>",
                country="KP",
                kind="port",
                precision="approximate",
                geometry=Point(130.3, 42.233333),
                sources=("https://msi.nga.mil/Publications/WPI",),
            )
        ]
    )
    with ws.run("maritime.patterns") as run:
        shuttle = run.add_finding(
            kind="ais.shuttle",
            title='Shuttle: =HYPERLINK("x") between Rajin and Vostochny',
            subjects=["vessel:mmsi:273000001", "site:rajin-port"],
            geometry={"type": "Point", "coordinates": [130.3, 42.23]},
            start=T0,
            end=T0,
            confidence="likely",
        )
        rejected = run.add_finding(
            kind="ais.gap",
            title="not real",
            subjects=["vessel:mmsi:273000002"],
            geometry={"type": "Point", "coordinates": [131.0, 42.5]},
        )
    ws.review_finding(shuttle, "confirmed", "seen on imagery")
    ws.review_finding(rejected, "rejected", "reception hole")
    from armswatch.maritime import store
    from armswatch.maritime.schema import POSITION_SCHEMA

    store.write_positions(
        ws,
        pl.DataFrame(
            {
                "mmsi": [273000001] * 3,
                "ts": [T0, T0.replace(hour=1), T0.replace(hour=2)],
                "lat": [42.2, 42.4, 42.6],
                "lon": [130.3, 131.0, 132.0],
                "sog": [10.0] * 3,
                "cog": [90.0] * 3,
                "heading": [90.0] * 3,
                "nav_status": [0] * 3,
                "msg_type": [1] * 3,
                "source": ["simulated"] * 3,
                "line": [1, 2, 3],
            }
        ).cast(POSITION_SCHEMA),  # type: ignore[arg-type]
    )
    return {"shuttle": shuttle, "rejected": rejected}


def test_geopackage_layers(ws: Workspace, tmp_path: Path) -> None:
    ids = build(ws)
    path = tmp_path / "case.gpkg"
    counts = write_case(ws, "gpkg", path)
    assert counts == {"sites": 1, "findings": 1, "events": 0, "tracks": 1}
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"sites", "findings", "tracks"}
    meta, _, geometry, fields = pyogrio.raw.read(path, layer="findings")
    assert list(fields[meta["fields"].tolist().index("finding_id")]) == [ids["shuttle"]]
    assert shapely.from_wkb(geometry[0]).equals(Point(130.3, 42.23))
    assert "4326" in pyogrio.read_info(path, layer="sites")["crs"]
    _, _, tracks, _ = pyogrio.raw.read(path, layer="tracks")
    assert shapely.from_wkb(tracks[0]).geom_type == "LineString"
    only = tmp_path / "findings.gpkg"
    assert write_findings_gpkg(ws, only) == 1


def test_followthemoney_lines_validate(ws: Workspace, tmp_path: Path) -> None:
    build(ws)
    path = tmp_path / "case.ftm.jsonl"
    counts = write_case(ws, "ftm", path)
    assert counts == {"Address": 1, "Vessel": 1, "Event": 1}
    proxies = [model.get_proxy(json.loads(line), cleaned=False) for line in path.read_text().splitlines()]
    event = next(p for p in proxies if p.schema.name == "Event")
    vessel = next(p for p in proxies if p.schema.name == "Vessel")
    assert vessel.id in event.get("involved") and vessel.get("mmsi") == ["273000001"]
    assert "status:confirmed" in event.get("keywords")


def test_stix_bundle_parses(ws: Workspace, tmp_path: Path) -> None:
    build(ws)
    path = tmp_path / "case.json"
    counts = write_case(ws, "stix", path)
    bundle = stix2.parse(path.read_text(), allow_custom=False)
    kinds = [o.type for o in bundle.objects]
    assert counts == {"location": 1, "report": 1, "opinion": 1}
    assert sorted(kinds) == ["location", "opinion", "report"]
    report = next(o for o in bundle.objects if o.type == "report")
    assert report.confidence == 68  # ICD 203 "likely" = 55-80 %
    assert next(o for o in bundle.objects if o.type == "opinion").opinion == "agree"


def test_links_csv_is_spreadsheet_safe(ws: Workspace, tmp_path: Path) -> None:
    ids = build(ws)
    path = tmp_path / "links.csv"
    assert write_case(ws, "links", path) == {"links": 2}
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert {r["target_id"] for r in rows} == {"vessel:mmsi:273000001", "site:rajin-port"}
    assert all(r["source_id"] == ids["shuttle"] for r in rows)
    assert rows[0]["source_label"].startswith("Shuttle: =HYPERLINK")  # not at the start of the cell
    with pytest.raises(InputError, match="--format"):
        write_case(ws, "shapefile", path)
