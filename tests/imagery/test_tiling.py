from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery import raster
from armswatch.imagery.tiling import run_change

from .scenes import construction_pair, terrain, write_png, write_tif


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    before, after, truth = construction_pair(size=192)
    return write_tif(tmp_path / "a.tif", before), write_tif(tmp_path / "b.tif", after), truth


def test_geotiff_output_is_georeferenced_uint8(pair: tuple[Path, Path, np.ndarray], tmp_path: Path) -> None:
    a, b, truth = pair
    res = run_change(str(a), str(b), str(tmp_path / "out.tif"))
    with rasterio.open(tmp_path / "out.tif") as ds:
        data = ds.read(1)
        assert ds.crs.to_string() == "EPSG:32652"
        assert ds.transform.a == 0.5
    assert data.dtype == np.uint8 and set(np.unique(data)) <= {0, 255}
    assert res.changed_pixels == int((data == 255).sum())
    assert ((data == 255) & truth).sum() > 0.5 * truth.sum()


def test_tiled_matches_whole_image(pair: tuple[Path, Path, np.ndarray], tmp_path: Path) -> None:
    a, b, _ = pair
    run_change(str(a), str(b), str(tmp_path / "whole.tif"))
    tiled = run_change(str(a), str(b), str(tmp_path / "tiled.tif"), tile=64, workers=1)
    assert tiled.tiles == 9
    with rasterio.open(tmp_path / "whole.tif") as w, rasterio.open(tmp_path / "tiled.tif") as t:
        assert (w.read(1) != t.read(1)).mean() < 0.01


def test_png_in_png_out_with_probability_and_footprints(tmp_path: Path) -> None:
    before, after, _truth = construction_pair()
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    res = run_change(
        str(a), str(b), str(tmp_path / "m.png"), probability=str(tmp_path / "p.png"),
        footprints=str(tmp_path / "f.geojson"),
    )  # fmt: skip
    assert not res.georeferenced and res.pixel_size_m == 0.5
    assert raster.image_info(tmp_path / "m.png").width == 192
    fc = json.loads((tmp_path / "f.geojson").read_text())
    assert len(fc["features"]) == res.objects >= 3
    props = fc["features"][0]["properties"]
    assert props["direction"] == "new structure"
    assert props["area_m2"] == pytest.approx(props["pixels"] * 0.25)


def test_footprints_are_wgs84_when_georeferenced(pair: tuple[Path, Path, np.ndarray], tmp_path: Path) -> None:
    a, b, _ = pair
    run_change(str(a), str(b), str(tmp_path / "m.tif"), footprints=str(tmp_path / "f.geojson"))
    fc = json.loads((tmp_path / "f.geojson").read_text())
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert 128 < lon < 130 and 38 < lat < 40  # UTM 52N near (500000, 4300000)
    areas = [f["properties"]["area_m2"] for f in fc["features"]]
    assert max(areas) > 150  # a 12 x 15 m roof is ~180 m²


def test_baseline_methods_run(pair: tuple[Path, Path, np.ndarray], tmp_path: Path) -> None:
    a, b, _ = pair
    for m in ("cva", "pca-kmeans"):
        assert run_change(str(a), str(b), str(tmp_path / f"{m}.tif"), method=m).changed_pixels > 0


def test_errors(tmp_path: Path) -> None:
    a = write_tif(tmp_path / "a.tif", terrain(64))
    pa, pb = write_png(tmp_path / "a.png", terrain(64)), write_png(tmp_path / "b.png", terrain(96))
    with pytest.raises(InputError, match=r"not both georeferenced"):
        run_change(str(pa), str(pb), str(tmp_path / "o.tif"))
    with pytest.raises(MissingFileError):
        run_change(str(tmp_path / "nope.tif"), str(a), str(tmp_path / "o.tif"))
    with pytest.raises(InputError, match="unknown method"):
        run_change(str(a), str(a), str(tmp_path / "o.tif"), method="magic")
    with pytest.raises(InputError, match=r"\.tif"):
        run_change(str(a), str(a), str(tmp_path / "o.jpg"))
    (tmp_path / "junk.tif").write_text("not an image")
    with pytest.raises(InputError):
        run_change(str(tmp_path / "junk.tif"), str(a), str(tmp_path / "o.tif"))


