"""Scene preparation on arrays: co-registration, cloud/shadow masking, radiometric normalisation.

* Co-registration: sub-pixel translation between a scene and the site's reference scene by phase
  correlation of gradient magnitudes (robust to brightness and season), applied with spline resampling.
* Cloud masking: Sentinel-2 Scene Classification (SCL) when present; otherwise a documented heuristic
  for reflectance data (bright, white, blue-high pixels are cloud; dark pixels next to clouds, shadow).
* Radiometric normalisation: per-band gain/offset fitted on pseudo-invariant pixels (the pixels whose
  standardised change is smallest), in the spirit of Canty & Nielsen's IR-MAD normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage.registration import phase_cross_correlation

from armswatch.errors import InputError
from armswatch.imagery.feature import Array

Mask = npt.NDArray[np.bool_]

SCL_INVALID = {0: "no data", 1: "saturated or defective", 3: "cloud shadow", 8: "cloud medium probability",
               9: "cloud high probability", 10: "thin cirrus"}  # fmt: skip
"""Sentinel-2 L2A SCL classes treated as unusable."""

CLOUD_BLUE_REFLECTANCE = 0.20
CLOUD_WHITENESS = 0.25
SHADOW_DARKNESS = 0.04
SHADOW_SEARCH_M = 600.0
CLOUD_MARGIN_M = 60.0
MAX_SHIFT_PX = 5.0


@dataclass(frozen=True)
class Registration:
    """Shift (rows, cols) in pixels that aligns a scene to the reference, and the fit error."""

    shift: tuple[float, float]
    error: float
    applied: bool


def _gradient(image: Array) -> Array:
    light = np.nan_to_num(image.mean(axis=0))
    gy = ndi.sobel(light, axis=0)
    gx = ndi.sobel(light, axis=1)
    return np.asarray(np.hypot(gx, gy), dtype=np.float32)


def coregister(reference: Array, image: Array, max_shift: float = MAX_SHIFT_PX) -> tuple[Array, Registration]:
    """Align ``image`` (bands, rows, cols) to ``reference`` by a sub-pixel translation.

    Shifts larger than ``max_shift`` pixels are not applied (they signal a wrong match or a scene that
    is not of the same place) and are reported with ``applied=False``."""
    if reference.shape[1:] != image.shape[1:]:
        raise InputError(f"scene {image.shape[1:]} and reference {reference.shape[1:]} differ in size")
    shift, error, _ = phase_cross_correlation(  # type: ignore[no-untyped-call]
        _gradient(reference), _gradient(image), upsample_factor=20
    )
    dy, dx = float(shift[0]), float(shift[1])
    if max(abs(dy), abs(dx)) > max_shift:
        return image, Registration((dy, dx), float(error), False)
    moved = np.stack([ndi.shift(b, (dy, dx), order=1, mode="nearest") for b in image]).astype(np.float32)
    return moved, Registration((dy, dx), float(error), True)


def scl_mask(scl: npt.NDArray[np.integer]) -> Mask:
    """Usable pixels according to the Sentinel-2 SCL band."""
    return np.asarray(~np.isin(scl, list(SCL_INVALID)))


def heuristic_cloud_mask(
    blue: Array, green: Array, red: Array, pixel_size_m: float, reflectance_scale: float = 1.0
) -> Mask:
    """Usable pixels by a simple reflectance heuristic (for scenes without SCL).

    Cloud: blue reflectance > 0.20 and whiteness (max-min of the visible bands over their mean) < 0.25.
    Shadow: visible mean reflectance < 0.04 within ``SHADOW_SEARCH_M`` of a cloud. Snow, bright roofs
    and sand can be mistaken for cloud; the mask is conservative by design (false clouds are only lost
    pixels, missed clouds are false change)."""
    b = blue / np.float32(reflectance_scale)
    g = green / np.float32(reflectance_scale)
    r = red / np.float32(reflectance_scale)
    mean = (b + g + r) / 3
    white = (np.maximum(np.maximum(b, g), r) - np.minimum(np.minimum(b, g), r)) / (mean + 1e-6)
    cloud = (b > CLOUD_BLUE_REFLECTANCE) & (white < CLOUD_WHITENESS)
    if cloud.any():  # cloud edges are thin and translucent: widen the mask by ~60 m
        cloud = ndi.binary_dilation(cloud, iterations=max(2, round(CLOUD_MARGIN_M / pixel_size_m)))
    shadow = np.zeros_like(cloud)
    if cloud.any():
        near = ndi.binary_dilation(cloud, iterations=max(1, int(SHADOW_SEARCH_M / pixel_size_m)))
        shadow = near & (mean < SHADOW_DARKNESS)
    return np.asarray(~(cloud | shadow))


def reflectance_scale(dtype: str, sample: Array) -> float:
    """Divisor that turns stored values into reflectance: 10000 for Sentinel-2/Landsat integer products,
    1 for float reflectance."""
    if dtype.startswith(("uint16", "int16", "uint32", "int32")):
        return 10000.0
    finite = sample[np.isfinite(sample)]
    return 1.0 if finite.size == 0 or float(np.percentile(finite, 99)) <= 1.5 else 10000.0


def normalise(
    reference: Array, image: Array, valid: Mask | None = None, share: float = 0.3
) -> tuple[Array, list[tuple[float, float]]]:
    """Per-band linear normalisation of ``image`` to ``reference`` on pseudo-invariant pixels.

    Invariant pixels: the ``share`` of valid pixels with the smallest standardised change over all bands.
    Returns the normalised image and (gain, offset) per band."""
    ok = np.isfinite(reference).all(axis=0) & np.isfinite(image).all(axis=0)
    if valid is not None:
        ok &= valid
    if ok.sum() < 50:
        return image, [(1.0, 0.0)] * image.shape[0]
    ref = reference[:, ok]
    img = image[:, ok]
    z = (img - img.mean(axis=1, keepdims=True)) / (img.std(axis=1, keepdims=True) + 1e-6) - (
        ref - ref.mean(axis=1, keepdims=True)
    ) / (ref.std(axis=1, keepdims=True) + 1e-6)
    change = np.sqrt((z * z).sum(axis=0))
    keep = change <= np.quantile(change, share)
    out = np.empty_like(image)
    coefs = []
    for k in range(image.shape[0]):
        x, y = img[k, keep], ref[k, keep]
        gain = float(np.std(y) / max(float(np.std(x)), 1e-6))
        offset = float(np.mean(y) - gain * np.mean(x))  # orthogonal-ish (moment matching) fit
        out[k] = image[k] * np.float32(gain) + np.float32(offset)
        coefs.append((gain, offset))
    return out, coefs
