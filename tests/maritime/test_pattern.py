"""Patterns → findings: pure rules, and the workspace run with evidence, report section and demo."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from armswatch.cli.ais_events import app as events_app
from armswatch.errors import InputError
from armswatch.maritime import store
from armswatch.maritime.demo import build_demo, scenario
from armswatch.maritime.events import Context, detect_events
from armswatch.maritime.pattern import PatternParams, find_patterns
from armswatch.maritime.port import watched_ports_frame
from armswatch.maritime.report import report_section
from armswatch.maritime.simulate import track
from armswatch.sites.starter import load_starter
from armswatch.workspace import Workspace

RAJIN = (42.233333, 130.3)  # World Port Index harbour points (starter watchlist)
VOST = (42.75, 133.083333)
OFF = (42.15, 131.2)
PORTS = [("site:rajin-port", "Rajin", "KP", *RAJIN), ("site:vostochny-port", "Vostochny", "RU", *VOST)]
SITES = pl.DataFrame(
    {"site_id": [p[0] for p in PORTS], "name": [p[1] for p in PORTS], "kind": ["port", "port"],
     "lat": [p[3] for p in PORTS], "lon": [p[4] for p in PORTS]},
)  # fmt: skip
CTX = Context.build(watched_ports_frame(PORTS))


def _shuttle(mmsi: int, legs: int) -> pl.DataFrame:
    ports = [RAJIN, VOST]
    wps: list[tuple[float, float, float]] = [(0, *RAJIN)]
    t = 0.0
    for i in range(legs):
        here, there = ports[i % 2], ports[(i + 1) % 2]
        wps += [(t + 10, *here), (t + 17, *OFF), (t + 26, *there)]
        t += 26
    wps.append((t + 10, *ports[legs % 2]))
    return track(mmsi, wps, interval_s=300)


def test_shuttle_needs_repeated_calls_at_two_watched_ports() -> None:
    ev = detect_events(pl.concat([_shuttle(999_000_901, 3), _shuttle(999_000_902, 1)]), CTX)
    found = find_patterns(ev, SITES, names={999_000_901: "SIM SHUTTLE"})
    shuttles = [f for f in found if f.kind == "ais.shuttle"]
    assert [f.mmsis for f in shuttles] == [(999_000_901,)]  # one leg (A→B) is not a shuttle
    assert set(shuttles[0].sites) == {"site:rajin-port", "site:vostochny-port"}
    assert "SIM SHUTTLE" in shuttles[0].title
    assert len(shuttles[0].details["calls"]) == 4


def test_dark_port_call_needs_time_to_reach_and_stay() -> None:
    # dark from 60 km off Rajin for 14 h: time to sail in, stay and come back out
    fits = track(999_000_911, [(0, 41.8, 130.9), (20, 41.81, 130.9)], silent=((3, 17),))
    # dark 7 h far out at sea: Rajin (> 250 km away) is out of reach
    far = track(999_000_912, [(0, 40.5, 133.5), (20, 40.6, 133.5)], silent=((3, 10),))
    ev = detect_events(pl.concat([fits, far]), CTX)
    dark = [f for f in find_patterns(ev, SITES) if f.kind == "ais.dark_port_call"]
    assert [(f.mmsis, f.sites) for f in dark] == [((999_000_911,), ("site:rajin-port",))]
    stricter = PatternParams(dark_call_min_stay_h=12.0)
    assert not [f for f in find_patterns(ev, SITES, stricter) if f.kind == "ais.dark_port_call"]


def test_encounter_near_site_becomes_finding_only_when_near() -> None:
    def pair(lat: float, lon: float, base: int) -> list[pl.DataFrame]:
        a = track(base, [(0, lat - 0.2, lon), (2, lat, lon), (5, lat, lon + 0.002), (7, lat - 0.2, lon)])
        b = track(base + 1, [(0, lat + 0.2, lon), (2, lat + 0.002, lon), (5, lat + 0.002, lon + 0.002),
                             (7, lat + 0.2, lon)])  # fmt: skip
        return [a, b]

    ev = detect_events(pl.concat([*pair(42.05, 130.75, 999_000_920), *pair(40.5, 134.0, 999_000_930)]), CTX)
    assert ev.filter(pl.col("event_type") == "encounter").height == 2
    near = [f for f in find_patterns(ev, SITES) if f.kind == "ais.encounter"]
    assert [f.mmsis for f in near] == [(999_000_920, 999_000_921)]
    assert near[0].sites == ("site:rajin-port",)


@pytest.fixture()
def demo_ws(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "demo", analyst="tester")
    ws.save_sites(load_starter("dprk-russia"))
    build_demo(ws)
    return ws


def test_demo_scenario_is_simulated_and_uses_test_mmsis() -> None:
    positions, names = scenario()
    assert positions["mmsi"].min() >= 999_000_000  # type: ignore[operator]
    assert all(n.startswith("SIM ") for n in names["name"])


def test_demo_produces_labelled_findings_with_evidence(demo_ws: Workspace) -> None:
    findings = demo_ws.list_findings(kind="ais.")
    kinds = {f.kind for f in findings}
    assert {"ais.shuttle", "ais.dark_port_call", "ais.encounter"} <= kinds
    assert all(f.simulated for f in findings)
    shuttle = next(f for f in findings if f.kind == "ais.shuttle")
    assert "vessel:mmsi:999100001" in shuttle.subjects
    assert "site:rajin-port" in shuttle.subjects
    assert shuttle.geometry is not None and shuttle.geometry["type"] == "GeometryCollection"
    evidence = demo_ws.get_artifact(shuttle.evidence[0])
    assert evidence.simulated
    rows = pl.read_csv(demo_ws.artifact_path(evidence.id))
    assert rows.height > 100 and set(rows["mmsi"].unique()) == {999100001}
    assert {"source", "line"} <= set(rows.columns)  # each supporting message traced to its input
    pad = pl.duration(hours=3)
    for f in findings:  # every finding's evidence: its vessels' positions from start - 3 h to end + 3 h
        assert f.start is not None and f.end is not None
        mmsis = [int(x.removeprefix("vessel:mmsi:")) for x in f.subjects if x.startswith("vessel:mmsi:")]
        expected = (
            store.scan_positions(demo_ws)
            .filter(pl.col("mmsi").is_in(mmsis))
            .filter(pl.col("ts").is_between(pl.lit(f.start) - pad, pl.lit(f.end) + pad))
            .collect()
        )
        got = pl.read_csv(demo_ws.artifact_path(f.evidence[0]))
        assert (
            got.height == expected.height
            and got["line"].sort().to_list() == expected["line"].sort().to_list()
        )


def test_report_section_lists_findings_and_map_features(demo_ws: Workspace) -> None:
    section = report_section(demo_ws)
    assert section is not None
    assert "SIMULATED" in section.html
    assert section.html.count("<tr>") == len(demo_ws.list_findings(kind="ais.")) + 1
    kinds = {f["geometry"]["type"] for f in section.features}
    assert kinds == {"LineString", "Point"}


def test_report_section_absent_without_findings(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "empty", analyst="tester")
    assert report_section(ws) is None


def test_cli_workspace_mode_records_run_and_writes_geojson(demo_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "events.geojson"
    result = CliRunner().invoke(
        events_app,
        [
            "events",
            "-w",
            str(demo_ws.root),
            "--from",
            "2026-02-03",
            "--to",
            "2026-02-04",
            "-o",
            str(out),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    feats = json.loads(out.read_text())["features"]
    starts = {
        f["properties"]["start_utc"][:10] for f in feats if f["properties"]["event_type"] != "port_call"
    }
    assert starts <= {"2026-02-03", "2026-02-04"}
    assert any(f["properties"]["event_type"] == "encounter" for f in feats)
    assert len(demo_ws.list_runs(tool="ais.events")) == 2


def test_cli_standalone_csv_with_extra_ports(tmp_path: Path) -> None:
    wps = [(0, *RAJIN), (6, *RAJIN), (14, 41.5, 131.5), (20, 41.5, 131.5), (26, 41.0, 132.0)]
    pos = track(273_000_950, wps).with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S"))  # valid MMSI
    src = tmp_path / "positions.csv"
    pos.write_csv(src)
    ports = tmp_path / "ports.csv"
    ports.write_text("name,lat,lon\nTest Harbour,41.5,131.5\n")
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(events_app, ["events", str(src), "--ports", str(ports), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    ev = pl.read_csv(out)
    assert ev.columns[:3] == ["event_type", "mmsi", "other_mmsi"]
    assert set(ev.filter(pl.col("event_type") == "port_call")["port"]) == {"Rajin", "Test Harbour"}


def test_cli_bad_input_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(events_app, ["events", str(missing), "-o", str(tmp_path / "e.csv")])
    assert result.exit_code != 0
    bad = tmp_path / "p.csv"
    _shuttle(1, 1).write_csv(bad)
    result = CliRunner().invoke(events_app, ["events", str(bad), "-o", str(tmp_path / "e.txt")])
    assert result.exit_code != 0


def test_positions_written_in_workspace_layout(demo_ws: Workspace) -> None:
    lf = store.scan_positions(demo_ws, datetime(2026, 2, 3, tzinfo=UTC), datetime(2026, 2, 4, tzinfo=UTC))
    day = lf.collect()
    assert day.height > 0
    assert day["ts"].min() >= datetime(2026, 2, 3, tzinfo=UTC)  # type: ignore[operator]


def test_cli_standalone_applies_the_ingest_checks(tmp_path: Path) -> None:
    wps = [(0, 41.0, 132.0), (10, 41.0, 132.0)]
    good = track(273_000_951, wps, interval_s=600, silent=((1, 9),))  # an 8 h gap
    bad = track(
        123_456_789, wps, interval_s=600, silent=((1, 9),)
    )  # MID 123 is not assigned: an invalid identity, kept and analysed (issue 8 item 3)
    src = tmp_path / "positions.csv"
    frame = pl.concat([good, bad]).with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S"))
    with src.open("w") as fh:
        frame.write_csv(fh)
        fh.write("-5,2026-03-01T00:00:00,41.0,132.0,0\n")  # a negative MMSI must not crash the cast
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(events_app, ["events", str(src), "-o", str(out), "--types", "gap"])
    assert result.exit_code == 0, result.output
    assert sorted(pl.read_csv(out)["mmsi"].to_list()) == [123_456_789, 273_000_951]
    assert "1 bad record(s) skipped (bad_mmsi=1)" in result.output  # only the negative MMSI


def test_cli_standalone_format_error_names_the_events_option(tmp_path: Path) -> None:
    src = tmp_path / "positions.dat"  # no telling extension: the error says to pass --format
    src.write_text("mmsi,ts,lat,lon\n273000951,2026-03-01T00:00:00,41.0,132.0\n")
    result = CliRunner().invoke(events_app, ["events", str(src), "-q"])
    assert isinstance(result.exception, InputError) and "pass --input-format" in str(result.exception)
    result = CliRunner().invoke(events_app, ["events", str(src), "--input-format", "csv", "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe\x00 not text", "not JSON"), (b"[1, 2]", "GeoJSON"), (b'{"type": "Polygon"}', "GeoJSON")],
)
def test_cli_bad_area_file_is_an_input_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    area = tmp_path / "area.geojson"
    area.write_bytes(content)
    src = tmp_path / "positions.csv"
    src.write_text("mmsi,ts,lat,lon\n273000951,2026-03-01T00:00:00,41.0,132.0\n")
    result = CliRunner().invoke(events_app, ["events", str(src), "--area", str(area), "-q"])
    assert isinstance(result.exception, InputError), result.exception
    assert result.exception.path == str(area) and message in str(result.exception)


def test_cli_bad_output_suffix_refused_before_any_run(demo_ws: Workspace, tmp_path: Path) -> None:
    before = len(demo_ws.list_runs(tool="ais.events"))
    result = CliRunner().invoke(
        events_app, ["events", "-w", str(demo_ws.root), "-o", str(tmp_path / "e.txt")]
    )
    assert isinstance(result.exception, InputError)
    assert len(demo_ws.list_runs(tool="ais.events")) == before  # nothing recorded


def test_cli_standalone_header_only_file_gives_no_events(tmp_path: Path) -> None:
    src = tmp_path / "positions.csv"
    src.write_text("mmsi,ts,lat,lon\n")
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(events_app, ["events", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out).height == 0


@pytest.mark.parametrize("option", [["--gap-hours", "-1"], ["--stop-kn", "0"], ["--loiter-shore-nm", "-5"]])
def test_cli_threshold_out_of_range_is_an_input_error(tmp_path: Path, option: list[str]) -> None:
    src = tmp_path / "positions.csv"
    src.write_text("mmsi,ts,lat,lon\n273000951,2026-03-01T00:00:00,41.0,132.0\n")
    result = CliRunner().invoke(events_app, ["events", str(src), *option, "-q"])
    assert isinstance(result.exception, InputError) and option[0] in str(result.exception)
