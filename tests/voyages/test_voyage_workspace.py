"""Dark voyages in a workspace: the SIMULATED dark caller reconstructed, corroborated, sealed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.maritime.voyage.record import add_sighting, list_records, list_sightings
from armswatch.maritime.voyage.run import KIND, analyse_voyages
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .conftest import MMSI


def _latest(ws: Workspace):  # type: ignore[no-untyped-def]
    return ws.list_findings(kind=KIND)[-1]


def test_the_dark_call_at_rajin_is_reconstructed_with_its_ellipse(dark_ws: Workspace) -> None:
    dark_ws.save_sites([make_site("busan-port", lon=129.04, lat=35.1)])  # ~ 780 km away: out of reach
    summary = analyse_voyages(dark_ws)
    assert summary["silences"] == 1 and summary["findings"] == 1
    f = _latest(dark_ws)
    assert f.confidence == "roughly even chance"
    assert f"vessel:mmsi:{MMSI}" in f.subjects and "site:rajin-port" in f.subjects
    ports = {p["site_id"]: p for p in f.details["ports"]}
    assert ports["site:rajin-port"]["reachable"]
    assert not ports["site:busan-port"]["reachable"]
    assert "site:tikhoretsk-ammunition-depot" not in ports  # a depot, not a port
    kinds = [g["type"] for g in f.geometry["geometries"]]
    assert "Polygon" in kinds and kinds.count("Point") == 2
    assert f.simulated and f.start is not None and f.end is not None
    assert round((f.end - f.start).total_seconds() / 3600) == 28


def test_a_sighting_raises_confidence_and_a_record_raises_it_again(
    dark_ws: Workspace, tmp_path: Path
) -> None:
    add_sighting(dark_ws, str(MMSI), "rajin-port", "2026-02-02T22:00Z", note="bow seen at Terminal 2")
    analyse_voyages(dark_ws)
    f = _latest(dark_ws)
    assert f.confidence == "likely"
    assert f.details["corroboration"]["best_port"] == "site:rajin-port"
    csv = tmp_path / "port_state.csv"
    csv.write_text(
        f"vessel,port,time,source,kind\n{MMSI},rajin-port,2026-02-03,PSC inspection log,port_state\n"
    )
    runner = CliRunner()
    res = runner.invoke(app, ["ais", "records", "import", str(csv), "-w", str(dark_ws.root)])
    assert res.exit_code == 0, res.output
    assert len(list_records(dark_ws)) == 1
    analyse_voyages(dark_ws)
    assert _latest(dark_ws).confidence == "very likely"
    assert verify_workspace(dark_ws).ok


def test_sighting_cli_round_trip_and_verify(dark_ws: Workspace) -> None:
    runner = CliRunner()
    w = ["-w", str(dark_ws.root)]
    args = [
        "ais",
        "sighting",
        "add",
        "--vessel",
        str(MMSI),
        "--site",
        "rajin-port",
        "--time",
        "2026-02-02T20:00Z",
    ]
    assert runner.invoke(app, [*args, *w]).exit_code == 0
    again = runner.invoke(app, [*args, *w])
    assert again.exit_code == 0 and "already recorded" in again.output
    assert len(list_sightings(dark_ws)) == 1
    entries = [e for e in dark_ws.audit_entries() if e.action == "vessel.sighting.add"]
    assert len(entries) == 1 and entries[0].payload["_seal"]
    res = runner.invoke(app, ["ais", "voyages", "--vmax-kn", "14", *w])
    assert res.exit_code == 0, res.output
    assert "1 findings (likely 1)" in res.output.replace("\n", " ")
    assert runner.invoke(app, ["verify", *w]).exit_code == 0


def test_sighting_cli_bad_input_is_one_line_exit_2(dark_ws: Workspace) -> None:
    runner = CliRunner()
    w = ["-w", str(dark_ws.root)]
    base = ["ais", "sighting", "add", "--site", "rajin-port", "--time", "2026-02-02T20:00Z"]
    for bad in (
        [*base, "--vessel", "9123458"],  # IMO check digit wrong
        [*base, "--vessel", "12345"],  # neither IMO nor MMSI
        ["ais", "sighting", "add", "--vessel", str(MMSI), "--site", "nowhere", "--time", "2026-02-02"],
        ["ais", "sighting", "add", "--vessel", str(MMSI), "--site", "rajin-port", "--time", "yesterday"],
        [*base, "--vessel", str(MMSI), "--image", "deadbeefdeadbeef"],  # no such artifact
    ):
        res = runner.invoke(app, [*bad, *w])
        assert res.exit_code == 2, (bad, res.output)
        assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1
    assert list_sightings(dark_ws) == []
    assert verify_workspace(dark_ws).ok


def test_records_import_counts_bad_rows_and_strict_stops(dark_ws: Workspace, tmp_path: Path) -> None:
    csv = tmp_path / "trade.csv"
    csv.write_text(
        "vessel,port,time,source,kind\n"
        f"{MMSI},vostochny-port,2026-02-03,customs,trade\n"
        "123,vostochny-port,2026-02-03,customs,trade\n"
        f"{MMSI},vostochny-port,not a time,customs,trade\n"
    )
    runner = CliRunner()
    w = ["-w", str(dark_ws.root)]
    strict = runner.invoke(app, ["ais", "records", "import", str(csv), "--strict", *w])
    assert strict.exit_code == 2 and "line 3" in strict.stderr
    assert list_records(dark_ws) == []
    res = runner.invoke(app, ["ais", "records", "import", str(csv), *w])
    assert res.exit_code == 0 and "1 added" in res.stderr and "2 bad rows" in res.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"vessel,port,time,source\n{MMSI},atlantis,2026-02-03,customs\n")
    res = runner.invoke(app, ["ais", "records", "import", str(unknown), *w])
    assert res.exit_code == 2 and "atlantis" in res.stderr
    assert len(list_records(dark_ws)) == 1


def test_a_sighting_names_its_image_and_the_image_becomes_evidence(dark_ws: Workspace) -> None:
    image = dark_ws.add_artifact(b"SIMULATED image bytes", name="rajin_20260202.tif", simulated=True)
    s, new = add_sighting(
        dark_ws, f"MMSI {MMSI}", "rajin-port", "2026-02-02T21:00Z", image=str(image.id)[:15]
    )
    assert new and s.image == image.id
    analyse_voyages(dark_ws, mmsis=[MMSI])
    f = _latest(dark_ws)
    assert f.confidence == "likely" and image.id in f.evidence


def test_a_ship_size_count_at_the_pier_corroborates_with_its_chip_as_evidence(dark_ws: Workspace) -> None:
    from datetime import UTC, datetime

    chip = dark_ws.add_artifact(b"SIMULATED chip", name="chip.png", simulated=True)
    with dark_ws.run("imagery.count", parameters={}) as run:
        run.add_finding(
            kind="imagery.count",
            title="1 150x25 counted at Rajin",
            subjects=["site:rajin-port"],
            start=datetime(2026, 2, 2, 23, tzinfo=UTC),
            evidence=[chip.id],
            details={"object": "150x25", "size_m": "150x25", "count": 1},
        )
    analyse_voyages(dark_ws)
    assert _latest(dark_ws).confidence == "roughly even chance"  # a ship, not this ship
    add_sighting(dark_ws, str(MMSI), "rajin-port", "2026-02-02T22:00Z")
    analyse_voyages(dark_ws)
    f = _latest(dark_ws)
    assert f.confidence == "very likely" and chip.id in f.evidence
