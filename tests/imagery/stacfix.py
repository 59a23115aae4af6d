"""A local static STAC catalog of SIMULATED Sentinel-2-like COGs around a test site (no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pystac
import rasterio
from pyproj import Transformer

from armswatch.imagery import simulate

LON, LAT = 130.38972, 42.34
CRS = "EPSG:32652"
RES = 10.0
SIZE = 300  # 3 km square around the site


def _origin() -> tuple[float, float]:
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(LON, LAT)
    return float(x) - SIZE * RES / 2, float(y) + SIZE * RES / 2


def write_band(path: Path, data: np.ndarray, dtype: str) -> None:
    x0, y1 = _origin()
    prof = dict(
        driver="COG", width=SIZE, height=SIZE, count=1, dtype=dtype, crs=CRS,
        transform=rasterio.Affine(RES, 0, x0, 0, -RES, y1), compress="deflate",
    )  # fmt: skip
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(data.astype(dtype), 1)


def build_catalog(root: Path, *, cloud_corner: bool = True) -> Path:
    """Three items: 2024-03-02 (empty), 2024-06-15 (cloudy, 80 %), 2024-10-11 (new buildings)."""
    base = simulate.landscape(SIZE, seed=4)
    boxes = ((140, 140, 5, 8), (160, 150, 4, 6), (120, 170, 6, 6))
    scenes = [("2024-03-02", (), 5.0), ("2024-06-15", (), 80.0), ("2024-10-11", boxes, 3.0)]
    cat = pystac.Catalog(id="test", description="SIMULATED test catalog")
    x0, y1 = _origin()
    to_wgs = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    lon0, lat0 = to_wgs.transform(x0, y1 - SIZE * RES)
    lon1, lat1 = to_wgs.transform(x0 + SIZE * RES, y1)
    geom = {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }
    for k, (day, bx, cc) in enumerate(scenes):
        img = simulate.with_buildings(base, bx, shadow=1)
        data = np.clip(img * 10000 * (1.0 + 0.05 * k), 0, 65535)
        folder = root / day
        folder.mkdir(parents=True)
        item = pystac.Item(
            id=f"S2B_TEST_{day}", geometry=geom, bbox=[lon0, lat0, lon1, lat1],
            datetime=datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC),
            properties={"eo:cloud_cover": cc, "platform": "sentinel-2b"}, collection="sentinel-2-l2a",
        )  # fmt: skip
        for name, i in (("red", 0), ("green", 1), ("blue", 2), ("nir", 3)):
            write_band(folder / f"{name}.tif", data[i], "uint16")
            item.add_asset(
                name, pystac.Asset(href=str(folder / f"{name}.tif"), media_type=pystac.MediaType.COG)
            )
        scl = np.full((SIZE, SIZE), 4, dtype=np.uint8)  # vegetation
        if cloud_corner:
            scl[:40, :40] = 9  # cloud high probability
        write_band(folder / "scl.tif", scl, "uint8")
        item.add_asset("scl", pystac.Asset(href=str(folder / "scl.tif"), media_type=pystac.MediaType.COG))
        cat.add_item(item)
    cat.normalize_hrefs(str(root / "stac"))
    cat.save(catalog_type=pystac.CatalogType.ABSOLUTE_PUBLISHED)
    return root / "stac" / "catalog.json"


def item_paths(catalog: Path) -> list[str]:
    cat = pystac.Catalog.from_file(str(catalog))
    return sorted(str(i.get_self_href()) for i in cat.get_items(recursive=True))
