from __future__ import annotations

import numpy as np
import pytest

from armswatch.imagery import quality
from armswatch.imagery.simulate import landscape

from .scenes import construction_pair, terrain


def test_scl_drops_clouds_shadows_and_nodata() -> None:
    scl = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], dtype=np.uint8)
    q = quality.scl(scl)
    assert q.usable.tolist() == [
        [False, False, True, False],
        [True, True, True, True],
        [False, False, False, True],
    ]
    assert q.nodata == pytest.approx(1 / 12) and q.shadow == pytest.approx(1 / 12)
    assert q.cloud == pytest.approx(4 / 12) and q.usable_fraction == pytest.approx(6 / 12)


def test_classical_reflectance_finds_cloud_haze_and_shadow() -> None:
    img = landscape(200, seed=2)[:3]  # reflectance, 10 m
    img[:, 20:70, 20:70] = 0.6  # thick white cloud, 25 ha
    img[:, 85:100, 30:70] = 0.01  # its shadow
    img[0, 150:200, 120:200] += 0.08  # haze: blue raised more than red
    img[1, 150:200, 120:200] += 0.09
    img[2, 150:200, 120:200] += 0.12
    q = quality.classical(img[0], img[1], img[2], pixel_size_m=10.0, scale=1.0, eight_bit=False)
    assert not q.usable[30:60, 30:60].any()
    assert not q.usable[86:99, 32:68].any()
    assert not q.usable[160:190, 130:190].any()
    assert q.usable[80:110, 120:190].all()
    assert q.cloud > 0.06 and q.shadow > 0.01 and q.haze > 0.05
    assert "cloud" in q.reason() and "usable" in q.reason()


def test_classical_clear_scene_is_fully_usable() -> None:
    img = landscape(120, seed=3)[:3]
    q = quality.classical(img[0], img[1], img[2], pixel_size_m=10.0, scale=1.0, eight_bit=False)
    assert q.usable.all() and q.usable_fraction == 1.0


def test_classical_8bit_keeps_white_roofs_but_masks_a_cloud() -> None:
    _, after, truth = construction_pair(192)  # grey roofs of ~360 m² at 0.5 m
    q = quality.classical(after[0], after[1], after[2], pixel_size_m=0.5, scale=255.0, eight_bit=True)
    assert q.usable[truth].all()  # small bright roofs are not clouds
    cloudy = terrain(480, seed=4)
    cloudy[:, 20:240, 30:250] = np.array([236, 238, 245], dtype=np.float32)[:, None, None]  # 1.2 ha white
    q = quality.classical(cloudy[0], cloudy[1], cloudy[2], pixel_size_m=0.5, scale=255.0, eight_bit=True)
    assert not q.usable[20:240, 30:250].any() and q.usable[400:, 400:].mean() > 0.98 and q.cloud > 0.2


def test_nodata_is_its_own_cause() -> None:
    img = landscape(100, seed=1)[:3]
    img[:, :50] = np.nan
    q = quality.classical(img[0], img[1], img[2], pixel_size_m=10.0, scale=1.0, eight_bit=False)
    assert q.nodata == pytest.approx(0.5) and q.cloud == 0.0 and q.usable_fraction == pytest.approx(0.5)


def test_s2cloudless_model_loads_offline_and_separates_cloud() -> None:
    assert quality.s2cloudless_available()
    clear = landscape(60, seed=5)
    s2 = {b: np.full((60, 60), v, np.float32) for b, v in zip(quality.S2CLOUDLESS_BANDS, (
        0.05, 0.04, 0.03, 0.08, 0.30, 0.31, 0.10, 0.002, 0.15, 0.07), strict=True)}  # fmt: skip
    s2.update({"B02": clear[2], "B03": clear[1], "B04": clear[0], "B08": clear[3]})
    q_clear = quality.sentinel2(s2, pixel_size_m=10.0)
    cloud = {b: np.full((60, 60), 0.45, np.float32) for b in (*quality.S2CLOUDLESS_BANDS, "B03")}
    cloud["B10"] = np.full((60, 60), 0.02, np.float32)
    q_cloud = quality.sentinel2(cloud, pixel_size_m=10.0)
    assert q_clear.method == q_cloud.method == "s2cloudless"
    assert q_clear.usable_fraction > 0.95 and q_cloud.usable_fraction < 0.05
