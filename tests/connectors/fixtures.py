"""Small recorded payloads: a 4-band UTM GeoTIFF and a workspace with a site and provider settings."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import rasterio
from tests.conftest import make_site

from armswatch.workspace import Workspace

SITE = "rajin-port"  # make_site(): 130.38972 E, 42.34 N (UTM 52N)


def geotiff_bytes(
    size: int = 64, res: float = 3.0, bands: int = 4, tags: dict[str, str] | None = None
) -> bytes:
    """A 4-band uint16 GeoTIFF around the test site (UTM 52N)."""
    data = (np.random.default_rng(1).integers(200, 3000, (bands, size, size))).astype(np.uint16)
    from pyproj import Transformer

    cx, cy = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True).transform(130.38972, 42.34)
    x0, y0 = cx - size * res / 2, cy + size * res / 2
    buf = io.BytesIO()
    with rasterio.MemoryFile() as mem:
        with mem.open(driver="GTiff", width=size, height=size, count=bands, dtype="uint16", crs="EPSG:32652",
                      transform=rasterio.Affine(res, 0, x0, 0, -res, y0)) as dst:  # fmt: skip
            dst.write(data)
            if tags:
                dst.update_tags(**tags)
        buf.write(mem.read())
    return buf.getvalue()


def workspace(tmp_path: Path, providers_toml: str = "") -> Path:
    ws = Workspace.init(tmp_path / "case", analyst="tester")
    ws.save_sites([make_site(SITE)])
    ws.close()
    if providers_toml:
        cfg = tmp_path / "case" / "armswatch.toml"
        cfg.write_text(cfg.read_text() + "\n" + providers_toml)
    return tmp_path / "case"
