from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.monitors.feed import T0, ingest, track
from tests.monitors.receivers import webhook
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace


def test_monitor_commands_add_list_run_alerts_remove(
    ws: Workspace, tmp_path: Path, runner: CliRunner
) -> None:
    w = ["-w", str(ws.root)]
    vessels = tmp_path / "watch.csv"
    vessels.write_text("mmsi,name\n445000001,SIM A\n445000002,SIM B\n", encoding="utf-8")
    with webhook() as hook:
        added = runner.invoke(app, ["monitor", "add", "dark", "--vessels", str(vessels), "--hours", "6",
                                    "--webhook", hook.url, "--label", "watch list", *w])  # fmt: skip
        assert added.exit_code == 0, added.output
        mid = added.stdout.strip().splitlines()[0]
        listed = json.loads(runner.invoke(app, ["monitor", "list", "--format", "json", *w]).stdout)
        assert listed[0]["id"] == mid and listed[0]["params"]["mmsi"] == [445000001, 445000002]
        ingest(
            ws, [*track(445000001, T0, 2, 40, 130), *track(445000002, T0, 9, 40, 131)], "f.jsonl", tmp_path
        )
        ran = runner.invoke(app, ["monitor", "run", "--output-format", "json", *w])
        assert ran.exit_code == 0, ran.output
        (row,) = json.loads(ran.stdout)
        assert row["alerts"] == 1 and row["delivery"] == {"sent": 1}
        assert len(hook.bodies) == 1
    shown = json.loads(runner.invoke(app, ["monitor", "alerts", "--format", "json", *w]).stdout)
    assert shown[0]["status"] == "sent" and shown[0]["monitor_id"] == mid
    assert runner.invoke(app, ["monitor", "remove", mid[:9], *w]).exit_code == 0
    assert json.loads(runner.invoke(app, ["monitor", "list", "--format", "json", *w]).stdout) == []


def test_monitor_run_every_stops_after_its_duration(ws: Workspace, runner: CliRunner) -> None:
    runner.invoke(app, ["monitor", "add", "dark", "--mmsi", "445000001", "-w", str(ws.root)])
    ran = runner.invoke(app, ["monitor", "run", "--every", "0.2s", "--duration", "1s", "--output-format", "json",
                              "-w", str(ws.root)])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert len(ran.stdout.strip().splitlines()) >= 2  # ran more than once


@pytest.mark.parametrize(
    "args",
    [
        ["add", "dark"],
        ["add", "dark", "--mmsi", "1", "--email", "x@example.org"],
        ["add", "dark", "--mmsi", "1", "--webhook", "ftp://host/x"],
        ["add", "port", "--site", "nowhere"],
        ["add", "orbit"],
        ["remove", "mon-none"],
        ["run", "--every", "0"],
        ["run", "--duration", "1m"],
    ],
)
def test_bad_monitor_input_is_one_line_and_exit_2(ws: Workspace, runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, ["monitor", *args, "-w", str(ws.root)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_vessels_file_with_a_bad_line_is_named(ws: Workspace, tmp_path: Path, runner: CliRunner) -> None:
    bad = tmp_path / "v.txt"
    bad.write_text("445000001\nnot-a-number\n", encoding="utf-8")
    result = runner.invoke(app, ["monitor", "add", "dark", "--vessels", str(bad), "-w", str(ws.root)])
    assert result.exit_code == 2 and "v.txt" in result.output and "2" in result.output
