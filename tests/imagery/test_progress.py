"""Long imagery commands draw progress bars on standard error, and none with ``-q``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from armswatch.cli import common
from armswatch.cli.main import app as root
from armswatch.workspace import Workspace

from .scenes import construction_pair, write_png
from .stacfix import LAT, LON, build_catalog, item_paths
from .test_train import make_labelset
from .test_workspace_flow import SITE, make_site


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=120))
    monkeypatch.setattr(common, "progress_enabled", lambda quiet=False: not (quiet or common._Quiet.value))
    common.set_quiet(False)
    return buf


def _run(args: list[str], quiet: bool) -> None:
    res = CliRunner().invoke(root, [*args[:2], *(["-q"] if quiet else []), *args[2:]])
    common.set_quiet(False)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("quiet", [False, True])
def test_change_evaluate_train(tmp_path: Path, terminal: io.StringIO, quiet: bool) -> None:
    before, after, _ = construction_pair(160, seed=1)
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    (tmp_path / "pred").mkdir()
    _run(["imagery", "change", str(a), str(b), "-o", str(tmp_path / "pred" / "p0.png")], quiet)
    drawn = terminal.getvalue()
    assert ("tiles" in drawn and "1/1" in drawn) != quiet
    ls = make_labelset(tmp_path / "ls", n=1)
    _run(["imagery", "evaluate", str(tmp_path / "pred"), str(ls / "label")], quiet)
    assert ("scoring masks" in terminal.getvalue()) != quiet
    _run(["imagery", "train", str(ls), "-o", str(tmp_path / "m.npz")], quiet)
    drawn = terminal.getvalue()
    assert ("reading labelled pairs" in drawn and "fitting the forest" in drawn) != quiet
    assert quiet == (drawn == "")


@pytest.mark.parametrize("quiet", [False, True])
def test_search_ingest_monitor(ws: Workspace, tmp_path: Path, terminal: io.StringIO, quiet: bool) -> None:
    ws.save_sites([make_site(SITE, LON, LAT)])
    catalog = build_catalog(tmp_path / "cat")
    wsopt = ["--workspace", str(ws.root)]
    _run(["imagery", "search", SITE, "--from", "2024-01-01", "--to", "2024-12-31", "--stac-url", str(catalog),
          "--format", "json", *wsopt], quiet)  # fmt: skip
    assert ("reading the local catalog's items" in terminal.getvalue()) != quiet
    items = [p for p in item_paths(catalog) if "06-15" not in p]
    _run(["imagery", "ingest", SITE, *items, *wsopt], quiet)
    drawn = terminal.getvalue()
    assert ("reading and masking scenes" in drawn and "2/2" in drawn) != quiet
    _run(["imagery", "monitor", SITE, "--format", "json", *wsopt], quiet)
    drawn = terminal.getvalue()
    assert ("change between scenes" in drawn and "1/1" in drawn) != quiet
    assert quiet == (drawn == "")
