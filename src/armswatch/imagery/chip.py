"""Evidence chips: before/after RGB PNGs with the change outlined (pure: arrays in, PNG bytes out)."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image
from scipy import ndimage as ndi

from armswatch.imagery.feature import Array

OUTLINE_RGB = (255, 40, 40)
MIN_CHIP_PX = 256


def stretch(rgb: Array) -> npt.NDArray[np.uint8]:
    """Joint 2–98 % percentile stretch of (3, rows, cols) to uint8 (rows, cols, 3); NaN shows black."""
    finite = np.isfinite(rgb).all(axis=0)
    out = np.zeros((*rgb.shape[1:], 3), dtype=np.uint8)
    if not finite.any():
        return out
    vals = rgb[:, finite]
    lo = float(np.percentile(vals, 2))  # one stretch for all bands keeps the colours
    hi = float(np.percentile(vals, 98))
    scaled = np.clip((rgb - lo) / max(hi - lo, 1e-6), 0, 1)
    img = (np.nan_to_num(scaled) * 255).astype(np.uint8).transpose(1, 2, 0)
    img[~finite] = 0
    return np.asarray(img, dtype=np.uint8)


def outline(mask: npt.NDArray[np.bool_], width: int = 1) -> npt.NDArray[np.bool_]:
    """Boundary pixels of the mask's regions."""
    return np.asarray(mask & ~ndi.binary_erosion(mask, iterations=width))


def chip_png(rgb: Array, mask: npt.NDArray[np.bool_] | None = None) -> bytes:
    """PNG of a stretched RGB image, enlarged (nearest) to at least 256 px, with the mask outlined."""
    img = stretch(rgb)
    factor = max(1, int(np.ceil(MIN_CHIP_PX / max(1, min(img.shape[:2])))))
    if factor > 1:
        img = np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)
    if mask is not None and mask.any():
        big = np.repeat(np.repeat(mask, factor, axis=0), factor, axis=1) if factor > 1 else mask
        img[outline(big, width=max(1, factor // 2 + 1))] = OUTLINE_RGB
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", optimize=True)
    return buf.getvalue()
