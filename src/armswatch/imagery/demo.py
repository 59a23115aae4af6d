"""Demo part: a SIMULATED image series of the February 11 Plant, ingested and monitored.

``build_demo(ws)`` adds nothing when the site is not in the workspace. Scenes are generated in code
(:mod:`armswatch.imagery.simulate`), stored with ``simulated=True`` and "SIMULATED" in their names, so
findings derived from them are marked simulated too.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import rasterio

from armswatch.errors import NotFoundError
from armswatch.imagery import simulate
from armswatch.imagery.archive import ingest_inputs
from armswatch.imagery.ingest import site_grid
from armswatch.imagery.monitor import monitor_site

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

DEMO_SITE = "february-11-plant"
RESOLUTION_M = 2.0


def build_demo(ws: Workspace) -> None:
    """Ingest and monitor a simulated scene series for the demo site (if present)."""
    try:
        site = ws.get_site(DEMO_SITE)
    except NotFoundError:
        return
    grid = site_grid(site.geometry, RESOLUTION_M)
    size = min(grid.width, grid.height)
    base = simulate.landscape(size, seed=11)
    src = ws.add_source(
        "armswatch simulated imagery",
        publisher="armswatch demo generator",
        licence="Apache-2.0 (generated data)",
        reliability="F",
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, scene in enumerate(simulate.DEMO_SERIES):
            data = simulate.render(base, scene, seed=100 + k)
            path = Path(tmp) / f"SIMULATED_{DEMO_SITE}_{scene.date}.tif"
            prof = dict(
                driver="GTiff", width=size, height=size, count=4, dtype="uint16", crs=grid.crs,
                transform=rasterio.Affine(*grid.transform),
            )  # fmt: skip
            with rasterio.open(path, "w", **prof) as dst:
                dst.write(data)
                for i, name in enumerate(("red", "green", "blue", "nir"), start=1):
                    dst.set_band_description(i, name)
                dst.update_tags(ACQUISITION_DATETIME=f"{scene.date}T02:00:00Z")
            paths.append(str(path))
        for p, scene in zip(paths, simulate.DEMO_SERIES, strict=True):
            when = datetime.fromisoformat(scene.date).replace(hour=2, tzinfo=UTC)
            ingest_inputs(
                ws, DEMO_SITE, [p], resolution=RESOLUTION_M, captured_at=when, simulated=True, source=src
            )
    monitor_site(ws, DEMO_SITE)
