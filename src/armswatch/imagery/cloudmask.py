"""Cloud masking for file-level change detection: which quality test an image gets, applied tile by tile.

A 13-band Sentinel-2 L1C file gets s2cloudless (its ten bands are read for the same window); any other
image gets the classical test on its R, G, B (8-bit images with a fitted clear-sky line, 16-bit and float
images as reflectance). See :mod:`armswatch.imagery.quality` for both tests and their limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rasterio.windows import Window

from armswatch.imagery import quality, raster
from armswatch.imagery.feature import Array
from armswatch.imagery.quality import Mask

DARKEST_CLEAR = 0.15
"""If even the darkest 2 % of a reflectance sample is brighter than this, the values are not taken as
reflectance (or the sample is all cloud) and the relative test is used."""


@dataclass(frozen=True)
class Masker:
    """How to compute one image's usable mask (picklable: sent to the tile workers)."""

    method: str
    scale: float
    eight_bit: bool
    s2_bands: tuple[tuple[str, int], ...] = ()

    def usable(self, ds: Any, visible: Array, window: Window | None, pixel_size_m: float) -> Mask:
        """Usable pixels of a window whose R, G, B (+NIR) are ``visible`` (NaN = no data)."""
        if self.s2_bands:
            idx = [i + 1 for _, i in self.s2_bands]
            data = raster.read_bands(ds, idx, window)
            bands = {name: data[k] / np.float32(self.scale) for k, (name, _) in enumerate(self.s2_bands)}
            return np.asarray(
                quality.sentinel2(bands, pixel_size_m=pixel_size_m).usable | ~np.isfinite(visible[0])
            )
        if visible.shape[0] < 3:
            return np.ones(visible.shape[1:], dtype=bool)
        q = quality.classical(visible[0], visible[1], visible[2], pixel_size_m=pixel_size_m,
                              scale=self.scale, eight_bit=self.eight_bit)  # fmt: skip
        return np.asarray(
            q.usable | ~np.isfinite(visible[0])
        )  # no data is handled by the caller, not counted as cloud


def masker(info: raster.ImageInfo) -> Masker | None:
    """The cloud test for an image, or None for a single grey band (nothing to test)."""
    if info.count < 3 and "red" not in info.roles:
        return None
    eight_bit = info.dtype == "uint8"
    if eight_bit:
        return Masker("classical hot (8-bit, fitted clear-sky line)", 255.0, True)
    scale = 10000.0 if info.dtype.startswith(("uint16", "int16", "uint32", "int32")) else 1.0
    with raster.open_image(info.path) as ds:
        names = [(d or "").strip().upper() for d in ds.descriptions]
        w = Window(0, 0, min(512, info.width), min(512, info.height))
        red = raster.read_visible(ds, info, w)[0]
    finite = red[np.isfinite(red)]
    if scale == 1.0 and finite.size and float(np.percentile(finite, 99)) > 1.5:
        scale = 10000.0  # float data in reflectance x 10000
    # Sentinel-2 L1C first: an all-overcast scene has no dark pixel either, and s2cloudless reads it
    wanted = (*quality.S2CLOUDLESS_BANDS, "B03")  # the model's ten bands, and green for the haze test
    found = {n: i for i, n in enumerate(names) if n in wanted}
    if len(found) < len(wanted) and info.count == 13 and not any(names):
        from armswatch.imagery.band import S2_ORDER_L1C

        found = {b: S2_ORDER_L1C.index(b) for b in wanted}
    if len(found) == len(wanted) and quality.s2cloudless_available():
        return Masker("s2cloudless", scale, False, tuple((b, found[b]) for b in wanted))
    if finite.size and float(np.percentile(finite, 2)) / scale > DARKEST_CLEAR:
        # no dark pixel at all: the stored values are not plain reflectance (e.g. Landsat C2 L2 DN with an
        # offset) or the whole sample is overcast; fall back to the relative (fitted clear-sky line) test
        return Masker(
            "classical hot (relative: values are not plain reflectance)", float(np.nanmax(finite)), True
        )
    return Masker("classical hot (reflectance)", scale, False)
