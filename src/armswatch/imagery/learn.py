"""The learned refinement of the default change method (pure core: arrays in, arrays out).

A random forest (:mod:`armswatch.imagery.forest`) on per-pixel features
(:mod:`armswatch.imagery.pixelfeature`) decides, among *candidate* pixels, which are change. Candidates
are the pixels whose built-up index rose at all (difference > ``CANDIDATE_RISE``) plus a 2 m ring around
the default mask; elsewhere nothing is change. Restricting the classifier to candidates keeps it fast on
large scenes and keeps it from inventing change where the default sees none.

Training sets:
* **hints**: the pixels within ``HINT_RADIUS_M`` of each analyst point, with its label, plus *pseudo-labels*
  from the default method (its change mask as change, the other candidates as no change), drawn at random
  and weighted so that all pseudo-labels together weigh as much as the hints. Hints overrule the default
  where they speak; elsewhere the forest follows it.
* **labelled pairs** (``imagery train``): candidate pixels of each pair with their label, balanced per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.imagery import forest as forest_mod
from armswatch.imagery.change import BuiltupParams, ChangeResult, clean_mask, disk, pixel_params
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import Forest
from armswatch.imagery.hints import Hint

Mask = npt.NDArray[np.bool_]

CANDIDATE_RISE = 0.3
CANDIDATE_RING_M = 2.0
HINT_RADIUS_M = 1.5
PSEUDO_SAMPLES = 600
PSEUDO_POSITIVES = True
PAIR_SAMPLES = 6000
THRESHOLD = 0.35
MAX_GROW_M2 = 5000.0
HINT_REACH_M = 3.0


def candidates(diff: Array, base: Mask, pixel_size: float) -> Mask:
    """Pixels the classifier decides on."""
    ring = max(1, round(CANDIDATE_RING_M / pixel_size))
    near = ndi.binary_dilation(base, structure=disk(ring)) if base.any() else base
    return np.asarray((diff > CANDIDATE_RISE) | near)


def _flat(features: Array, sel: Mask) -> npt.NDArray[np.float32]:
    return np.ascontiguousarray(features[:, sel].T, dtype=np.float32)


def hint_mask(shape: tuple[int, int], hints: tuple[Hint, ...], radius_px: float) -> tuple[Mask, Mask]:
    """(change, no change) pixels within ``radius_px`` of the hints of each label."""
    out = (np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool))
    r = max(0, int(np.ceil(radius_px)))
    for h in hints:
        c, rr = int(h.col), int(h.row)
        r0, r1, c0, c1 = max(0, rr - r), min(shape[0], rr + r + 1), max(0, c - r), min(shape[1], c + r + 1)
        yy, xx = np.mgrid[r0:r1, c0:c1]
        near = (yy - rr) ** 2 + (xx - c) ** 2 <= radius_px**2
        out[0 if h.change else 1][r0:r1, c0:c1] |= near
    both = out[0] & out[1]  # contradicting hints cancel where they overlap
    return out[0] & ~both, out[1] & ~both


@dataclass(frozen=True)
class Samples:
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.bool_]
    w: npt.NDArray[np.float64]


def hint_samples(
    features: Array, diff: Array, base: Mask, hints: tuple[Hint, ...], pixel_size: float, seed: int = 0
) -> Samples:
    """Training samples from analyst hints plus weighted pseudo-labels from the default method."""
    rng = np.random.default_rng(seed)
    pos, neg = hint_mask(base.shape, hints, max(HINT_RADIUS_M / pixel_size, 0.5))
    cand = candidates(diff, base, pixel_size)
    xs, ys, ws = [], [], []
    for sel, lab in ((pos, True), (neg, False)):
        if sel.any():
            xs.append(_flat(features, sel))
            ys.append(np.full(int(sel.sum()), lab))
    n_hint = sum(len(y) for y in ys)
    ws.append(np.ones(n_hint))
    taken = pos | neg
    pseudo = []
    for sel, lab in (
        ((base & ~taken, True), (cand & ~taken, False)) if PSEUDO_POSITIVES else ((cand & ~taken, False),)
    ):
        idx = np.flatnonzero(sel)
        if idx.size:
            pick = rng.choice(idx, size=min(PSEUDO_SAMPLES, idx.size), replace=False)
            m = np.zeros(base.size, dtype=bool)
            m[pick] = True
            pseudo.append((_flat(features, m.reshape(base.shape)), lab))
    n_pseudo = sum(len(p[0]) for p in pseudo)
    for x, lab in pseudo:
        xs.append(x)
        ys.append(np.full(len(x), lab))
        ws.append(np.full(len(x), max(n_hint, 1) / max(n_pseudo, 1)))
    return Samples(np.concatenate(xs), np.concatenate(ys), np.concatenate(ws))


def pair_samples(
    features: Array, diff: Array, base: Mask, label: Mask, pixel_size: float, rng: np.random.Generator
) -> Samples:
    """Balanced candidate pixels of one labelled pair (at most ``PAIR_SAMPLES`` per class)."""
    cand = candidates(diff, base, pixel_size)
    xs, ys = [], []
    for sel, lab in ((cand & label, True), (cand & ~label, False)):
        idx = np.flatnonzero(sel)
        if idx.size:
            pick = rng.choice(idx, size=min(PAIR_SAMPLES, idx.size), replace=False)
            xs.append(np.ascontiguousarray(features.reshape(features.shape[0], -1)[:, pick].T))
            ys.append(np.full(pick.size, lab))
    if not xs:
        return Samples(np.zeros((0, features.shape[0]), np.float32), np.zeros(0, bool), np.zeros(0))
    y = np.concatenate(ys)
    return Samples(np.concatenate(xs).astype(np.float32), y, np.ones(len(y)))


def apply_hints(mask: Mask, diff: Array, hints: tuple[Hint, ...], pixel_size: float) -> Mask:
    """Object-level edits from the hints themselves. A no-change point removes the change objects that touch
    the candidate region (index rise > ``CANDIDATE_RISE``) it falls in, or, outside any, the objects within
    ``HINT_REACH_M`` (also when that region is over ``MAX_GROW_M2``). A change point outside the mask adds its candidate region, up to ``MAX_GROW_M2``."""
    out = mask.copy()
    eight = np.ones((3, 3), dtype=bool)
    regions, _ = ndi.label(np.asarray(diff > CANDIDATE_RISE), structure=eight)
    objects, _ = ndi.label(out, structure=eight)
    reach = max(1, round(HINT_REACH_M / pixel_size))
    max_px = MAX_GROW_M2 / pixel_size**2
    sizes = np.bincount(regions.ravel())
    for h in hints:
        if h.change:
            continue
        r, c = int(h.row), int(h.col)
        if regions[r, c] and sizes[regions[r, c]] <= max_px:
            touched = np.unique(objects[regions == regions[r, c]])
        else:
            win = objects[max(0, r - reach) : r + reach + 1, max(0, c - reach) : c + reach + 1]
            touched = np.unique(win)
        touched = touched[touched > 0]
        if touched.size:
            out[np.isin(objects, touched)] = False
    for h in hints:
        r, c = int(h.row), int(h.col)
        if h.change and not out[r, c] and regions[r, c] and sizes[regions[r, c]] <= max_px:
            out |= regions == regions[r, c]
    return out


def refine(
    features: Array,
    model: Forest,
    diff: Array,
    base: Mask,
    pixel_size: float,
    params: BuiltupParams | None = None,
    threshold: float = THRESHOLD,
) -> ChangeResult:
    """The classifier's change mask (probability ≥ ``threshold`` among candidates), cleaned like the default."""
    params = params or BuiltupParams()
    cand = candidates(diff, base, pixel_size)
    prob = np.zeros(diff.shape, dtype=np.float32)
    if cand.any():
        prob[cand] = forest_mod.predict(model, _flat(features, cand))
    _, _, radius, min_px = pixel_params(params, pixel_size)
    return ChangeResult(clean_mask(prob >= threshold, radius, min_px), prob, diff)
