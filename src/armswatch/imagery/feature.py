"""Illumination-robust per-image features used by the change methods.

All functions take a float32 array shaped ``(bands, rows, cols)`` holding at least the visible bands in
the order red, green, blue (see :mod:`armswatch.imagery.band`) and return float32 ``(rows, cols)`` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

Array = npt.NDArray[np.float32]

# Offset (in the image's own units) that keeps saturation stable in very dark pixels and shadows.
_DARK_OFFSET_FRACTION = 0.12
PRESMOOTH_PX = 2.0


def brightness(rgb: Array) -> Array:
    """Per-pixel maximum over the visible bands (the brightness used by the morphological building index)."""
    return np.asarray(rgb.max(axis=0), dtype=np.float32)


def neutrality(rgb: Array, dark_offset: float) -> Array:
    """Negative HSV-like saturation: close to 0 for grey/white roofs, concrete and asphalt, low for vegetation
    and bare soil. ``dark_offset`` damps the saturation of very dark pixels, where it is noise."""
    hi = rgb.max(axis=0)
    lo = rgb.min(axis=0)
    return np.asarray(-(hi - lo) / (hi + np.float32(dark_offset)), dtype=np.float32)


def odd_sizes(metres: tuple[float, ...], pixel_size: float) -> tuple[int, ...]:
    """Structuring-element sizes in pixels (odd, >= 3) for object sizes given in metres."""
    out = []
    for m in metres:
        px = max(3, round(m / pixel_size))
        out.append(px if px % 2 else px + 1)
    return tuple(sorted(set(out)))


def building_index(light: Array, sizes: tuple[int, ...]) -> Array:
    """Multiscale white top-hat of brightness (a fast form of Huang & Zhang's morphological building index):
    bright compact structures smaller than the structuring elements stand out against their surroundings."""
    acc = np.zeros_like(light)
    for s in sizes:
        acc += light - ndi.grey_opening(light, size=(s, s))
    acc /= np.float32(len(sizes))
    return acc


@dataclass(frozen=True)
class FeatureStats:
    """Mean and standard deviation of each feature over one image, used to standardise it."""

    mean: tuple[float, float]
    std: tuple[float, float]


def raw_features(image: Array, sizes: tuple[int, ...], scale: float) -> tuple[Array, Array]:
    """(neutrality, building index) for one image. ``scale`` is the image's typical brightness (e.g. the
    98th percentile of the visible bands), so the features do not depend on the data type or gain."""
    rgb = image[:3] if image.shape[0] >= 3 else np.repeat(image[:1], 3, axis=0)
    # a light low-pass equalises sensor noise and resampling blur between dates (one date may have been
    # shifted by co-registration or warped onto the site grid, the other not)
    rgb = np.asarray(ndi.gaussian_filter(rgb, (0, PRESMOOTH_PX, PRESMOOTH_PX)), dtype=np.float32)
    light = brightness(rgb) / np.float32(scale)
    neutral = (
        neutrality(rgb, _DARK_OFFSET_FRACTION * scale)
        if image.shape[0] >= 3
        else np.zeros_like(light, dtype=np.float32)
    )
    return neutral, building_index(light, sizes)


def stats_of(neutral: Array, bindex: Array, valid: npt.NDArray[np.bool_] | None = None) -> FeatureStats:
    """Feature statistics over the valid pixels."""
    sel = (slice(None),) if valid is None else (valid,)
    n = neutral[sel]
    b = bindex[sel]
    if n.size == 0:
        return FeatureStats((0.0, 0.0), (1.0, 1.0))
    return FeatureStats(
        (float(n.mean()), float(b.mean())),
        (max(float(n.std()), 1e-6), max(float(b.std()), 1e-6)),
    )


def builtup_index(neutral: Array, bindex: Array, stats: FeatureStats, smooth_px: float) -> Array:
    """Standardised built-up index: mean of the z-scored neutrality and building index, smoothed.

    Standardising each image by its own statistics is the radiometric normalisation between dates: a
    global gain, offset or colour cast changes both features' mean and spread, not their z-scores."""
    zn = (neutral - np.float32(stats.mean[0])) / np.float32(stats.std[0])
    zb = (bindex - np.float32(stats.mean[1])) / np.float32(stats.std[1])
    bu = (zn + zb) / np.float32(np.sqrt(2.0))
    return np.asarray(ndi.gaussian_filter(bu, smooth_px), dtype=np.float32)
