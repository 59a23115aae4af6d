"""Coupled trains: a faint box in line with a found wagon, at a coupling gap, is a wagon too.

Rail wagons stand coupled in trains: end to end on one track, the same orientation, one to two metres
of buffers and couplers between the bodies. A wagon whose paint differs from the paving only a little
(a blue-grey or dark grey wagon on dark asphalt, a beige one on concrete) fails the detector's fill test,
while its neighbours in the train pass. Nothing else on real ground makes such a pattern: a roof, a field
strip or a road segment of a wagon's size rarely lies end to end with another such box at a one-metre gap.

:func:`grow_chains` therefore accepts a box from the detector's *relaxed* score map (foreground when the
brightness **or the hue** residual exceeds ``contrast`` spreads, fill at least 0.75, the same edge test)
only when its centre lies on the long axis of an accepted box (the line joining the centres within half
an orientation step of both axes) at one length plus a coupling gap of at most ``MAX_GAP_M``, and it
does not overlap accepted boxes by more than ``max_overlap`` nor lie beside one closer than the track
spacing (``min_spacing``, else 7/6 of a width): the shadow of the next wagon in a train lies almost in
line with its neighbour, and beside the wagon casting it. Each accepted box can extend the chain in turn,
so a train of several faint wagons behind one found wagon is followed.

Pure: arrays and detections in, detections out. Loops run over candidates and detections, never pixels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from armswatch.imagery.feature import Array

if TYPE_CHECKING:
    from armswatch.imagery.count_detect import Detection, DetectParams

BoolArray = npt.NDArray[np.bool_]

MAX_GAP_M = 3.0
"""Largest gap between the bodies of coupled wagons (buffers and couplers are about 1-2 m)."""


def _diff(a: Any, b: Any) -> Any:
    """Absolute difference of axis directions in degrees (0-90: an axis has no sense)."""
    return np.abs((a - b + 90.0) % 180.0 - 90.0)


def in_line(
    dets: list[Detection],
    x: float,
    y: float,
    angle: float,
    lp: float,
    max_gap_px: float,
    step_deg: float,
) -> list[int]:
    """Indices of the ``dets`` whose next wagon along the train a box at (``x``, ``y``, ``angle``) can be.

    Its centre is one length plus at most ``max_gap_px`` from a detection's, and the line joining the two
    centres runs along both boxes' axes. Detected angles are quantised to ``step_deg``, so the axes are
    trusted to half a step (plus 2°): a wagon on the next track, 4.5 m across at one length along, is
    15° off the line and does not count."""
    if not dets:
        return []
    dx = x - np.array([d.x for d in dets])
    dy = y - np.array([d.y for d in dets])
    ang = np.array([d.angle for d in dets])
    dist = np.hypot(dx, dy)
    line = np.degrees(np.arctan2(-dy, dx))  # counter-clockwise from the x axis, rows grow downwards
    tol = step_deg / 2 + 2.0
    ok = (
        (dist >= 0.9 * lp)
        & (dist <= lp + max_gap_px)
        & (_diff(line, ang) <= tol)
        & (_diff(line, angle) <= tol)
        & (_diff(ang, angle) <= step_deg + 1e-6)
    )
    return [int(i) for i in np.nonzero(ok)[0]]


def coupled(distance: Array, a: Detection, x: float, y: float, lp: float, wp: float, share: float) -> bool:
    """Does the ground show between box ``a`` and a box centred at (``x``, ``y``) in line with it? The
    colour distance, averaged across the middle half of the width, is sampled every half pixel along the
    line joining the centres; its lowest value between the two boxes' ends (± 2 px: wagons are 14-16 m
    long, the box one length) must be under half the lower of the two boxes' own mean. Coupled wagons
    leave the buffers' gap; a road, a field strip or a long roof cut into wagon lengths does not."""
    from scipy import ndimage as ndi

    vx, vy = x - a.x, y - a.y
    dist = math.hypot(vx, vy)
    ux, uy = vx / dist, vy / dist
    s = np.arange(0.0, dist + 0.25, 0.5)
    across = np.array([-wp / 4, 0.0, wp / 4])
    cols = a.x - 0.5 + s[None, :] * ux - across[:, None] * uy
    rows = a.y - 0.5 + s[None, :] * uy + across[:, None] * ux
    prof = ndi.map_coordinates(distance, [rows.ravel(), cols.ravel()], order=1, mode="nearest")
    prof = prof.reshape(len(across), len(s)).mean(axis=0)
    in_a, in_b = s <= lp / 2 - 2, s >= dist - lp / 2 + 2
    between = (s >= lp / 2 - 2) & (s <= dist - lp / 2 + 2)
    if not (in_a.any() and in_b.any() and between.any()):
        return False
    return float(prof[between].min()) < share * min(float(prof[in_a].mean()), float(prof[in_b].mean()))


