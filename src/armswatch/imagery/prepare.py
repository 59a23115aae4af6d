"""Scene preparation on arrays: co-registration, radiometric normalisation.

* Co-registration: sub-pixel translation between a scene and the site's reference scene by phase
  correlation of gradient magnitudes (robust to brightness and season), applied with spline resampling.
* Cloud masking is in :mod:`armswatch.imagery.quality`.
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

MIN_REGISTRATION_SHARE = 0.3
"""Scenes with fewer usable pixels than this are not co-registered (too little to match on)."""
MAX_SHIFT_PX = 5.0


@dataclass(frozen=True)
class Registration:
    """Shift (rows, cols) in pixels that aligns a scene to the reference, and the fit error."""

    shift: tuple[float, float]
    error: float
    applied: bool
    note: str = ""


def _gradient(image: Array) -> Array:
    """Gradient magnitude of the mean band; unusable (NaN) pixels are filled with the median and the
    edges they would create are zeroed, so cloud outlines do not drive the match."""
    light = image.mean(axis=0)
    ok = np.isfinite(light)
    light = np.where(ok, light, np.float32(np.median(light[ok]) if ok.any() else 0.0))
    gy = ndi.sobel(light, axis=0)
    gx = ndi.sobel(light, axis=1)
    grad = np.hypot(gx, gy)
    if not ok.all():
        grad[~ndi.binary_erosion(ok, iterations=2)] = 0.0
    return np.asarray(grad, dtype=np.float32)


def coregister(reference: Array, image: Array, max_shift: float = MAX_SHIFT_PX) -> tuple[Array, Registration]:
    """Align ``image`` (bands, rows, cols) to ``reference`` by a sub-pixel translation.

    Shifts larger than ``max_shift`` pixels are not applied (they signal a wrong match or a scene that
    is not of the same place) and are reported with ``applied=False``."""
    if reference.shape[1:] != image.shape[1:]:
        raise InputError(f"scene {image.shape[1:]} and reference {reference.shape[1:]} differ in size")
    shares = [float(np.isfinite(x).all(axis=0).mean()) for x in (reference, image)]
    if min(shares) < MIN_REGISTRATION_SHARE:
        note = f"not co-registered: {min(shares):.0%} usable pixels (needs {MIN_REGISTRATION_SHARE:.0%})"
        return image, Registration((0.0, 0.0), float("nan"), False, note)
    shift, error, _ = phase_cross_correlation(  # type: ignore[no-untyped-call]
        _gradient(reference), _gradient(image), upsample_factor=20
    )
    dy, dx = float(shift[0]), float(shift[1])
    if max(abs(dy), abs(dx)) > max_shift:
        return image, Registration((dy, dx), float(error), False)
    moved = np.stack([ndi.shift(b, (dy, dx), order=1, mode="nearest") for b in image]).astype(np.float32)
    return moved, Registration((dy, dx), float(error), True)


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
