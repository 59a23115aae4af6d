"""Scene context for the counter: the sun's shadow direction, and shadows that pass for objects.

An object standing on the ground casts a shadow of its own length on one side, the same side for every
object in a scene (one sun). A dark rectangle beside a wagon can therefore be the wagon's shadow rather than
a second wagon, and nothing local tells the two apart: both are dark, straight-edged, of the right size.
Two facts do:

* **Spacing.** Objects of some classes cannot stand side by side closer than a known distance: rail
  wagons stand on tracks whose centre lines are at least about 4 m apart (4.0-4.1 m on main lines in
  Europe, Russia and China, 4.5-5.3 m in yards), while a wagon body is at most about 3.4 m wide. Two
  parallel wagon-sized detections whose centre lines are closer than that, and which overlap along their
  length, are one object and its shadow (or one object found twice).
* **Sun side.** Of such a pair the shadow is the one displaced from the other *along the scene's shadow
  direction*, which is estimated from all detections at once: each object's darker long side votes for
  the shadow direction along its normal (a least-squares direction over many objects of varied
  orientation; shadows of single objects and dark paint or road lines disagree, the sum does not).

Pure: arrays and detections in, decisions out. Loops run over detections, never over pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from armswatch.imagery.feature import Array

if TYPE_CHECKING:
    from armswatch.imagery.count_detect import Detection

BoolArray = npt.NDArray[np.bool_]
Coords = npt.NDArray[np.floating[Any]]


def side_contrast(signed: Array, dets: Sequence[Detection], lp: float, wp: float) -> Array:
    """Per detection, the mean signed brightness residual in a strip just outside each long side,
    ``(n, 2)``: column 0 on the side of the normal ``(sin a, cos a)`` (column, row), column 1 opposite.
    Strips run over the middle 80 % of the length, from half a pixel to half a width outside the side."""
    from scipy import ndimage as ndi

    if not dets:
        return np.zeros((0, 2), dtype=np.float32)
    u = np.linspace(-0.4 * lp, 0.4 * lp, max(3, int(0.8 * lp)))
    v = wp / 2 + np.linspace(0.5, max(0.5, wp / 2), max(2, int(wp / 2) + 1))
    grid_u, grid_v = np.meshgrid(u, v, indexing="ij")
    uu, vv = grid_u.ravel(), grid_v.ravel()
    out = np.zeros((len(dets), 2), dtype=np.float32)
    for i, d in enumerate(dets):
        t = math.radians(d.angle)
        ax, ay = math.cos(t), -math.sin(t)  # long axis in (column, row)
        nx, ny = math.sin(t), math.cos(t)  # its normal
        for k, sgn in enumerate((1.0, -1.0)):
            cols = d.x - 0.5 + uu * ax + sgn * vv * nx
            rows = d.y - 0.5 + uu * ay + sgn * vv * ny
            vals = ndi.map_coordinates(signed, [rows, cols], order=1, mode="nearest")
            out[i, k] = float(vals.mean())
    return out


def _sample(img: Array, d: Detection, uu: Coords, vv: Coords) -> Array:
    from scipy import ndimage as ndi

    t = math.radians(d.angle)
    cols = d.x - 0.5 + uu * math.cos(t) + vv * math.sin(t)
    rows = d.y - 0.5 - uu * math.sin(t) + vv * math.cos(t)
    return np.asarray(ndi.map_coordinates(img, [rows, cols], order=1, mode="nearest"), dtype=np.float32)


def ground_tinted(
    bands: Array, back: Array, dets: Sequence[Detection], lp: float, wp: float, max_angle_deg: float
) -> BoolArray:
    """Per detection: is it dark and of its ground's colour (spectral angle between the box's mean colour
    and the local background's at most ``max_angle_deg``)? A shadow is the ground under less light, so it
    keeps the ground's colour; a painted wagon usually does not (a grey one on grey ground does too)."""
    if not dets:
        return np.zeros(0, dtype=bool)
    u = np.linspace(-0.4 * lp, 0.4 * lp, max(3, int(0.8 * lp)))
    v = np.linspace(-wp / 4, wp / 4, 3)
    uu, vv = (a.ravel() for a in np.meshgrid(u, v, indexing="ij"))
    out = np.zeros(len(dets), dtype=bool)
    for i, d in enumerate(dets):
        if d.polarity != "dark":
            continue
        box = np.array([_sample(b, d, uu, vv).mean() for b in bands])
        ground = np.array([_sample(b, d, uu, vv).mean() for b in back])
        cos = float(box @ ground) / max(float(np.linalg.norm(box) * np.linalg.norm(ground)), 1e-9)
        out[i] = math.degrees(math.acos(min(1.0, max(-1.0, cos)))) <= max_angle_deg
    return out


