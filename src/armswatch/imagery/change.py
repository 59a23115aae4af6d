"""Change detection between two co-registered images (pure core: arrays in, arrays out).

The default method, ``builtup``, flags pixels whose *built-up index* rises between the two dates: the
mean of two per-image standardised, illumination-robust features (colour neutrality, i.e. low
saturation, and a multiscale morphological building index on brightness), smoothed at building scale.
Standardising each date by its own statistics cancels gain, offset and colour-cast differences
(radiometric normalisation); the smoothing and the building-scale top-hat make one- or two-pixel
misregistration harmless. With ``direction="both"`` a fall of the index beyond a stricter threshold is
also flagged (cleared or demolished structures). Classical baselines (``cva``, ``pca-kmeans``) are in
:mod:`armswatch.imagery.baseline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.errors import InputError
from armswatch.imagery import feature
from armswatch.imagery.feature import Array, FeatureStats

Direction = Literal["new", "cleared", "both"]
Mask = npt.NDArray[np.bool_]

DEFAULT_PIXEL_SIZE_M = 0.5
"""Pixel size assumed for images without georeferencing (very-high-resolution imagery, as LEVIR-CD)."""


@dataclass(frozen=True)
class BuiltupParams:
    """Parameters of the ``builtup`` method; sizes are in metres and converted with the pixel size.

    Defaults were chosen on a small grid over the 19 labelled pairs in ``/work/shared/data/change``
    (LEVIR-CD and DSIFN-CD crops); leave-one-set-out figures (tuned on one set, scored on the other and on
    the Landsat pair, never used for tuning) are in docs/benchmarks/imagery.md.
    """

    threshold: float = 0.3
    """Rise of the standardised built-up index (in standard deviations) that marks a change pixel."""
    seed_margin: float = 1.2
    """Hysteresis: a change object is kept only if somewhere it rises by ``threshold + seed_margin``."""
    after_min: float = 0.0
    """A new structure must be built-up after: its standardised index above the after image's mean."""
    greenness_max: float = 0.1
    """A new structure must not be green after: excess green (2G−R−B)/(R+G+B) below this (RGB vegetation)."""
    darkness_min: float = 0.2
    """A new structure must not be dark after: brightness above this share of the image's typical
    brightness (shadows of new buildings are not buildings)."""
    cleared_threshold: float = 1.2
    """Fall of the index that counts as cleared/demolished (stricter: re-vegetation also lowers it)."""
    structure_sizes_m: tuple[float, ...] = (4.5, 8.5, 12.5, 16.5)
    smooth_m: float = 2.0
    opening_m: float = 1.0
    min_area_m2: float = 60.0
    direction: Direction = "new"
    ndvi_max: float = 0.25
    """With a NIR band (4th band): a new structure must be non-vegetated after (NDVI below this), a cleared
    one non-vegetated before. Seasonal vegetation change then cannot pass as construction."""


@dataclass(frozen=True)
class ChangeResult:
    """Binary change mask, a 0..1 change score and the signed index difference (positive = more built-up)."""

    mask: Mask
    score: Array
    difference: Array = field(repr=False)


def pixel_params(params: BuiltupParams, pixel_size: float) -> tuple[tuple[int, ...], float, int, int]:
    """(structuring sizes px, smoothing sigma px, opening radius px, minimum object pixels)."""
    if not pixel_size > 0:
        raise InputError(f"pixel size must be positive, got {pixel_size}")
    sizes = feature.odd_sizes(params.structure_sizes_m, pixel_size)
    sigma = max(params.smooth_m / pixel_size, 0.7)
    radius = round(params.opening_m / pixel_size)
    if radius == 0 and pixel_size < 5.0:  # below 5 m a 1-px opening removes registration slivers at edges
        radius = 1
    min_px = max(1, round(params.min_area_m2 / pixel_size**2))
    return sizes, sigma, radius, min_px


def halo_pixels(params: BuiltupParams, pixel_size: float) -> int:
    """Overlap needed around a tile so that tiled and whole-image results agree in the tile interior."""
    sizes, sigma, radius, _ = pixel_params(params, pixel_size)
    return int(max(sizes) + 4 * sigma + 2 * radius + 2)


