from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from armswatch.entities.ingest import import_list
from armswatch.joins.designated_vessel import KIND, lower_confidence, screen_ais_vessels
from armswatch.maritime.schema import STATIC_SCHEMA
from armswatch.maritime.store import write_statics
from armswatch.workspace import Workspace

RAJIN = {"type": "Point", "coordinates": [130.39, 42.34]}


def _list(tmp_path: Path) -> Path:
    rows = [
        {"id": "v-lady-r", "schema": "Vessel", "properties": {"name": ["LADY R"], "imoNumber": ["9161003"]}},
        {
            "id": "s-lady-r",
            "schema": "Sanction",
            "properties": {"entity": ["v-lady-r"], "authority": ["Test authority"], "program": ["DPRK"]},
        },
        {
            "id": "v-other",
            "schema": "Vessel",
            "properties": {"name": ["OCEAN PEARL"], "imoNumber": ["9074729"]},
        },
    ]
    path = tmp_path / "list.ftm.json"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def _ais(ws: Workspace) -> None:
    frame = pl.DataFrame(
        {
            "mmsi": [273000001, 273000002],
            "ts": [datetime(2024, 3, 2, tzinfo=UTC)] * 2,
            "imo": ["9161003", None],
            "name": ["LADY R", "HARMLESS TUG"],
            "source": ["test", "test"],
            "line": [1, 2],
        }
    )
    write_statics(
        ws,
        frame.select(
            [pl.col(c) if c in frame.columns else pl.lit(None).alias(c) for c in STATIC_SCHEMA]
        ).cast(STATIC_SCHEMA),
    )  # type: ignore[arg-type]


def _port_calls(ws: Workspace) -> str:
    positions = ws.add_artifact(b"mmsi,ts,lat,lon\n273000001,2024-03-02T10:00Z,42.34,130.39\n", name="pc.csv")
    with ws.run("ais.events") as run:
        run.add_finding(
            kind="ais.port_call",
            title="Port call at Rajin: LADY R",
            subjects=["vessel:mmsi:273000001", "site:rajin-port"],
            geometry=RAJIN,
            start=datetime(2024, 3, 2, 10, tzinfo=UTC),
            end=datetime(2024, 3, 3, tzinfo=UTC),
            confidence="very likely",
            evidence=[positions.id],
        )
        run.add_finding(
            kind="ais.port_call",
            title="Port call at Rajin: HARMLESS TUG",
            subjects=["vessel:mmsi:273000002"],
            geometry=RAJIN,
            start=datetime(2024, 3, 2, 10, tzinfo=UTC),
            confidence="likely",
        )
        return positions.id


def test_designated_vessel_activity_becomes_a_finding_with_the_designation(
    ws: Workspace, tmp_path: Path
) -> None:
    import_list(ws, _list(tmp_path), format="ftm", dataset="test_list", list_date=date(2024, 1, 1))
    _ais(ws)
    positions = _port_calls(ws)
    summary = screen_ais_vessels(ws)
    assert summary["vessels screened"] == 2 and summary["findings"] == 1
    (f,) = ws.list_findings(kind=KIND)
    assert "LADY R" in f.title and "designated" in f.title
    assert "vessel:mmsi:273000001" in f.subjects and "entity:v-lady-r" in f.subjects
    assert f.confidence == "very likely"  # the weaker of the match and the port call
    assert positions in f.evidence
    names = {ws.get_artifact(e).name for e in f.evidence}
    assert any(n.startswith("designation-test_list-273000001") for n in names)
    assert any(n == "list.ftm.json" for n in names)
    extract = next(e for e in f.evidence if ws.get_artifact(e).name.startswith("designation-"))
    data = json.loads(ws.artifact_path(extract).read_text())
    assert data["listing"]["status"] == "listed" and data["listing"]["since"] == "2024-01-01"


def test_activity_before_listing_is_not_called_designated(ws: Workspace, tmp_path: Path) -> None:
    import_list(ws, _list(tmp_path), format="ftm", dataset="test_list", list_date=date(2025, 1, 1))
    _ais(ws)
    _port_calls(ws)
    screen_ais_vessels(ws)
    (f,) = ws.list_findings(kind=KIND)
    assert "not listed on that day" in f.title


def test_lower_confidence() -> None:
    assert lower_confidence("almost certain", "likely") == "likely"
    assert lower_confidence("unlikely", "very likely") == "unlikely"


def test_ais_screen_command(ws: Workspace, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from armswatch.cli.main import app

    import_list(ws, _list(tmp_path), format="ftm", dataset="test_list", list_date=date(2024, 1, 1))
    _ais(ws)
    _port_calls(ws)
    result = CliRunner().invoke(app, ["ais", "screen", "-w", str(ws.root)])
    assert result.exit_code == 0, result.stderr
    assert "2 vessels screened: 1 listed, 0 possible (name only); 1 findings" in result.stderr
    assert "LADY R" in result.stdout and "IMO 9161003" in result.stdout  # the match is shown, with why
    out = tmp_path / "matches.csv"
    written = CliRunner().invoke(app, ["ais", "screen", "-w", str(ws.root), "-o", str(out), "-q"])
    assert written.exit_code == 0, written.stderr
    rows = pl.read_csv(out).to_dicts()
    assert [(r["mmsi"], r["listed"], r["status"], r["score"]) for r in rows] == [
        (273000001, "LADY R", "listed", 1.0)
    ]
    assert rows[0]["agreed"].startswith("IMO 9161003")
    as_json = tmp_path / "matches.json"
    assert (
        CliRunner().invoke(app, ["ais", "screen", "-w", str(ws.root), "-o", str(as_json), "-q"]).exit_code
        == 0
    )
    assert json.loads(as_json.read_text())[0]["confidence"] == "almost certain"
    again = CliRunner().invoke(app, ["ais", "screen", "-w", str(ws.root)])
    assert again.exit_code == 0
    assert len(ws.list_runs(KIND)) == 4  # a re-run adds a run, never overwrites


def test_threshold_outside_0_1_is_refused_before_any_run(ws: Workspace) -> None:
    import pytest

    from armswatch.errors import InputError

    for bad in (-1.0, 5.0, float("nan")):
        with pytest.raises(InputError, match="threshold"):
            screen_ais_vessels(ws, bad)
    assert ws.list_runs(tool=KIND) == []
