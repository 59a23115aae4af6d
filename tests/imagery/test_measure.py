"""Measuring outlines: areas in m² whatever the image CRS, uncertainty from the pixel size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import InputError
from armswatch.imagery import raster
from armswatch.imagery.measure import measure_outlines, uncertainty
from armswatch.imagery.outline import ground_pixel_size, parse_outlines
from armswatch.workspace import Workspace

runner = CliRunner()
UTM = "EPSG:32652"  # Rajin is in UTM zone 52N
X0, Y0 = 500_000.0, 4_690_000.0


def from_origin(x: float, y: float, xres: float, yres: float) -> rasterio.Affine:
    return rasterio.Affine(xres, 0.0, x, 0.0, -yres, y)


def geotiff(path: Path, crs: str, transform: rasterio.Affine, size: int = 200) -> Path:
    data = np.random.default_rng(0).integers(0, 255, (3, size, size), dtype=np.uint8)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=3, dtype="uint8",
                       crs=crs, transform=transform) as dst:  # fmt: skip
        dst.write(data)
    return path


def utm_square_wgs84(x: float, y: float, side: float) -> dict[str, object]:
    tr = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    ring = [
        tr.transform(px, py)
        for px, py in ((x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y))
    ]
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def doc(*geoms: dict[str, object]) -> dict[str, object]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"hall {i}"}, "geometry": g} for i, g in enumerate(geoms, 1)]}  # fmt: skip


def test_pixel_image_area_and_uncertainty(tmp_path: Path) -> None:
    png = tmp_path / "yard.png"
    Image.fromarray(np.zeros((50, 50, 3), dtype=np.uint8)).save(png)
    info = raster.image_info(png)
    square = {"type": "Polygon", "coordinates": [[[10, 10], [30, 10], [30, 20], [10, 20], [10, 10]]]}
    (m,) = measure_outlines(parse_outlines(square), info, 0.5)
    assert m.area_m2 == pytest.approx(20 * 10 * 0.25)  # 200 px at 0.5 m
    assert m.perimeter_m == pytest.approx(60 * 0.5)
    assert m.uncertainty_m2 == pytest.approx(30 * 0.5 / 2)
    assert m.inside_share == 1.0


def test_same_outline_same_area_in_utm_and_web_mercator(tmp_path: Path) -> None:
    utm = geotiff(tmp_path / "utm.tif", UTM, from_origin(X0, Y0 + 200, 1.0, 1.0))
    x, y = Transformer.from_crs(UTM, "EPSG:3857", always_xy=True).transform(X0, Y0 + 200)
    merc = geotiff(tmp_path / "merc.tif", "EPSG:3857", from_origin(x, y, 1.35, 1.35))  # ~1 m on the ground
    outline = parse_outlines(doc(utm_square_wgs84(X0 + 50, Y0 + 50, 100.0)))
    info_u, info_m = raster.image_info(utm), raster.image_info(merc)
    a = measure_outlines(outline, info_u, ground_pixel_size(info_u) or 0)[0]
    b = measure_outlines(outline, info_m, ground_pixel_size(info_m) or 0)[0]
    # 100 m x 100 m in UTM; the geodesic area differs from the grid area only by the UTM scale factor
    assert a.area_m2 == pytest.approx(10_000, rel=2e-3)
    assert b.area_m2 == pytest.approx(a.area_m2, rel=1e-9)
    assert a.uncertainty_m2 == pytest.approx(uncertainty(a.perimeter_m, 1.0), rel=1e-3)
    assert b.pixel_size_m == pytest.approx(1.35 * np.cos(np.radians(42.35)), rel=0.02)


def test_outline_outside_image_and_bad_polygon_are_input_errors(tmp_path: Path) -> None:
    utm = geotiff(tmp_path / "utm.tif", UTM, from_origin(X0, Y0 + 200, 1.0, 1.0))
    far = parse_outlines(doc(utm_square_wgs84(X0 + 5000, Y0, 50.0)))
    with pytest.raises(InputError, match="outside the image"):
        measure_outlines(far, raster.image_info(utm), 1.0)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}
    with pytest.raises(InputError, match="feature 1"):
        parse_outlines(bowtie)
    with pytest.raises(InputError, match="Polygon"):
        parse_outlines({"type": "Point", "coordinates": [1, 2]})


def test_cli_measure_json_and_finding(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "case", analyst="tester")
    ws.save_sites([make_site()])
    ws.close()
    utm = geotiff(tmp_path / "utm.tif", UTM, from_origin(X0, Y0 + 200, 0.5, 0.5), size=400)
    polys = tmp_path / "p.geojson"
    polys.write_text(json.dumps(doc(utm_square_wgs84(X0 + 20, Y0 + 20, 40.0))))
    res = runner.invoke(app, ["imagery", "measure", str(utm), "--polygons", str(polys), "-f", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert row["area_m2"] == pytest.approx(1600, rel=2e-3) and row["uncertainty_m2"] == pytest.approx(
        40.0, rel=2e-3
    )
    res = runner.invoke(app, ["imagery", "measure", str(utm), "--polygons", str(polys), "--finding",
                              "--site", "rajin-port", "--date", "2024-05-01", "-w", str(tmp_path / "case"), "-f", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    fid = json.loads(res.output)[0]["finding"]
    with Workspace.open(tmp_path / "case") as ws2:
        f = ws2.get_finding(fid)
        assert f.kind == "imagery.measure" and "site:rajin-port" in f.subjects
        assert f.title.startswith("hall 1: 1,60") and "± 40 m² on 2024-05-01" in f.title
        image = ws2.get_artifact(f.evidence[0])
        assert image.sha256 and image.metadata["kind"] == "imagery.image"
        assert f.start is not None and f.start.year == 2024


def test_cli_measure_bad_file_exit_2(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(png)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    res = runner.invoke(app, ["imagery", "measure", str(png), "--polygons", str(bad)])
    assert res.exit_code == 2
    assert "bad.geojson" in res.output
