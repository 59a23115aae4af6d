from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

from armswatch.imagery import prepare
from armswatch.imagery.simulate import landscape

from .scenes import terrain


@settings(max_examples=10, deadline=None)
@given(dy=st.floats(-2.5, 2.5), dx=st.floats(-2.5, 2.5))
def test_coregistration_recovers_subpixel_shift(dy: float, dx: float) -> None:
    ref = terrain(128, seed=7)
    moved = np.stack([ndi.shift(b, (dy, dx), order=3, mode="nearest") for b in ref]).astype(np.float32)
    aligned, reg = prepare.coregister(ref, moved)
    assert reg.applied
    assert reg.shift[0] == pytest.approx(-dy, abs=0.2) and reg.shift[1] == pytest.approx(-dx, abs=0.2)
    inner = (slice(None), slice(8, -8), slice(8, -8))
    if max(abs(dy), abs(dx)) >= 0.25:  # below, bilinear resampling blurs about as much as the shift errs
        assert np.abs(aligned - ref)[inner].mean() <= np.abs(moved - ref)[inner].mean() + 1e-3


def test_coregistration_refuses_large_shift() -> None:
    ref = terrain(128, seed=1)
    far = np.roll(ref, (20, 0), axis=(1, 2))
    out, reg = prepare.coregister(ref, far)
    assert not reg.applied and out is far


def test_coregistration_skips_a_mostly_unusable_scene() -> None:
    ref = terrain(128, seed=3)
    cloudy = ref.copy()
    cloudy[:, :100, :] = np.nan
    out, reg = prepare.coregister(ref, cloudy)
    assert not reg.applied and "usable" in reg.note and out is cloudy


def test_normalisation_undoes_gain_and_offset_despite_change() -> None:
    ref = landscape(120, seed=5)[:3] * 10000
    img = ref * np.array([1.3, 0.8, 1.1], dtype=np.float32)[:, None, None] + 250
    img[:, :30, :30] = 9000  # a real change must not bias the fit
    out, coefs = prepare.normalise(ref, img)
    assert np.abs(out - ref)[:, 40:, 40:].mean() < 0.02 * ref.mean()
    assert coefs[0][0] == pytest.approx(1 / 1.3, rel=0.05)


def test_reflectance_scale() -> None:
    assert prepare.reflectance_scale("uint16", np.ones((2, 2), np.float32)) == 10000.0
    assert prepare.reflectance_scale("float32", np.full((2, 2), 0.2, np.float32)) == 1.0
