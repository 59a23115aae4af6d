"""Issue 8 item 3: invalid identities are kept and analysed; untimed NMEA is kept with a time source."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import typer
from pyais.encode import encode_dict
from typer.testing import CliRunner

from armswatch.cli.ais_ingest import register
from armswatch.errors import InputError
from armswatch.maritime.identity import identity_findings, position_counts, vessel_table
from armswatch.maritime.ingest import ingest_file, read_counts
from armswatch.maritime.schema import POSITION_SCHEMA, STATIC_SCHEMA, conform
from armswatch.maritime.store import scan_positions
from armswatch.types.mmsi import mmsi_problem
from armswatch.workspace import Workspace

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def untimed(mmsi: int, lat: float, lon: float) -> str:
    return encode_dict({"type": 1, "mmsi": mmsi, "lat": lat, "lon": lon, "speed": 5}, talker_id="AI")[0]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (445123456, None),
        (2734350, None),  # coast station 00MIDxxxx
        (123456789, "fits no ITU-R M.585 pattern"),  # 1xxxxxxxx is only SAR aircraft 111MIDxxx
        (217000000, "MID 217 is not allocated"),
        (12345, "fits no ITU-R M.585 pattern"),
        (0, "not an identity"),
        (950000000, "fits no ITU-R M.585 pattern"),
        ("1234567890", "not a number of 1 to 9 digits"),
        ("abc", "not a number of 1 to 9 digits"),
    ],
)
def test_mmsi_problem_says_why(value: object, problem: str | None) -> None:
    got = mmsi_problem(value)
    assert (got is None) if problem is None else (got is not None and problem in got)


def test_invalid_mmsi_is_listed_and_gets_a_finding() -> None:
    positions = conform(
        pl.DataFrame(
            {
                "mmsi": [123456789, 123456789, 445123456],
                "ts": [T0, T0 + timedelta(hours=1), T0],
                "lat": [39.0, 39.1, 39.0],
                "lon": [127.5, 127.5, 127.6],
            }
        ),
        POSITION_SCHEMA,
    )
    statics = conform(pl.DataFrame({"mmsi": [123456789], "ts": [T0], "name": ["GHOST"]}), STATIC_SCHEMA)
    table = vessel_table(statics, position_counts(positions.lazy())).sort("mmsi")
    assert table.select("mmsi", "mmsi_valid").rows() == [(123456789, False), (445123456, True)]
    assert "fits no ITU-R M.585 pattern" in table["mmsi_problem"][0] and table["mmsi_problem"][1] is None
    findings, stats = identity_findings(statics, positions.lazy())
    invalid = [f for f in findings if f.kind == "ais.identity.invalid-mmsi"]
    assert stats["invalid_mmsi"] == 1 and len(invalid) == 1
    f = invalid[0]
    assert f.subjects[0] == "vessel:mmsi:123456789" and "GHOST" in f.title
    assert (f.start, f.end, f.details["positions"]) == (T0, T0 + timedelta(hours=1), 2)


def test_cli_vessels_lists_mmsi_valid_and_identity_records_the_finding(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "feed.nmea"
    path.write_text(
        "\n".join(
            f"\\s:x,c:{int(T0.timestamp()) + 60 * i}*00\\{untimed(m, 39.0 + i / 100, 127.5)}"
            for i, m in enumerate((123456789, 445123456, 123456789))
        )
        + "\n"
    )
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    root = str(ws.root)
    assert runner.invoke(app, ["ingest", str(path), "-w", root, "-q"]).exit_code == 0
    res = runner.invoke(app, ["vessels", "-w", root, "--format", "json"])
    rows = {r["mmsi"]: r for r in json.loads(res.stdout)}
    assert rows[123456789]["mmsi_valid"] is False and "no ITU-R M.585" in rows[123456789]["mmsi_problem"]
    assert rows[445123456]["mmsi_valid"] is True and rows[123456789]["positions"] == 2
    assert runner.invoke(app, ["identity", "-w", root, "-q"]).exit_code == 0
    found = ws.list_findings(kind="ais.identity.invalid-mmsi")
    assert [f.subjects[0] for f in found] == ["vessel:mmsi:123456789"]


def test_untimed_nmea_is_missing_time_without_a_time_source(tmp_path: Path) -> None:
    path = tmp_path / "untimed.nmea"
    path.write_text(untimed(273111000, 43.1, 131.9) + "\n" + untimed(273111000, 43.2, 131.9) + "\n")
    counts = read_counts(path, "nmea")
    assert counts.rejected == {"missing_time": 2} and counts.kept.get("positions", 0) == 0
    with pytest.raises(InputError):
        read_counts(path, "nmea", assume_time="yesterday")
    with pytest.raises(InputError):
        read_counts(path, "nmea", assume_time="1900-01-01T00:00:00")


def test_assume_time_keeps_untimed_records_and_marks_them(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "untimed.nmea"
    timed = f"\\s:x,c:{int(T0.timestamp())}*00\\{untimed(273111000, 43.0, 131.9)}"
    path.write_text(
        "\n".join([timed, untimed(273111000, 43.1, 131.9), untimed(273111000, 43.2, 131.9)]) + "\n"
    )
    _, summary = ingest_file(ws, path, assume_time="2024-03-02T12:00:00+02:00")
    assert summary["rejected"] == {} and summary["counts"]["assumed_time"] == 2
    assert summary["positions"]["added"] == 3
    pos = scan_positions(ws, time_source=True).collect().sort("line")
    assert pos["ts"].to_list() == [
        T0,
        datetime(2024, 3, 2, 10, tzinfo=UTC),
        datetime(2024, 3, 2, 10, tzinfo=UTC),
    ]
    assert pos["time_source"].to_list() == [None, *["assumed 2024-03-02T10:00:00+00:00"] * 2]
    assert "time_source" not in scan_positions(ws).collect().columns  # the detectors' contract is unchanged


def test_assume_time_file_mtime(tmp_path: Path, ws: Workspace) -> None:
    path = tmp_path / "untimed.nmea"
    path.write_text(untimed(273111000, 43.1, 131.9) + "\n")
    stamp = datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    ingest_file(ws, path, assume_time="file-mtime")
    pos = scan_positions(ws, time_source=True).collect()
    assert pos["ts"].to_list() == [datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC)]
    assert pos["time_source"].to_list() == ["file-mtime 2023-05-06T07:08:09+00:00"]


def test_assume_time_is_refused_for_formats_with_their_own_times(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ts,mmsi,lat,lon\n2024-01-01T00:00:00Z,273000001,42,131\n")
    with pytest.raises(InputError):
        read_counts(path, "csv", assume_time="2024-01-01T00:00:00Z")