def test_after_on_another_grid_is_warped_onto_before(tmp_path: Path) -> None:
    before, after, truth = construction_pair()
    a = write_tif(tmp_path / "a.tif", before)
    # AFTER: the same ground in another CRS (UTM 51N) at a slightly coarser pixel size, larger extent
    from pyproj import Transformer
    from rasterio.warp import reproject

    with rasterio.open(a) as src:
        bd = src.bounds
        xs, ys = Transformer.from_crs(src.crs, "EPSG:32651", always_xy=True).transform(
            [bd.left, bd.right, bd.left, bd.right], [bd.top, bd.top, bd.bottom, bd.bottom]
        )
        w, h = int((max(xs) - min(xs)) / 0.55) + 20, int((max(ys) - min(ys)) / 0.55) + 20
        dst_tr = rasterio.Affine(0.55, 0, min(xs) - 5.5, 0, -0.55, max(ys) + 5.5)
        prof = dict(driver="GTiff", width=w, height=h, count=3, dtype="uint8", crs="EPSG:32651",
                    transform=dst_tr, nodata=0)  # fmt: skip
        with rasterio.open(tmp_path / "b.tif", "w", **prof) as dst:
            for i in range(3):
                reproject(np.clip(after[i], 1, 255).astype(np.uint8), rasterio.band(dst, i + 1),
                          src_transform=src.transform, src_crs=src.crs, dst_transform=dst.transform,
                          dst_crs=dst.crs, dst_nodata=0)  # fmt: skip
    res = run_change(str(a), str(tmp_path / "b.tif"), str(tmp_path / "o.tif"))
    assert (res.width, res.height) == (192, 192)
    with rasterio.open(tmp_path / "o.tif") as ds:
        m = ds.read(1) == 255
    assert (m & truth).sum() > 0.5 * truth.sum()
    assert (m & ~truth).sum() < 0.2 * truth.sum() + 0.05 * truth.size


def test_nodata_pixels_are_never_change(tmp_path: Path) -> None:
    before, after, _ = construction_pair()
    prof = dict(
        driver="GTiff", width=192, height=192, count=3, dtype="uint8", nodata=0, crs="EPSG:32652",
        transform=rasterio.Affine(0.5, 0, 500000.0, 0, -0.5, 4300000.0),
    )  # fmt: skip
    after[:, :, :40] = 0
    for name, img in (("a", before), ("b", after)):
        with rasterio.open(tmp_path / f"{name}.tif", "w", **prof) as d:
            d.write(np.clip(img, 1, 255).astype(np.uint8) * (img > 0))
    run_change(str(tmp_path / "a.tif"), str(tmp_path / "b.tif"), str(tmp_path / "o.tif"))
    with rasterio.open(tmp_path / "o.tif") as ds:
        assert not ds.read(1)[:, :40].any()


def test_footprints_refuse_too_many_objects_and_skip_small_ones() -> None:
    from armswatch.imagery import footprint

    rng = np.random.default_rng(0)
    noisy = rng.random((120, 120)) > 0.7
    with pytest.raises(InputError, match="too many"):
        footprint.extract(noisy, pixel_size_m=1.0, max_objects=5)
    mask = np.zeros((60, 60), dtype=bool)
    mask[5:15, 5:15] = True  # 100 m² at 1 m
    mask[40, 40] = True  # 1 m²: dropped before polygonising
    found = footprint.extract(mask, pixel_size_m=1.0, min_area_m2=15.0)
    assert [f.pixels for f in found] == [100]