def image_scale(image: Array, valid: Mask | None = None) -> float:
    """Typical brightness of an image (98th percentile of the visible-band maximum)."""
    light = image[:3].max(axis=0)
    vals = light[valid] if valid is not None else light.ravel()
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return 1.0
    step = max(1, vals.size // 200_000)
    p = float(np.percentile(vals[::step], 98))
    return p if p > 0 else 1.0


def disk(radius: int) -> Mask:
    """Disk-shaped structuring element."""
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return np.asarray(xx * xx + yy * yy <= radius * radius)


def clean_mask(mask: Mask, radius: int, min_px: int) -> Mask:
    """Morphological opening, removal of objects smaller than ``min_px`` and hole filling."""
    if radius > 0:
        mask = ndi.binary_opening(mask, structure=disk(radius))
    labels, n = ndi.label(mask)
    if n:
        counts = np.bincount(labels.ravel())
        keep = counts >= min_px
        keep[0] = False
        mask = keep[labels]
    return np.asarray(ndi.binary_fill_holes(mask), dtype=bool)


@dataclass(frozen=True)
class PairStats:
    """Per-image normalisation of a pair: brightness scale and feature statistics for each date."""

    scale: tuple[float, float]
    stats: tuple[FeatureStats, FeatureStats]


def pair_stats(
    before: Array, after: Array, params: BuiltupParams, pixel_size: float, valid: Mask | None = None
) -> PairStats:
    """Normalisation statistics computed over whole images (or a representative sample of tiles), over the
    ``valid`` pixels only when given: pixels filled in for cloud or missing data would otherwise set the
    spread (a scene covering a tenth of the grid has a spread of nearly zero)."""
    sizes = pixel_params(params, pixel_size)[0]
    scales = (image_scale(before, valid), image_scale(after, valid))
    stats = tuple(
        feature.stats_of(*feature.raw_features(img, sizes, s), valid)
        for img, s in zip((before, after), scales, strict=True)
    )
    return PairStats(scales, (stats[0], stats[1]))


def builtup_indices(
    before: Array, after: Array, params: BuiltupParams, pixel_size: float, norm: PairStats
) -> tuple[Array, Array]:
    """Standardised built-up index of each date."""
    sizes, sigma, _, _ = pixel_params(params, pixel_size)
    idx = []
    for img, s, st in zip((before, after), norm.scale, norm.stats, strict=True):
        n, b = feature.raw_features(img, sizes, s)
        idx.append(feature.builtup_index(n, b, st, sigma))
    return idx[0], idx[1]


def builtup_difference(
    before: Array, after: Array, params: BuiltupParams, pixel_size: float, norm: PairStats
) -> Array:
    """Signed difference of the standardised built-up index (after minus before)."""
    ia, ib = builtup_indices(before, after, params, pixel_size, norm)
    return np.asarray(ib - ia, dtype=np.float32)


def gated_difference(
    before: Array, after: Array, params: BuiltupParams, pixel_size: float, norm: PairStats
) -> Array:
    """The index difference with every gate applied: NDVI (with NIR), and for rises the after image must
    be built-up (index above its mean), not green and not dark (RGB vegetation and shadow suppression)."""
    ia, ib = builtup_indices(before, after, params, pixel_size, norm)
    return gate(ia, ib, before, after, params, norm.scale[1])


def gate(
    ia: Array, ib: Array, before: Array, after: Array, params: BuiltupParams, scale_after: float
) -> Array:
    """The gates of :func:`gated_difference` on precomputed indices."""
    diff = vegetation_gate(np.asarray(ib - ia, dtype=np.float32), before, after, params.ndvi_max)
    rgb = after[:3] if after.shape[0] >= 3 else np.repeat(after[:1], 3, axis=0)
    r, g, b = rgb[0], rgb[1], rgb[2]
    green = (2 * g - r - b) / (r + g + b + np.float32(1e-3 * scale_after))
    light = rgb.max(axis=0) / np.float32(scale_after)
    bad = (ib <= params.after_min) | (green >= params.greenness_max) | (light <= params.darkness_min)
    return np.asarray(np.where(bad, np.minimum(diff, np.float32(0)), diff), dtype=np.float32)


def ndvi(image: Array) -> Array:
    """NDVI of a (red, green, blue, nir) image."""
    red, nir = image[0], image[3]
    return np.asarray((nir - red) / (nir + red + np.float32(1e-6)), dtype=np.float32)


def vegetation_gate(diff: Array, before: Array, after: Array, ndvi_max: float) -> Array:
    """Zero the rises where the after image is vegetated and the falls where the before image is."""
    if before.shape[0] < 4 or after.shape[0] < 4:
        return diff
    out = np.where(ndvi(after) > ndvi_max, np.minimum(diff, np.float32(0)), diff)
    out = np.where(ndvi(before) > ndvi_max, np.maximum(out, np.float32(0)), out)
    return np.asarray(out, dtype=np.float32)


def seeded(mask: Mask, seeds: Mask) -> Mask:
    """Hysteresis: the connected parts of ``mask`` that contain a seed pixel."""
    labels, n = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n == 0:
        return mask
    keep = np.zeros(n + 1, dtype=bool)
    keep[np.unique(labels[seeds & mask])] = True
    keep[0] = False
    return np.asarray(keep[labels])


def decide(diff: Array, params: BuiltupParams, pixel_size: float) -> ChangeResult:
    """Threshold the index difference and clean the mask; the score is a logistic of the margin."""
    _, _, radius, min_px = pixel_params(params, pixel_size)
    raw = np.zeros(diff.shape, dtype=bool)
    margin = np.full(diff.shape, -np.inf, dtype=np.float32)
    if params.direction in ("new", "both"):
        raw |= seeded(diff > params.threshold, diff >= params.threshold + params.seed_margin)
        margin = np.maximum(margin, diff - np.float32(params.threshold))
    if params.direction in ("cleared", "both"):
        raw |= diff < -params.cleared_threshold
        margin = np.maximum(margin, -diff - np.float32(params.cleared_threshold))
    score = np.asarray(1.0 / (1.0 + np.exp(-margin / np.float32(0.2))), dtype=np.float32)
    return ChangeResult(clean_mask(raw, radius, min_px), score, diff)


def as_float(image: npt.NDArray[np.generic], name: str) -> Array:
    """Validate a ``(bands, rows, cols)`` image and convert it to float32 (NaN for non-finite values)."""
    if image.ndim == 2:
        image = image[None]
    if image.ndim != 3 or image.shape[1] < 2 or image.shape[2] < 2:
        raise InputError(f"{name}: expected an image shaped (bands, rows, cols), got {image.shape}")
    return np.asarray(image, dtype=np.float32)


def detect_builtup(
    before: npt.NDArray[np.generic],
    after: npt.NDArray[np.generic],
    *,
    pixel_size: float = DEFAULT_PIXEL_SIZE_M,
    params: BuiltupParams | None = None,
    norm: PairStats | None = None,
    valid: Mask | None = None,
) -> ChangeResult:
    """Run the ``builtup`` method on two co-registered images of the same shape (bands red, green, blue,
    optionally nir). ``norm`` lets a tiled caller pass statistics computed over the whole scene; ``valid``
    limits the statistics to the pixels usable in both (the others filled in by the caller)."""
    params = params or BuiltupParams()
    a = as_float(before, "before")
    b = as_float(after, "after")
    if a.shape[1:] != b.shape[1:]:
        raise InputError(f"before {a.shape[1:]} and after {b.shape[1:]} images differ in size")
    a = np.nan_to_num(a, nan=0.0)
    b = np.nan_to_num(b, nan=0.0)
    norm = norm or pair_stats(a, b, params, pixel_size, None if valid is None or valid.all() else valid)
    return decide(gated_difference(a, b, params, pixel_size, norm), params, pixel_size)
