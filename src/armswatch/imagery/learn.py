"""The learned refinement of the default change method (pure core: arrays in, arrays out).

A random forest (:mod:`armswatch.imagery.forest`) on per-pixel features
(:mod:`armswatch.imagery.pixelfeature`) decides, among *candidate* pixels, which are change. Candidates
are the default's objects with a 2 m ring, plus, for own models, the pixels whose built-up index rose at
all (difference > ``CANDIDATE_RISE``) and, for hints, their change regions; elsewhere nothing is change. Restricting the classifier to candidates keeps it fast on
large scenes and keeps it from inventing change where the default sees none. With hints, one exception:
a large change object (an area, not a building) is *completed* in its convex hull where the classifier
gives at least a low probability (:func:`complete_areas`).

Training sets:
* **hints**: the pixels of each analyst point's region (the image segment under it, see
  :mod:`armswatch.imagery.segment`) with its label, plus *pseudo-labels* from the default method (its
  change mask as change, the other candidates as no change), drawn at random and weighted against the
  hints by ``PSEUDO_WEIGHT``. Hints overrule the default where they speak and teach the forest what the
  analyst means elsewhere; the regions themselves are then added (change) or cut out (no change).
* **labelled pairs** (``imagery train``): candidate pixels of each pair with their label, balanced per pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.imagery import forest as forest_mod
from armswatch.imagery.change import BuiltupParams, ChangeResult, clean_mask, disk, pixel_params
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import Forest

Mask = npt.NDArray[np.bool_]
Featurizer = Callable[[Mask], npt.NDArray[np.float32]]

CANDIDATE_RISE = 0.3
CANDIDATE_RING_M = 2.0
REGION_SAMPLES = 2000
PSEUDO_SAMPLES = 600
PSEUDO_WEIGHT = 0.3
PAIR_SAMPLES = 6000
THRESHOLD = 0.5
COMPLETE_AREA_M2 = 1000.0
"""Hints: change objects of at least this area are completed (:func:`complete_areas`); 0 is off. Chosen
leave-one-set-out with ``COMPLETE_MIN_PROB``, see docs/imagery.md."""
COMPLETE_MIN_PROB = 0.1
COMPLETE_CORE = 0.5
"""The areas to complete are recognised from the pixels the classifier is sure of (probability at least
this), whatever the decision threshold: a lower threshold does not make larger areas."""
COMPLETE_MAX_HULL = 2.0
"""Only an object that fills at least half its hull is completed (hull ≤ twice the object): an area with
bays, not pieces strung across a landscape (see docs/imagery.md for the Landsat pair)."""


def candidates(diff: Array, base: Mask, pixel_size: float, rises: bool = True) -> Mask:
    """Pixels the classifier decides on: the default's objects with a ``CANDIDATE_RING_M`` ring and, with
    ``rises`` (own models), every pixel where the index rose by ``CANDIDATE_RISE``. Hints use the objects
    and their ring only (plus their own change regions): the rises, a third of a real image, added
    nothing measurable to the hint figures and most of the time on a large scene."""
    ring = max(1, round(CANDIDATE_RING_M / pixel_size))
    near = ndi.binary_dilation(base, structure=disk(ring)) if base.any() else base
    return np.asarray((diff > CANDIDATE_RISE) | near) if rises else np.asarray(near)


@dataclass(frozen=True)
class Samples:
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.bool_]
    w: npt.NDArray[np.float64]


def hint_selection(
    pos: Mask, neg: Mask, base: Mask, cand: Mask, seed: int = 0, pseudo_weight: float = PSEUDO_WEIGHT
) -> tuple[Mask, npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Training pixels from the hints' regions and weighted pseudo-labels from the default method.

    Returns the selected pixels and, in ``np.flatnonzero`` order of the selection, their labels and
    weights: up to ``REGION_SAMPLES`` pixels of each hint label (weight 1) and up to ``PSEUDO_SAMPLES``
    default-change and candidate-no-change pixels outside the regions, together weighing
    ``pseudo_weight`` times the hint pixels."""
    rng = np.random.default_rng(seed)
    label = np.zeros(base.shape, dtype=bool)
    weight = np.zeros(base.shape, dtype=np.float64)
    taken = pos | neg
    groups = ((pos, True, REGION_SAMPLES, True), (neg, False, REGION_SAMPLES, True),
              (base & ~taken, True, PSEUDO_SAMPLES, False), (cand & ~base & ~taken, False, PSEUDO_SAMPLES, False))  # fmt: skip
    picked: list[tuple[npt.NDArray[np.intp], bool, bool]] = []
    for sel, lab, most, is_hint in groups:
        idx = np.flatnonzero(sel)
        if idx.size:
            picked.append((rng.choice(idx, size=min(most, idx.size), replace=False), lab, is_hint))
    n_hint = sum(p[0].size for p in picked if p[2])
    n_pseudo = sum(p[0].size for p in picked if not p[2])
    flat_l, flat_w = label.reshape(-1), weight.reshape(-1)
    for idx, lab, is_hint in picked:
        flat_l[idx] = lab
        flat_w[idx] = 1.0 if is_hint else pseudo_weight * max(n_hint, 1) / max(n_pseudo, 1)
    select = weight > 0
    return select, label[select], weight[select]


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


