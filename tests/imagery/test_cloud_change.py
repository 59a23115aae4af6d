"""`imagery change` leaves clouds out and reports the usable share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from armswatch.cli.imagery import app
from armswatch.imagery import labelset
from armswatch.imagery.tiling import run_change

from .scenes import add_building, terrain, write_png


def cloudy_pair(tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    before = terrain(480, seed=9)
    after = add_building(before, 380, 380, 30, 40)  # a new building outside the cloud
    after[:, :240, :260] = np.array([238, 240, 246], dtype=np.float32)[:, None, None]  # 1.6 ha of cloud
    truth = np.zeros((480, 480), dtype=bool)
    truth[380:410, 380:420] = True
    return write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after), truth


def test_clouds_are_left_out_and_the_usable_share_reported(tmp_path: Path) -> None:
    a, b, truth = cloudy_pair(tmp_path)
    masked = run_change(str(a), str(b), str(tmp_path / "m.png"))
    mask = labelset.read_mask(tmp_path / "m.png")
    assert (
        masked.usable_fraction is not None and 0.3 < masked.usable_fraction < 0.6
    )  # the cloud plus its 60 m margin
    assert masked.cloud_mask is not None and "classical" in masked.cloud_mask
    assert not mask[:240, :260].any()
    assert mask[truth].mean() > 0.5
    raw = run_change(str(a), str(b), str(tmp_path / "r.png"), cloud_mask=False)
    assert raw.usable_fraction is None
    assert labelset.read_mask(tmp_path / "r.png")[:240, :260].mean() > 0.05  # the cloud looked like change
    res = CliRunner().invoke(app, ["change", str(a), str(b), "-o", str(tmp_path / "c.png")])
    assert res.exit_code == 0 and "usable on both dates" in res.output


def test_offset_16bit_values_are_not_taken_for_a_cloud(tmp_path: Path) -> None:
    """Landsat C2 L2-like DN (reflectance = 0.0000275 DN - 0.2): every value is 'bright' as reflectance x 10^4."""
    import rasterio

    before = terrain(200, seed=3)
    after = add_building(before, 60, 60, 30, 40)
    paths = []
    for name, img in (("a.tif", before), ("b.tif", after)):
        dn = (img / 255.0 * 0.3 + 0.2) / 0.0000275
        with rasterio.open(tmp_path / name, "w", driver="GTiff", width=200, height=200, count=3, dtype="uint16",
                           crs="EPSG:32652", transform=rasterio.Affine(0.5, 0, 5e5, 0, -0.5, 4.3e6)) as dst:  # fmt: skip
            dst.write(dn.astype(np.uint16))
        paths.append(str(tmp_path / name))
    res = run_change(paths[0], paths[1], str(tmp_path / "m.png"))
    assert res.usable_fraction is not None and res.usable_fraction > 0.95
    assert res.cloud_mask is not None and "relative" in res.cloud_mask


def _s2_l1c(path: Path, *, overcast: bool) -> str:
    """A SIMULATED 13-band Sentinel-2 L1C float reflectance file without band names (as eo-learn exports)."""
    import rasterio

    from armswatch.imagery.band import S2_ORDER_L1C
    from armswatch.imagery.simulate import landscape

    n = 80
    clear = landscape(n, seed=5)
    typical = {"B01": 0.05, "B02": 0.04, "B03": 0.05, "B04": 0.03, "B05": 0.08, "B06": 0.30, "B07": 0.31,
               "B08": 0.30, "B8A": 0.31, "B09": 0.10, "B10": 0.002, "B11": 0.15, "B12": 0.07}  # fmt: skip
    own = {"B02": clear[2], "B03": clear[1], "B04": clear[0], "B08": clear[3]}
    data = np.stack([
        np.full((n, n), 0.45 if b != "B10" else 0.02, np.float32) if overcast
        else own.get(b, np.full((n, n), typical[b], np.float32))
        for b in S2_ORDER_L1C
    ]).astype(np.float32)  # fmt: skip
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=13, dtype="float32",
                       crs="EPSG:32633", transform=rasterio.Affine(10, 0, 465000, 0, -10, 5080000)) as dst:  # fmt: skip
        dst.write(data)
    return str(path)


def test_sentinel2_l1c_files_get_s2cloudless_even_when_overcast(tmp_path: Path) -> None:
    """A 13-band L1C file needs green (B03) besides the model's ten bands, and an all-overcast scene has no dark
    pixel: it must still go to s2cloudless, not to the relative test that reads it as clear."""
    clear_a = _s2_l1c(tmp_path / "a.tif", overcast=False)
    clear_b = _s2_l1c(tmp_path / "b.tif", overcast=False)
    overcast = _s2_l1c(tmp_path / "o.tif", overcast=True)
    res = run_change(clear_a, clear_b, str(tmp_path / "m.tif"))
    assert res.cloud_mask == "s2cloudless"
    assert res.usable_fraction is not None and res.usable_fraction > 0.95
    cloudy = run_change(overcast, clear_b, str(tmp_path / "c.tif"))
    assert cloudy.cloud_mask is not None and "relative" not in cloudy.cloud_mask
    assert cloudy.usable_fraction is not None and cloudy.usable_fraction < 0.05
    cli = CliRunner().invoke(app, ["change", overcast, clear_b, "-o", str(tmp_path / "d.tif")])
    assert cli.exit_code == 0, cli.output
    assert "s2cloudless" in cli.output