def beside(
    dets: list[Detection], x: float, y: float, angle: float, lp: float, sep_px: float, step_deg: float
) -> bool:
    """Does a box at (``x``, ``y``, ``angle``) lie beside one of ``dets``, parallel, its centre line closer
    than ``sep_px`` and overlapping it along 40 % of a length or more? Wagons on parallel tracks stand at
    least a track spacing apart, so such a box is a found wagon's shadow (or the wagon found twice)."""
    if not dets:
        return False
    dx = x - np.array([d.x for d in dets])
    dy = y - np.array([d.y for d in dets])
    t = np.radians([d.angle for d in dets])
    along = np.abs(dx * np.cos(t) - dy * np.sin(t))
    across = np.abs(dx * np.sin(t) + dy * np.cos(t))
    ang = np.array([d.angle for d in dets])
    return bool(((_diff(ang, angle) <= step_deg + 1e-6) & (across < sep_px) & (along < 0.6 * lp)).any())


def grow_chains(
    dets: list[Detection],
    relaxed: Array,
    relaxed_k: npt.NDArray[np.int16],
    fill_edge: tuple[Array, Array],
    distance: Array,
    angles: npt.NDArray[np.floating[Any]],
    lp: float,
    wp: float,
    region: BoolArray,
    p: DetectParams,
    pixel_size_m: float,
    rounds: int = 6,
) -> list[Detection]:
    """``dets`` plus the relaxed boxes in line with them at a coupling gap (see the module docstring),
    best first within each round; accepted boxes are numbered after the detector's own."""

    from armswatch.imagery.count_detect import Detection, box_offsets, local_peaks

    rows, cols = local_peaks(relaxed, region, wp)
    if not len(rows):
        return dets
    cands = list(zip(rows.tolist(), cols.tolist(), strict=True))
    offsets = box_offsets(angles, lp, wp)
    h, w = relaxed.shape
    taken = np.zeros((h, w), dtype=bool)

    def cover(r: int, c: int, k: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], int]:
        dy, dx = offsets[k]
        yy, xx = dy + r, dx + c
        inb = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        return yy[inb], xx[inb], len(dy)

    step = float(angles[1] - angles[0]) if len(angles) > 1 else 180.0
    for d in dets:
        k = int(np.argmin(np.abs((angles - d.angle + 90.0) % 180.0 - 90.0)))
        yy, xx, _ = cover(int(d.y), int(d.x), k)
        taken[yy, xx] = True
    out = list(dets)
    gap = MAX_GAP_M / pixel_size_m
    sep = p.min_spacing / pixel_size_m if p.min_spacing > 0 else 7 / 6 * wp  # the track spacing
    for _ in range(rounds):
        added = False
        rest = []
        for r, c in cands:
            k = int(relaxed_k[r, c])
            angle = float(angles[k // 2])
            nbrs = in_line(out, c + 0.5, r + 0.5, angle, lp, gap, step)
            if not nbrs:
                rest.append((r, c))
                continue
            if p.chain_gap > 0 and not any(
                coupled(distance, out[i], c + 0.5, r + 0.5, lp, wp, p.chain_gap) for i in nbrs
            ):
                continue  # in line but joined to it: part of something longer
            yy, xx, n = cover(r, c, k // 2)
            if taken[yy, xx].sum() > p.max_overlap * n or beside(out, c + 0.5, r + 0.5, angle, lp, sep, step):
                continue  # never again: the taken area only grows
            taken[yy, xx] = True
            out.append(
                Detection(
                    c + 0.5,
                    r + 0.5,
                    angle,
                    float(relaxed[r, c]),
                    float(fill_edge[0][r, c]),
                    float(fill_edge[1][r, c]),
                    ("bright", "dark")[k % 2],
                )
            )
            added = True
        cands = rest
        if not added:
            break
    return out
