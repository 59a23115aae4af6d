"""Long commands report named phases with known totals; the CLI draws them on standard error only
when it is a terminal and never with ``-q``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.case.export import export_case
from armswatch.case.load import import_case
from armswatch.cli import common
from armswatch.cli.main import app
from armswatch.progress import RecordedProgress, steps
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace


@pytest.fixture()
def case(ws: Workspace) -> Workspace:
    ws.save_sites([make_site("rajin-port"), make_site("najin-pier", lon=130.3, lat=42.2)])
    for i in range(3):
        ws.add_artifact(f"scene {i}".encode(), name=f"scene-{i}.txt")
    return ws


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=120))
    monkeypatch.setattr(common, "progress_enabled", lambda quiet=False: not quiet)
    return buf


def test_steps_records_phase_total_and_done() -> None:
    rec = RecordedProgress()
    assert list(steps(rec, "things", ["a", "b", "c"])) == ["a", "b", "c"]
    assert list(steps(rec, "stream", iter(range(4)))) == [0, 1, 2, 3]
    assert rec.phases == [("things", 3, 3), ("stream", None, 4)]


def test_advance_before_a_phase_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        RecordedProgress().advance()


def test_verify_reports_every_blob_and_parquet_file(case: Workspace) -> None:
    rec = RecordedProgress()
    report = verify_workspace(case, progress=rec)
    assert report.ok
    phases = {name: (total, done) for name, total, done in rec.phases}
    assert phases["artifact blobs"] == (3, 3)
    total, done = phases["sealed records (tables)"]
    assert total is not None and total > 0 and done == total
    assert "audit chain" in phases


def test_verify_without_blobs_has_no_blob_phase(case: Workspace) -> None:
    rec = RecordedProgress()
    verify_workspace(case, blobs=False, progress=rec)
    assert "artifact blobs" not in {name for name, _, _ in rec.phases}


def test_case_export_and_import_report_their_phases(case: Workspace, tmp_path: Path) -> None:
    out = RecordedProgress()
    export_case(case, tmp_path / "case.zip", progress=out)
    names = [name for name, _, _ in out.phases]
    assert names.index("artifact blobs") < names.index("writing tables")  # verified before writing
    assert dict((n, (t, d)) for n, t, d in out.phases)["writing blobs"] == (3, 3)
    back = RecordedProgress()
    copy = import_case(tmp_path / "case.zip", tmp_path / "copy", progress=back)
    copy.close()
    phases = {name: (total, done) for name, total, done in back.phases}
    total, done = phases["checking files"]
    assert total is not None and total >= 3 and done == total
    assert phases["writing files"][0] == total


def test_verify_draws_bars_on_a_terminal(case: Workspace, terminal: io.StringIO) -> None:
    result = CliRunner().invoke(app, ["verify", "--workspace", str(case.root)])
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    assert "artifact blobs" in drawn and "3/3" in drawn
    assert "case intact" in result.stdout


def test_verify_quiet_draws_nothing(case: Workspace, terminal: io.StringIO) -> None:
    result = CliRunner().invoke(app, ["verify", "-q", "--workspace", str(case.root)])
    assert result.exit_code == 0, result.output
    assert terminal.getvalue() == ""
    assert "case intact" in result.stdout  # the answer is data, not chatter


def test_case_export_quiet_and_loud(case: Workspace, terminal: io.StringIO, tmp_path: Path) -> None:
    quiet = CliRunner().invoke(
        app, ["case", "export", "-q", "-o", str(tmp_path / "q.zip"), "--workspace", str(case.root)]
    )
    assert quiet.exit_code == 0, quiet.output
    assert terminal.getvalue() == ""
    loud = CliRunner().invoke(
        app, ["case", "export", "-o", str(tmp_path / "l.zip"), "--workspace", str(case.root)]
    )
    assert loud.exit_code == 0, loud.output
    assert "writing blobs" in terminal.getvalue()


def test_not_a_terminal_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not common.progress_enabled()
