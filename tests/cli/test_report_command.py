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


def _three_findings(ws: Workspace) -> dict[str, str]:
    """A confirmed AIS finding (2024-06), a rejected imagery one and a new imagery one (2024-10)."""
    from datetime import UTC, datetime

    ws.save_sites([make_site(), make_site("february-11-plant", 127.6, 39.9)])
    ids: dict[str, str] = {}
    with ws.run("test.report", parameters={}) as run:
        ids["ais"] = run.add_finding(
            kind="ais.gap",
            title="Dark for 31 h near Rajin",
            subjects=["site:rajin-port"],
            geometry={"type": "Point", "coordinates": [130.39, 42.34]},
            confidence="likely",
            start=datetime(2024, 6, 1, tzinfo=UTC),
            end=datetime(2024, 6, 2, tzinfo=UTC),
        )
        ids["rejected"] = run.add_finding(
            kind="imagery.change",
            title="Cloud shadow taken for a hall",
            subjects=["site:february-11-plant"],
            geometry={"type": "Point", "coordinates": [127.61, 39.91]},
            confidence="likely",
            start=datetime(2024, 10, 1, tzinfo=UTC),
            end=datetime(2024, 10, 11, tzinfo=UTC),
        )
        ids["new"] = run.add_finding(
            kind="imagery.change", title="New hall at the plant", subjects=["site:february-11-plant"],
            geometry={"type": "Point", "coordinates": [127.62, 39.92]}, confidence="likely",
            start=datetime(2024, 10, 1, tzinfo=UTC), end=datetime(2024, 10, 11, tzinfo=UTC),
        )  # fmt: skip
    ws.review_finding(ids["ais"], "confirmed", "seen on two feeds")
    ws.review_finding(ids["rejected"], "rejected", "cloud shadow, not a roof")
    return ids


def _report(runner: CliRunner, ws: Workspace, out: Path, *args: str) -> str:
    result = runner.invoke(app, ["report", "-o", str(out), "-w", str(ws.root), "-q", *args])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _map_refs(html: str) -> list[str]:
    return re.findall(r'data-ref="(f\d+)"', html.split('id="findings"')[0])


def test_rejected_findings_never_appear_as_results(ws: Workspace, runner: CliRunner, tmp_path: Path) -> None:
    ids = _three_findings(ws)
    html = _report(runner, ws, tmp_path / "r.html")
    assert "Dark for 31 h near Rajin" in html and "New hall at the plant" in html
    assert "Cloud shadow taken for a hall" not in html and ids["rejected"] not in html
    assert "1 rejected finding left out" in html
    assert len(set(_map_refs(html))) == 2  # two live findings on the map, not the rejected one
    with_appendix = _report(runner, ws, tmp_path / "a.html", "--appendix")
    body, appendix = with_appendix.split('id="appendix"')
    assert "Cloud shadow taken for a hall" not in body  # not a card, not on the map, not summarised
    assert "Cloud shadow taken for a hall" in appendix and "cloud shadow, not a roof" in appendix
    assert len(set(_map_refs(with_appendix))) == 2


def test_status_kind_site_and_dates_filter(ws: Workspace, runner: CliRunner, tmp_path: Path) -> None:
    _three_findings(ws)
    confirmed = _report(runner, ws, tmp_path / "c.html", "--status", "confirmed")
    assert "Dark for 31 h near Rajin" in confirmed and "New hall at the plant" not in confirmed
    assert "Shows confirmed findings" in confirmed
    imagery = _report(runner, ws, tmp_path / "k.html", "--kind", "imagery")
    assert "New hall at the plant" in imagery and "Dark for 31 h" not in imagery
    site = _report(runner, ws, tmp_path / "s.html", "--site", "rajin-port")
    assert "Dark for 31 h near Rajin" in site and "New hall at the plant" not in site
    assert 'id="site-rajin-port"' in site and 'id="site-february-11-plant"' not in site
    june = _report(runner, ws, tmp_path / "d.html", "--from", "2024-06-02", "--to", "2024-06-30")
    assert "Dark for 31 h near Rajin" in june and "New hall at the plant" not in june
    before = _report(runner, ws, tmp_path / "e.html", "--to", "2024-05-31")
    assert "Dark for 31 h" not in before and "No findings match this selection" in before


def test_report_filter_errors_are_one_line(ws: Workspace, runner: CliRunner, tmp_path: Path) -> None:
    _three_findings(ws)
    for args, message in (
        (["--status", "rejected"], "--appendix"),
        (["--status", "maybe"], "--status must be"),
        (["--site", "nowhere"], "no site with id nowhere"),
        (["--from", "2024-07-01", "--to", "2024-06-01"], "--from must be before --to"),
    ):
        result = runner.invoke(app, ["report", "-o", str(tmp_path / "x.html"), "-w", str(ws.root), *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert not (tmp_path / "x.html").exists()