def apply_regions(mask: Mask, pos: Mask, neg: Mask, pixel_size: float, params: BuiltupParams) -> Mask:
    """The hints' own edits: their change regions are added, their no-change regions removed, then the mask
    is cleaned like the default's (pieces under the minimum area left by a cut go too)."""
    _, _, radius, min_px = pixel_params(params, pixel_size)
    return clean_mask((mask | pos) & ~neg, radius, min_px)


def refine(
    features_of: Featurizer,
    model: Forest,
    diff: Array,
    base: Mask,
    pixel_size: float,
    params: BuiltupParams | None = None,
    threshold: float = THRESHOLD,
    extra: Mask | None = None,
    rises: bool = True,
    complete: tuple[float, float] = (0.0, 0.0),
    veto: Mask | None = None,
) -> ChangeResult:
    """The classifier's change mask (probability ≥ ``threshold`` among candidates, plus the ``extra``
    pixels such as hint regions), cleaned like the default; with ``complete`` = (minimum area m²,
    minimum probability), large change objects are then completed (:func:`complete_areas`, the classifier
    deciding in their hulls too). ``features_of(select)`` gives the features of the selected pixels,
    shaped (n, features) in ``np.flatnonzero`` order."""
    params = params or BuiltupParams()
    cand = candidates(diff, base, pixel_size, rises)
    if extra is not None:
        cand |= extra
    prob = np.zeros(diff.shape, dtype=np.float32)

    def prob_of(select: Mask) -> npt.NDArray[np.float32]:
        return forest_mod.predict(model, np.ascontiguousarray(features_of(select), dtype=np.float32))

    if cand.any():
        prob[cand] = prob_of(cand)
    _, _, radius, min_px = pixel_params(params, pixel_size)
    mask = clean_mask(prob >= threshold, radius, min_px)
    if complete[0] > 0:

        def gap_prob(select: Mask) -> npt.NDArray[np.float32]:
            fresh = select & ~cand  # the hulls reach past the candidates: decide there too
            if fresh.any():
                prob[fresh] = prob_of(fresh)
            return prob[select]

        core = mask if threshold >= COMPLETE_CORE else clean_mask(prob >= COMPLETE_CORE, radius, min_px)
        mask = complete_areas(mask, gap_prob, pixel_size, *complete, core=core, veto=veto)
    return ChangeResult(mask, prob, diff)


def stack_featurizer(features: Array) -> Featurizer:
    """A featurizer over a precomputed ``(n_features, rows, cols)`` stack."""

    def of(select: Mask) -> npt.NDArray[np.float32]:
        return np.ascontiguousarray(features[:, select].T, dtype=np.float32)

    return of


def area_hulls(
    mask: Mask, pixel_size: float, min_area_m2: float, max_hull: float = COMPLETE_MAX_HULL,
    veto: Mask | None = None,
) -> Mask:  # fmt: skip
    """The convex hulls of the change objects (8-connected) of at least ``min_area_m2`` whose hull is at
    most ``max_hull`` times their area and holds no ``veto`` pixel, as one mask."""
    from skimage.morphology import convex_hull_image

    out = np.zeros(mask.shape, dtype=bool)
    labels, n = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n == 0 or min_area_m2 <= 0:
        return out
    sizes = np.bincount(labels.ravel())
    min_px = max(1, round(min_area_m2 / pixel_size**2))
    for k, sl in enumerate(ndi.find_objects(labels), start=1):
        if sl is not None and sizes[k] >= min_px:
            hull = convex_hull_image(labels[sl] == k)  # type: ignore[no-untyped-call]
            if np.count_nonzero(hull) <= max_hull * sizes[k] and not (
                veto is not None and veto[sl][hull].any()
            ):
                out[sl] |= hull
    return out


def complete_areas(
    mask: Mask, prob_of: Callable[[Mask], npt.NDArray[np.float32]], pixel_size: float,
    min_area_m2: float = COMPLETE_AREA_M2, min_prob: float = COMPLETE_MIN_PROB, core: Mask | None = None,
    veto: Mask | None = None,
) -> Mask:  # fmt: skip
    """Large change objects completed: in the convex hull of each object of at least ``min_area_m2`` (an
    area such as a building site or a new district, not a building), the pixels whose classifier
    probability (``prob_of(select)``, in ``np.flatnonzero`` order) is at least ``min_prob`` are added. The
    bays and gaps of a changed area, where the classifier is unsure, are part of it. The objects are
    those of ``core`` when given (the sure part of the mask, see ``COMPLETE_CORE``), else of ``mask``.

    An object whose hull holds a ``veto`` pixel (the analyst's no-change points) is not completed: the
    analyst said something inside it is not change, so it is not one changed area (often a false object
    of the default merged with real change, or buildings with unchanged ground between them)."""
    if min_area_m2 <= 0:
        return mask
    gaps = area_hulls(mask if core is None else core, pixel_size, min_area_m2, veto=veto) & ~mask
    if not gaps.any():
        return mask
    out = mask.copy()
    out[gaps] = prob_of(gaps) >= min_prob
    return out
