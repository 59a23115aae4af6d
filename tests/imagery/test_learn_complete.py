"""Completion of large change areas: in the convex hull of a large change object the classifier decides
on the bays and gaps (outside its candidates too); buildings, separate objects and straggly objects
(which fill under half their hull) are left alone."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from armswatch.imagery import forest, learn
from armswatch.imagery.change import BuiltupParams

Mask = npt.NDArray[np.bool_]

# A C-shaped object (open to the right) of 80 x 80 px with arms 20 px thick, at 1 m: 4,000 m² of object in
# 6,400 m² of hull; its bay is rows 30..70, columns 30..90.
BAY = (slice(30, 70), slice(30, 90))


def _c_shape(size: int, top: int, left: int, outer: int, arm: int) -> Mask:
    m = np.zeros((size, size), dtype=bool)
    m[top : top + outer, left : left + outer] = True
    m[top + arm : top + outer - arm, left + arm : left + outer] = False
    return m


def test_area_hulls_fill_large_compact_objects_one_by_one() -> None:
    big = _c_shape(200, 10, 10, 80, 20)
    small = _c_shape(200, 120, 120, 30, 8)  # 644 m²: a building, not an area
    hulls = learn.area_hulls(big | small, 1.0, 1000.0)
    assert hulls[BAY].all() and hulls[big].all()  # the hull holds the object and its bay
    assert not hulls[small].any() and not hulls[100:, :].any()  # the small object has none
    other = _c_shape(200, 110, 110, 80, 20)  # a second large object gets its own hull, nothing between
    both = learn.area_hulls(big | other, 1.0, 1000.0)
    assert not both[95:105, :].any() and both[other].all()
    assert not learn.area_hulls(big, 1.0, 0.0).any()  # 0 is off
    # a thin C (arms 4 px) fills under half its hull: pieces around a landscape, not an area with bays
    thin = _c_shape(200, 10, 10, 120, 4)
    assert thin.sum() >= 1000 and not learn.area_hulls(thin, 1.0, 1000.0).any()
    assert learn.area_hulls(thin, 1.0, 1000.0, max_hull=1e9)[60, 60]


def test_completion_adds_the_bay_where_the_classifier_agrees_only() -> None:
    big = _c_shape(200, 10, 10, 80, 20)
    prob = np.zeros((200, 200), dtype=np.float32)
    prob[30:50, 30:90] = 0.3  # upper part of the bay: unsure but not no
    prob[50:70, 30:90] = 0.05  # lower part: the classifier says no
    asked: list[int] = []

    def prob_of(select: Mask) -> npt.NDArray[np.float32]:
        asked.append(int(select.sum()))
        assert not (select & big).any()  # only the gaps are asked for
        return prob[select]

    out = learn.complete_areas(big, prob_of, 1.0, 1000.0, 0.1)
    assert out[30:50, 30:90].all() and not out[50:70, 30:90].any()
    assert out[big].all() and not out[100:].any()
    assert asked and asked[0] > 0
    np.testing.assert_array_equal(learn.complete_areas(big, prob_of, 1.0, 5000.0, 0.1), big)  # too small
    np.testing.assert_array_equal(learn.complete_areas(big, prob_of, 1.0, 1000.0, 0.5), big)  # too unsure


def _one_feature_forest() -> forest.Forest:
    """A forest on one feature: change where it is above 0.3 (trained on a dense ramp)."""
    x = np.linspace(0, 1, 2001, dtype=np.float32)[:, None]
    return forest.fit(x, x[:, 0] > 0.3, ("value",), n_trees=5, max_depth=4, seed=0)


def test_refine_decides_in_the_hulls_past_its_candidates() -> None:
    """The default sees a C-shaped area; the classifier's feature says change in the upper half of the bay
    (outside the default's objects and ring, where the forest is not asked without completion)."""
    size = 200
    big = _c_shape(size, 10, 10, 80, 20)
    value = np.zeros((1, size, size), dtype=np.float32)
    value[0][big] = 1.0
    value[0, 30:50, 30:90] = 0.8  # upper bay
    diff = np.where(big, 2.0, 0.0).astype(np.float32)
    model = _one_feature_forest()
    asked: list[Mask] = []

    def features_of(select: Mask) -> npt.NDArray[np.float32]:
        asked.append(select.copy())
        return np.ascontiguousarray(value[:, select].T)

    params = BuiltupParams()
    inner = (slice(34, 48), slice(34, 86))  # the upper bay past the default's 2 m ring
    plain = learn.refine(features_of, model, diff, big, 1.0, params, rises=False)
    assert not plain.mask[inner].any() and plain.mask[big].mean() > 0.95
    assert not any(s[inner].any() for s in asked)  # never asked about the bay
    done = learn.refine(features_of, model, diff, big, 1.0, params, rises=False, complete=(1000.0, 0.1))
    assert done.mask[inner].all()  # the upper bay, where the feature says change
    assert not done.mask[54:68, 34:86].any()  # not the lower bay
    assert done.score[inner].min() > 0.5  # its probability is the forest's, reported as score
    assert not done.mask[100:].any() and not done.mask[:, 95:].any()


def test_areas_are_recognised_from_the_sure_part_whatever_the_threshold() -> None:
    """Two 900 m² roofs joined by an unsure strip (probability 0.4) are one 1,920 m² object at a 0.35
    threshold, but not an area: areas are found among the pixels of probability ≥ 0.5."""
    size = 120
    prob = np.zeros((size, size), dtype=np.float32)
    prob[10:40, 10:40] = prob[10:40, 60:90] = 0.95  # two roofs
    prob[10:16, 40:60] = 0.4  # the strip between them
    prob[16:40, 40:60] = 0.25  # the yard between them, unsure
    x = np.repeat(np.linspace(0, 1, 101, dtype=np.float32), 200)[:, None]
    y = np.random.default_rng(0).random(x.shape[0]) < x[:, 0]  # change with probability = the feature
    model = forest.fit(x, y, ("value",), n_trees=20, max_depth=5, min_leaf=50, seed=0)
    diff = np.where(prob >= 0.35, 2.0, 0.0).astype(np.float32)

    def features_of(select: Mask) -> npt.NDArray[np.float32]:
        return np.ascontiguousarray(prob[select][:, None])

    params = BuiltupParams()
    res = learn.refine(
        features_of, model, diff, diff > 0, 1.0, params, threshold=0.35, rises=False, complete=(1000.0, 0.1)
    )
    assert res.mask[12, 50] and res.mask[20:30, 20:30].all()  # the strip and the roofs are change
    assert not res.mask[22:36, 46:54].any()  # the yard is not: the roofs alone are no area
    # the same objects, taken as they are at the lower threshold, would be completed
    merged = learn.complete_areas(res.mask, lambda s: prob[s], 1.0, 1000.0, 0.1)
    assert merged[22:36, 46:54].all()


def test_a_no_change_point_keeps_its_area_from_being_completed() -> None:
    """The analyst's no-change point anywhere in an area's hull (here in its bay) means the area is not one
    changed whole: its bay is left alone, another area without such a point is still completed."""
    big = _c_shape(200, 10, 10, 80, 20)
    other = _c_shape(200, 110, 110, 80, 20)
    prob = np.full((200, 200), 0.3, dtype=np.float32)
    veto = np.zeros((200, 200), dtype=bool)
    veto[60, 60] = True  # in the bay of the first area, outside the object itself
    plain = learn.complete_areas(big | other, lambda s: prob[s], 1.0, 1000.0, 0.1)
    assert plain[BAY].all() and plain[130:170, 130:190].all()  # without the point both bays are added
    out = learn.complete_areas(big | other, lambda s: prob[s], 1.0, 1000.0, 0.1, veto=veto)
    assert not out[BAY].any() and out[big].all()
    assert out[130:170, 130:190].all()
    assert not learn.area_hulls(big, 1.0, 1000.0, veto=veto).any()
    veto[:] = False
    veto[150, 20] = True  # a point outside every hull changes nothing
    np.testing.assert_array_equal(
        learn.complete_areas(big | other, lambda s: prob[s], 1.0, 1000.0, 0.1, veto=veto), plain
    )
