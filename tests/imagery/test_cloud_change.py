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
