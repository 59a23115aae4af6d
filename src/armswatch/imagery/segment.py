"""What an analyst's point refers to: the image segment under it (pure core: arrays in, arrays out).

A point says "this is change" or "this is not change" about the thing it is on, a roof, a yard, a shadow,
not about one pixel. The thing is taken to be the segment of the AFTER image that contains the point
(Felzenszwalb & Huttenlocher's graph segmentation, scikit-image, on the brightness-normalised colours of a
window around the point). A segment larger than ``MAX_REGION_M2`` is not an object and the point's region
falls back to a disk of ``FALLBACK_RADIUS_M``. Regions are small patches placed on the image grid, so
they cost nothing to carry to the tiles of a large scene.

A change point also gets a *reach*: a disk of ``REACH_M`` around it in which the learned refinement may
decide (add change) although the default method saw nothing there. A segment is often only part of the
changed thing (a field turned into a building site is many segments); the reach lets the classifier
trained on the hints extend the change around the point, as far as its features agree. The reach is not a
label: nothing in it is change unless the classifier says so, and it covers only pixels whose colour
changed at all (``REACH_MIN_CHANGE``), so it never spreads onto unchanged ground next to the change.
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
REACH_M = 16.0
"""Radius of a change point's reach. Chosen leave-one-set-out, see docs/benchmarks/imagery.md."""
REACH_MIN_CHANGE = 0.06
"""Inside the reach, only pixels whose colour (R, G, B over the image's typical brightness, smoothed at
``CHANGE_SMOOTH_M``) moved by more than this between the dates are candidates."""
CHANGE_SMOOTH_M = 1.0


@dataclass(frozen=True)
class HintRegion:
    """The pixels a hint refers to: ``mask`` placed with its top-left corner at (``row``, ``col``).
    With ``reach``, the patch is a change point's reach (where the classifier may decide), not a label;
    with ``point``, it is the one pixel a no-change point was placed on (it keeps the completion of large
    change areas out of any area around it, see :func:`armswatch.imagery.learn.complete_areas`)."""

    row: int
    col: int
    mask: Mask = field(repr=False)
    change: bool
    reach: bool = False
    point: bool = False

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


def reach_regions(
    hints: tuple[Hint, ...], pixel_size: float, shape: tuple[int, int], radius_m: float | None = None
) -> tuple[HintRegion, ...]:
    """The reach of each change hint: a disk of ``radius_m`` (default ``REACH_M``) around it, clipped to
    an image of ``shape``."""
    rad = (REACH_M if radius_m is None else radius_m) / pixel_size
    if rad < 0.5:
        return ()
    k = int(np.ceil(rad))
    yy, xx = np.ogrid[-k : k + 1, -k : k + 1]
    disk_mask = yy * yy + xx * xx <= rad * rad
    out = []
    for h in hints:
        if not h.change:
            continue
        r, c = int(h.row), int(h.col)
        r0, c0 = max(0, r - k), max(0, c - k)
        r1, c1 = min(shape[0], r + k + 1), min(shape[1], c + k + 1)
        patch = disk_mask[r0 - (r - k) : r1 - (r - k), c0 - (c - k) : c1 - (c - k)]
        out.append(HintRegion(r0, c0, np.ascontiguousarray(patch), True, reach=True))
    return tuple(out)


def point_regions(hints: tuple[Hint, ...]) -> tuple[HintRegion, ...]:
    """The pixel of each no-change hint, as a one-pixel patch."""
    one = np.ones((1, 1), dtype=bool)
    return tuple(HintRegion(int(h.row), int(h.col), one, False, point=True) for h in hints if not h.change)


def paint_points(
    regions: tuple[HintRegion, ...], shape: tuple[int, int], origin: tuple[int, int] = (0, 0)
) -> Mask:
    """The pixels of the no-change points among ``regions`` on a window of ``shape`` at ``origin``."""
    out = np.zeros(shape, dtype=bool)
    for reg in regions:
        if reg.point:
            _place(out, reg, origin)
    return out


def paint_reach(
    regions: tuple[HintRegion, ...], shape: tuple[int, int], origin: tuple[int, int] = (0, 0)
) -> Mask:
    """The union of the reach patches among ``regions`` on a window of ``shape`` at ``origin``."""
    out = np.zeros(shape, dtype=bool)
    for reg in regions:
        if reg.reach:
            _place(out, reg, origin)
    return out


def colour_change(before: Array, after: Array, scales: tuple[float, float], pixel_size: float) -> Array:
    """Per pixel, the length of the change of brightness-normalised colour (R, G, B smoothed at
    ``CHANGE_SMOOTH_M``) from ``before`` to ``after``."""
    from scipy import ndimage as ndi

    sg = max(CHANGE_SMOOTH_M / pixel_size, 0.5)
    rgb = [ndi.gaussian_filter((img[:3] if img.shape[0] >= 3 else np.repeat(img[:1], 3, axis=0))
                               / np.float32(max(s, 1e-12)), (0, sg, sg))
           for img, s in zip((before, after), scales, strict=True)]  # fmt: skip
    return np.asarray(np.sqrt(((rgb[1] - rgb[0]) ** 2).sum(axis=0)), dtype=np.float32)


def reach_candidates(
    reach: Mask, before: Array, after: Array, scales: tuple[float, float], pixel_size: float
) -> Mask:
    """The pixels of ``reach`` whose colour changed by more than ``REACH_MIN_CHANGE`` (computed only in
    the reach's bounding box, with a margin for the smoothing)."""
    if not reach.any():
        return reach
    rows, cols = np.nonzero(reach)
    pad = int(np.ceil(4 * max(CHANGE_SMOOTH_M / pixel_size, 0.5))) + 1
    r0, c0 = max(0, int(rows.min()) - pad), max(0, int(cols.min()) - pad)
    r1, c1 = int(rows.max()) + pad + 1, int(cols.max()) + pad + 1
    win = (slice(r0, r1), slice(c0, c1))
    out = np.zeros_like(reach)
    moved = colour_change(before[(slice(None), *win)], after[(slice(None), *win)], scales, pixel_size)
    out[win] = reach[win] & (moved > REACH_MIN_CHANGE)
    return out


def _place(out: Mask, reg: HintRegion, origin: tuple[int, int]) -> None:
    r0, c0 = reg.row - origin[0], reg.col - origin[1]
    h, w = reg.mask.shape
    rs, cs = max(0, r0), max(0, c0)
    re, ce = min(out.shape[0], r0 + h), min(out.shape[1], c0 + w)
    if rs < re and cs < ce:
        out[rs:re, cs:ce] |= reg.mask[rs - r0 : re - r0, cs - c0 : ce - c0]


def paint(
    regions: tuple[HintRegion, ...], shape: tuple[int, int], origin: tuple[int, int] = (0, 0)
) -> tuple[Mask, Mask]:
    """(change, no change) masks of the regions on a window of ``shape`` at ``origin`` of the full grid;
    where regions of both labels overlap, neither holds. Reach and point patches are not labels and are
    skipped."""
    out = (np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool))
    for reg in regions:
        if not (reg.reach or reg.point):
            _place(out[0 if reg.change else 1], reg, origin)
    both = out[0] & out[1]
    return out[0] & ~both, out[1] & ~both
