from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

from armswatch.errors import InputError
from armswatch.imagery import baseline
from armswatch.imagery.change import BuiltupParams, detect_builtup, pixel_params

from .scenes import BOXES, construction_pair, terrain


def f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = (pred & truth).sum()
    return float(2 * tp / max(1, pred.sum() + truth.sum()))


def test_new_buildings_are_found() -> None:
    before, after, truth = construction_pair()
    res = detect_builtup(before, after)
    assert f1(res.mask, truth) > 0.6
    # every building is hit, and little outside the buildings (plus shadows) is flagged
    for r, c, h, w in BOXES:
        assert res.mask[r : r + h, c : c + w].mean() > 0.5
    near = ndi.binary_dilation(truth, iterations=8)
    assert (res.mask & ~near).sum() < 0.01 * truth.size


def test_identical_images_show_no_change() -> None:
    img = terrain()
    assert not detect_builtup(img, img.copy()).mask.any()


@settings(max_examples=15, deadline=None)
@given(
    gain=st.floats(0.75, 1.4),
    offset=st.floats(-10, 10),
    cast=st.tuples(st.floats(0.9, 1.1), st.floats(0.9, 1.1), st.floats(0.9, 1.1)),
)
def test_illumination_and_colour_cast_are_not_change(
    gain: float, offset: float, cast: tuple[float, ...]
) -> None:
    """Within gain 0.75-1.4, offset +-10 and +-10 % colour cast nothing is flagged. Beyond that (gain 0.6
    with offset -20, or gain 1.6 with +20) up to ~1.4 % of pixels can be flagged: see docs/imagery.md."""
    before = terrain(seed=3)
    after = np.clip(before * gain * np.array(cast, dtype=np.float32)[:, None, None] + offset, 0, 255)
    assert detect_builtup(before, after.astype(np.float32)).mask.mean() < 0.002


@pytest.mark.parametrize("shift", [(1, 0), (0, 2), (1, 1)])
def test_small_misregistration_is_not_change(shift: tuple[int, int]) -> None:
    before = terrain(seed=5)
    after = np.roll(before, shift, axis=(1, 2))
    assert detect_builtup(before, after).mask.mean() < 0.002


def test_demolition_needs_direction_cleared() -> None:
    before, after, truth = construction_pair(seed=2)
    new_only = detect_builtup(after, before)  # buildings disappear
    both = detect_builtup(after, before, params=BuiltupParams(direction="both"))
    assert f1(both.mask, truth) > f1(new_only.mask, truth) + 0.3
    assert (both.difference[truth] < 0).mean() > 0.9


def test_score_is_probability_like_and_consistent_with_mask() -> None:
    before, after, _ = construction_pair()
    res = detect_builtup(before, after)
    assert res.score.dtype == np.float32
    assert float(res.score.min()) >= 0.0 and float(res.score.max()) <= 1.0
    assert res.score[res.mask].mean() > res.score[~res.mask].mean()


def test_shape_mismatch_and_bad_pixel_size_raise() -> None:
    a = terrain(64)
    with pytest.raises(InputError):
        detect_builtup(a, terrain(96))
    with pytest.raises(InputError):
        pixel_params(BuiltupParams(), 0.0)


def test_parameters_scale_with_pixel_size() -> None:
    fine = pixel_params(BuiltupParams(), 0.5)
    coarse = pixel_params(BuiltupParams(), 10.0)
    assert max(fine[0]) > max(coarse[0]) >= 3
    assert fine[3] > coarse[3] >= 1


def test_baselines_flag_a_large_change() -> None:
    before = terrain(seed=1)
    after = before.copy()
    after[:, 40:120, 40:120] = 230.0
    truth = np.zeros(before.shape[1:], dtype=bool)
    truth[40:120, 40:120] = True
    for fn in (baseline.cva, baseline.pca_kmeans):
        mask, score = fn(before, after)
        assert f1(mask, truth) > 0.7
        assert score.shape == truth.shape


def test_vegetation_gate_stops_seasonal_false_alarms_with_nir() -> None:
    from armswatch.imagery.simulate import landscape

    summer = landscape(160, seed=9) * 10000
    autumn = summer.copy()
    browning = np.array([1.6, 1.2, 1.1, 0.9], dtype=np.float32)[:, None, None]  # dry meadow: red up, NIR down
    autumn[:, 40:100, 40:100] *= browning
    rgb_only = detect_builtup(summer[:3], autumn[:3], pixel_size=10.0).mask.mean()
    with_nir = detect_builtup(summer, autumn, pixel_size=10.0).mask.mean()
    assert with_nir <= rgb_only
    assert with_nir < 0.002


def test_new_shadows_and_new_greenery_are_not_new_structures() -> None:
    from armswatch.imagery.change import detect_builtup

    from .scenes import add_building, terrain

    before = terrain(192, seed=5)
    after = add_building(before, 20, 20, 30, 30)
    after[:, 120:160, 20:70] *= 0.3  # a new dark shadow (e.g. of a crane or a tall neighbour)
    after[:, 120:160, 110:170] = np.array([70, 150, 60], dtype=np.float32)[:, None, None]  # new lawn
    mask = detect_builtup(before, after, pixel_size=0.5).mask
    assert mask[25:45, 25:45].mean() > 0.5
    assert mask[120:160, 20:70].mean() < 0.02 and mask[120:160, 110:170].mean() < 0.02


def test_hysteresis_drops_weak_objects_without_a_strong_seed() -> None:
    from armswatch.imagery.change import BuiltupParams, decide

    diff = np.zeros((60, 60), dtype=np.float32)
    diff[5:20, 5:20] = 0.5  # weak everywhere
    diff[30:50, 30:50] = 0.5
    diff[38:42, 38:42] = 2.0  # one strong seed
    mask = decide(diff, BuiltupParams(min_area_m2=1.0), 0.5).mask
    assert not mask[5:20, 5:20].any() and mask[32:48, 32:48].all()
