"""``armswatch report`` and ``armswatch export findings`` on a small workspace."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace

from ..conftest import make_site  # type: ignore[import-not-found]


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 40, 40)).save(buf, format="PNG")
    return buf.getvalue()


def _populate(ws: Workspace, simulated: bool) -> str:
    ws.save_sites([make_site()])
    chip = ws.add_artifact(_png(), name="after.png", simulated=simulated)
    with ws.run("test.report", parameters={"threshold": 0.42}, inputs=[chip.id]) as run:
        return run.add_finding(
            kind="imagery.change",
            title="New hall at Rajin",
            subjects=["site:rajin-port"],
            geometry={"type": "Point", "coordinates": [130.39, 42.34]},
            confidence="likely",
            evidence=[chip.id],
        )


def test_report_is_self_contained_with_provenance(ws: Workspace, runner: CliRunner, tmp_path: Path) -> None:
    fid = _populate(ws, simulated=False)
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-o", str(out), "-w", str(ws.root), "-q"])
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "New hall at Rajin" in html and fid in html and "Rajin Port" in html
    assert "data:image/png;base64," in html  # the evidence thumbnail is embedded
    assert "0.42" in html  # run parameters shown
    assert not re.search(r"""(src|href)\s*=\s*["']https?://[^"']*\.(js|css)""", html)
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']https?://""", html)
    assert "SIMULATED DATA" not in html


def test_report_labels_simulated_data(ws: Workspace, runner: CliRunner, tmp_path: Path) -> None:
    _populate(ws, simulated=True)
    out = tmp_path / "r.html"
    assert runner.invoke(app, ["report", "-o", str(out), "-w", str(ws.root), "-q"]).exit_code == 0
    assert "SIMULATED" in out.read_text(encoding="utf-8")


def test_export_findings_geojson_carries_provenance(ws: Workspace, runner: CliRunner) -> None:
    fid = _populate(ws, simulated=False)
    result = runner.invoke(app, ["export", "findings", "-w", str(ws.root)])
    assert result.exit_code == 0, result.stderr
    (feature,) = json.loads(result.stdout)["features"]
    assert feature["properties"]["id"] == fid
    assert json.dumps(feature["properties"]).count("sha256:") >= 1
    bad = runner.invoke(app, ["export", "findings", "-o", "x.shp", "-w", str(ws.root)])
    assert bad.exit_code == 2 and "x.shp" in bad.stderr
