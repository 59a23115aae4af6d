"""Data outages in a vessel dossier, and the HTML dossier in a real browser (Chromium, when installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from PIL import Image
from tests.dossier.case import T0, build

from armswatch.dossier.render import render_html
from armswatch.dossier.vessel import vessel_dossier
from armswatch.maritime import store
from armswatch.maritime.simulate import track
from armswatch.workspace import Workspace

SILENT = ((20.0, 80.0),)


def _write(ws: Workspace, frames: list[pl.DataFrame]) -> None:
    art = ws.add_artifact(b"SIMULATED outage test", name="sim.csv", simulated=True)
    pos = pl.concat(frames).with_columns(
        source=pl.lit(art.id), line=pl.int_range(1, pl.len() + 1, dtype=pl.UInt64)
    )
    with ws.run("ais.simulate", parameters={}) as run:
        run.add_output(art.id)
        store.write_positions(ws, pos)


def _ship(mmsi: int, lon: float) -> pl.DataFrame:
    pts = [(0, 42.30, lon), (50, 42.55, lon + 0.3), (100, 42.30, lon)]
    return track(mmsi, pts, start=T0, interval_s=300, silent=SILENT)


def _gaps(ws: Workspace) -> tuple[list[str], str]:
    d = vessel_dossier(ws, "445000001")
    return [s.text for s in d.statements if s.kind == "gap"], " ".join(d.notes)


def test_a_silence_the_whole_fleet_shares_is_an_outage_not_a_gap(tmp_path: Path) -> None:
    alone = Workspace.init(tmp_path / "alone", analyst="t")
    _write(alone, [_ship(445000001, 130.5)])
    gaps, notes = _gaps(alone)
    assert len(gaps) == 1 and "cannot be told from the vessel's own silences" in notes
    fleet = Workspace.init(tmp_path / "fleet", analyst="t")
    _write(fleet, [_ship(445000001 + k, 130.45 + 0.02 * k) for k in range(8)])
    gaps, notes = _gaps(fleet)
    assert gaps == [] and "cannot be told" not in notes


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)")
def test_html_dossier_renders_in_chromium(ws: Workspace, tmp_path: Path) -> None:
    """Screenshot the dossier headless: the map must show land, sea and the blue track (not blank)."""
    build(ws, tmp_path)
    page = tmp_path / "dossier.html"
    page.write_text(render_html(vessel_dossier(ws, "8660313")), encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'prof'}",
         "--hide-scrollbars", "--virtual-time-budget=3000", f"--screenshot={shot}", "--window-size=1200,1400",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    img = Image.open(shot).convert("RGB")
    colours = {c for _, c in img.getcolors(maxcolors=1 << 20) or []}
    assert (0xDB, 0xE8, 0xF3) in colours  # sea
    assert (0xEE, 0xF0, 0xE8) in colours  # land
    track = sum(n for n, c in img.getcolors(maxcolors=1 << 20) or [] if c == (0x0B, 0x53, 0x94))
    assert track > 50  # the track and site markers in the report's blue