def close_parallel(
    dets: Sequence[Detection], lp: float, spacing_px: float, max_angle: float = 7.5
) -> BoolArray:
    """``(n, n)`` boolean: detection j is parallel to i (within ``max_angle``), its centre line closer than
    ``spacing_px`` to i's and overlapping it along i's axis by more than 40 % of a length (end-to-end neighbours do not)."""
    xs = np.array([d.x for d in dets])
    ys = np.array([d.y for d in dets])
    ang = np.array([d.angle for d in dets])
    dx, dy = xs[None, :] - xs[:, None], ys[None, :] - ys[:, None]  # from i to j
    t = np.radians(ang)[:, None]
    along = np.abs(dx * np.cos(t) - dy * np.sin(t))
    across = np.abs(dx * np.sin(t) + dy * np.cos(t))
    dang = np.abs((ang[None, :] - ang[:, None] + 90.0) % 180.0 - 90.0)
    close = (dang <= max_angle) & (across < spacing_px) & (along < 0.6 * lp)
    np.fill_diagonal(close, False)
    return np.asarray(close)


def shadow_direction(
    signed: Array,
    dets: Sequence[Detection],
    lp: float,
    wp: float,
    spacing_px: float = 0.0,
    tinted: BoolArray | None = None,
) -> tuple[float, float, float]:
    """Unit shadow direction ``(dx, dy)`` in image (column, row) and its consistency (0..1: the share of
    the voting detections' side differences that agree with it).

    Each detection's darker long side points to where its shadow falls: ``-(s₊ - s₋)·n`` summed over
    detections is the least-squares shadow direction (n spans two dimensions when orientations vary). A
    dark detection of its ground's colour (``tinted``) with a parallel neighbour closer than ``spacing_px``
    does not vote: it may itself be the neighbour's shadow, whose darker side is the object casting it."""
    if len(dets) < 2:
        return 0.0, 0.0, 0.0
    sides = side_contrast(signed, dets, lp, wp)
    diff = sides[:, 0] - sides[:, 1]
    if spacing_px > 0:
        paired = close_parallel(dets, lp, spacing_px).any(axis=1)
        dark = np.array([d.polarity == "dark" for d in dets]) if tinted is None else tinted
        diff = np.where(paired & dark, 0.0, diff)
    ang = np.radians([d.angle for d in dets])
    normals = np.stack([np.sin(ang), np.cos(ang)], axis=1)
    vec = -(diff[:, None] * normals).sum(axis=0)
    norm = float(np.hypot(vec[0], vec[1]))
    total = float(np.abs(diff).sum())
    if norm == 0 or total == 0:
        return 0.0, 0.0, 0.0
    unit = vec / norm
    agree = float((np.abs(diff) * (np.sign(-diff * (normals @ unit)) > 0)).sum()) / total
    return float(unit[0]), float(unit[1]), agree


def shadow_pairs(
    dets: Sequence[Detection],
    shadow: tuple[float, float],
    lp: float,
    spacing_px: float,
    tinted: BoolArray | None = None,
    *,
    max_angle: float = 7.5,
) -> list[int]:
    """Indices of detections that are the shadow (or a duplicate) of a parallel neighbour closer than
    ``spacing_px`` (centre line to centre line) and overlapping it along its length.

    Of each such pair a dark box goes before a bright one (a bright box is never a shadow); of two dark
    ones, the one displaced from the other along ``shadow`` (``(0, 0)``: unknown) is the shadow; otherwise
    (two bright boxes, or no sun to tell the sides) the lower-scoring one goes."""
    n = len(dets)
    if n < 2 or spacing_px <= 0:
        return []
    close = close_parallel(dets, lp, spacing_px, max_angle)
    xs = np.array([d.x for d in dets])
    ys = np.array([d.y for d in dets])
    dx, dy = xs[None, :] - xs[:, None], ys[None, :] - ys[:, None]  # from i to j
    sx, sy = shadow
    tint = [False] * n if tinted is None else [bool(t) for t in tinted]
    dropped: set[int] = set()
    order = sorted(range(n), key=lambda k: -dets[k].score)
    for i in order:  # best first: a dropped detection no longer drops others
        if i in dropped:
            continue
        for j in np.nonzero(close[i])[0].tolist():
            if j in dropped or i in dropped:
                continue
            toward = sx * dx[i, j] + sy * dy[i, j]  # > 0: j lies on i's shadow side
            sided = abs(toward) >= 0.3 * math.hypot(dx[i, j], dy[i, j])
            if dets[i].polarity != dets[j].polarity:  # a bright box is never a shadow
                loser = i if dets[i].polarity == "dark" else j
            elif tint[i] != tint[j]:  # a painted box and one of the ground's colour: that is the shadow
                loser = i if tint[i] else j
            elif dets[i].polarity == "dark" and sided:
                loser = j if toward > 0 else i
            else:  # a duplicate, or no sun to tell the sides: keep the better box
                loser = j
            dropped.add(loser)
    return sorted(dropped)
