"""What an analyst's point refers to: the image segment under it (pure core: arrays in, arrays out).

A point says "this is change" or "this is not change" about the thing it is on, a roof, a yard, a shadow,
not about one pixel. The thing is taken to be the segment of the AFTER image that contains the point
(Felzenszwalb & Huttenlocher's graph segmentation, scikit-image, on the brightness-normalised colours of a
window around the point). A segment larger than ``MAX_REGION_M2`` is not an object and the point's region
falls back to a disk of ``FALLBACK_RADIUS_M``. Regions are small patches placed on the image grid, so
they cost nothing to carry to the tiles of a large scene.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from armswatch.imagery.feature import Array
from armswatch.imagery.hints import Hint

Mask = npt.NDArray[np.bool_]

SEGMENT_SCALE = 150.0
"""Felzenszwalb's scale: larger gives larger segments. Chosen leave-one-set-out, see docs/benchmarks/imagery.md."""
MIN_SEGMENT_M2 = 20.0
MAX_REGION_M2 = 5000.0
FALLBACK_RADIUS_M = 1.5
WINDOW_M = 64.0
"""Half-width of the window segmented around a point (at least ``MIN_WINDOW_PX`` pixels)."""
MIN_WINDOW_PX = 32


@dataclass(frozen=True)
class HintRegion:
    """The pixels a hint refers to: ``mask`` placed with its top-left corner at (``row``, ``col``)."""

    row: int
    col: int
    mask: Mask = field(repr=False)
    change: bool

    @property
    def pixels(self) -> int:
        return int(np.count_nonzero(self.mask))


def window_half(pixel_size: float) -> int:
    return max(MIN_WINDOW_PX, round(WINDOW_M / pixel_size))


def segments(
    after: Array, scale_after: float, pixel_size: float, scale: float = SEGMENT_SCALE
) -> npt.NDArray[np.int64]:
    """Felzenszwalb segments of the after image's visible bands (normalised by its typical brightness)."""
    from skimage.segmentation import felzenszwalb

    rgb = after[:3] if after.shape[0] >= 3 else np.repeat(after[:1], 3, axis=0)
    img = np.moveaxis(np.asarray(rgb, dtype=np.float64) / max(scale_after, 1e-12), 0, -1)
    min_size = max(2, round(MIN_SEGMENT_M2 / pixel_size**2))
    return np.asarray(felzenszwalb(img, scale=scale, sigma=0.8, min_size=min_size, channel_axis=-1))


def region_of(seg: npt.NDArray[np.int64], row: int, col: int, pixel_size: float) -> Mask:
    """The segment containing (row, col), or a small disk when that segment is too large to be an object."""
    mine = seg == seg[row, col]
    if np.count_nonzero(mine) * pixel_size**2 <= MAX_REGION_M2:
        return np.asarray(mine)
    rad = max(FALLBACK_RADIUS_M / pixel_size, 0.5)
    yy, xx = np.ogrid[: seg.shape[0], : seg.shape[1]]
    return np.asarray((yy - row) ** 2 + (xx - col) ** 2 <= rad * rad)


def hint_regions(
    after: Array, scale_after: float, hints: tuple[Hint, ...], pixel_size: float, *, origin: tuple[int, int] = (0, 0),
    scale: float = SEGMENT_SCALE,
) -> tuple[HintRegion, ...]:  # fmt: skip
    """Regions of hints lying on ``after`` (an image window whose top-left pixel is ``origin`` on the full
    grid; hint coordinates are on the full grid, regions are returned on it too)."""
    if not hints:
        return ()
    seg = segments(after, scale_after, pixel_size, scale)
    out = []
    for h in hints:
        r, c = int(h.row) - origin[0], int(h.col) - origin[1]
        if not (0 <= r < seg.shape[0] and 0 <= c < seg.shape[1]):
            continue
        reg = region_of(seg, r, c, pixel_size)
        rows, cols = np.nonzero(reg)
        r0, c0 = int(rows.min()), int(cols.min())
        patch = reg[r0 : int(rows.max()) + 1, c0 : int(cols.max()) + 1]
        out.append(HintRegion(r0 + origin[0], c0 + origin[1], np.ascontiguousarray(patch), h.change))
    return tuple(out)


def paint(
    regions: tuple[HintRegion, ...], shape: tuple[int, int], origin: tuple[int, int] = (0, 0)
) -> tuple[Mask, Mask]:
    """(change, no change) masks of the regions on a window of ``shape`` at ``origin`` of the full grid;
    where regions of both labels overlap, neither holds."""
    out = (np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool))
    for reg in regions:
        r0, c0 = reg.row - origin[0], reg.col - origin[1]
        h, w = reg.mask.shape
        rs, cs = max(0, r0), max(0, c0)
        re, ce = min(shape[0], r0 + h), min(shape[1], c0 + w)
        if rs >= re or cs >= ce:
            continue
        out[0 if reg.change else 1][rs:re, cs:ce] |= reg.mask[rs - r0 : re - r0, cs - c0 : ce - c0]
    both = out[0] & out[1]
    return out[0] & ~both, out[1] & ~both
