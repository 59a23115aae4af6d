"""A trained counting model: a random forest over the training-free detector's relaxed candidates.

1. **Candidates.** :func:`armswatch.imagery.count_features.propose` runs the detector with relaxed
   settings (graded fill ≥ 0.5, no edge test) and keeps every local maximum of its box score: nearly
   every object is among them (with many times as many non-objects).
2. **Labels.** A candidate is an object when an analyst's confirmed centre lies near its own centre (within
   a quarter length along and a third of a width across its axis, at least 0.75 px); it is not one when
   no centre lies inside its box (+0.5 px); candidates in between (on an object, off its centre) are left
   out of training.
3. **The forest** (:mod:`armswatch.imagery.forest`, stored as plain arrays) learns the object
   probability from the candidates' features.
4. **The threshold** is chosen inside training: out-of-fold probabilities (folds by image; by image half
   when there are fewer than three images) go through the same suppression and (for wagons) shadow steps
   as the detector, and the threshold with the best F1 against the analyst's centres is kept.

At count time the candidates whose probability reaches the threshold are scored by that probability and
go through the detector's own non-maximum suppression and shadow step
(:func:`armswatch.imagery.count_detect.suppress_and_clean`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.errors import InputError
from armswatch.imagery import forest
from armswatch.imagery.count_detect import Detection, DetectParams, params_for, suppress_and_clean
from armswatch.imagery.count_eval import Score, match
from armswatch.imagery.count_features import FEATURES, PROPOSE, Candidates, propose
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import COUNT_FORMAT, Forest

THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(14))  # 0.2 … 0.85
N_TREES, MAX_DEPTH, MIN_LEAF = 60, 12, 3
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TrainImage:
    """One training image (bands, rows, cols), its search area, pixel size and the confirmed object
    centres in its pixel (column, row) coordinates (pixel centres at +0.5)."""

    image: Array
    area: BoolArray
    pixel_size_m: float
    points: npt.NDArray[np.float64]  # (n, 2) x, y


@dataclass(frozen=True)
class CountModel:
    """A trained counting model for one object size."""

    forest: Forest
    threshold: float
    object_name: str
    length_m: float
    width_m: float
    pixel_size_m: float  # median pixel size of the training images
    propose: DetectParams  # the relaxed settings that proposed its candidates
    post: DetectParams  # the class's suppression and shadow settings
    sha256: str = ""
    path: str = ""

    def check_object(self, name: str, length_m: float, width_m: float) -> None:
        """Refuse a model trained for another object size."""
        if abs(length_m - self.length_m) > 1e-6 or abs(width_m - self.width_m) > 1e-6:
            raise InputError(
                f"the model was trained for {self.object_name} ({self.length_m:g}x{self.width_m:g} m), "
                f"not {name} ({length_m:g}x{width_m:g} m)",
                path=self.path or None,
            )

    def probabilities(self, cands: Candidates) -> Array:
        return forest.predict(self.forest, cands.features) if len(cands) else np.zeros(0, np.float32)

    def detect(self, image: Array, pixel_size_m: float, area: BoolArray | None = None) -> list[Detection]:
        """Objects in ``image`` (bands, rows, cols) inside ``area``, best first (score = probability)."""
        cands = propose(image, pixel_size_m, self.length_m, self.width_m, area, self.propose)
        return select(cands, self.probabilities(cands), self.threshold, image, pixel_size_m, self.post)


def select(
    cands: Candidates, prob: Array, threshold: float, image: Array, pixel_size_m: float, post: DetectParams
) -> list[Detection]:
    """Candidates at or above ``threshold``, through the detector's suppression and shadow steps."""
    m = cands.maps
    if m is None or len(cands) == 0:
        return []
    best = np.full(m.best.shape, -np.inf, dtype=np.float32)
    keep = prob >= threshold
    best[cands.rows[keep], cands.cols[keep]] = prob[keep]
    return suppress_and_clean(m, best, image, pixel_size_m, post)


def label_candidates(cands: Candidates, points: npt.NDArray[np.float64]) -> npt.NDArray[np.int8]:
    """1: object, 0: not an object, -1: left out (on an object but off its centre); see the docstring."""
    y = np.zeros(len(cands), dtype=np.int8)
    m = cands.maps
    if m is None or len(cands) == 0 or len(points) == 0:
        return y
    from scipy.spatial import cKDTree

    lp, wp = m.lp, m.wp
    tree = cKDTree(points)
    near = tree.query_ball_point(np.stack([cands.x, cands.y], axis=1), r=math.hypot(lp, wp) / 2 + 1.0)
    t = np.radians(cands.angle)
    du, dv = max(0.25 * lp, 0.75), max(wp / 3, 0.75)
    for i, idx in enumerate(near):
        if not idx:
            continue
        dx = points[idx, 0] - cands.x[i]
        dy = points[idx, 1] - cands.y[i]
        u = np.abs(dx * math.cos(t[i]) - dy * math.sin(t[i]))
        v = np.abs(dx * math.sin(t[i]) + dy * math.cos(t[i]))
        if ((u <= du) & (v <= dv)).any():
            y[i] = 1
        elif ((u <= lp / 2 + 0.5) & (v <= wp / 2 + 0.5)).any():
            y[i] = -1
    return y


@dataclass(frozen=True)
class _Pt:
    x: float
    y: float


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    angle: float
    length_m: float
    width_m: float


def score_points(
    dets: Sequence[Detection], points: npt.NDArray[np.float64], length_m: float, width_m: float, px: float
) -> Score:
    """Detections against confirmed centres: a centre inside a detection's box (+0.5 px), one to one."""
    boxes = [_Box(d.x, d.y, d.angle, length_m, width_m) for d in dets]
    s = match([_Pt(float(x), float(y)) for x, y in points], boxes, px)
    return Score(s.tp, s.fn, s.fp)  # unmatched boxes are false detections, unmatched centres misses


def _inside(points: npt.NDArray[np.float64], area: BoolArray) -> npt.NDArray[np.float64]:
    if len(points) == 0:
        return points
    r, c = np.floor(points[:, 1]).astype(int), np.floor(points[:, 0]).astype(int)
    ok = (r >= 0) & (r < area.shape[0]) & (c >= 0) & (c < area.shape[1])
    ok[ok] = area[r[ok], c[ok]]
    return np.asarray(points[ok], dtype=np.float64)


def f1(s: Score) -> float:
    return 2 * s.tp / (2 * s.tp + s.fp + s.fn) if s.tp else 0.0


def train(
    items: Sequence[TrainImage],
    object_name: str,
    length_m: float,
    width_m: float,
    *,
    seed: int = 0,
    n_trees: int = N_TREES,
    max_depth: int = MAX_DEPTH,
) -> tuple[CountModel, dict[str, Any]]:
    """Train a model on images with confirmed centres; returns it and training statistics (candidates,
    labels, the out-of-fold F1 of every threshold)."""
    if not items:
        raise InputError("no training images")
    length_m, width_m = max(length_m, width_m), min(length_m, width_m)
    post = params_for(object_name)
    cands, ys, pts = [], [], []
    for it in items:
        c = propose(it.image, it.pixel_size_m, length_m, width_m, it.area, PROPOSE)
        if c.maps is not None:  # keep what the suppression and shadow steps need, not the gradients
            c = replace(
                c, maps=replace(c.maps, grad=c.maps.grad[:, :, :1, :1], distance=c.maps.distance[:1, :1])
            )
        cands.append(c)
        pts.append(_inside(np.asarray(it.points, dtype=np.float64).reshape(-1, 2), it.area))
        ys.append(label_candidates(c, pts[-1]))
    y_all = np.concatenate(ys)
    if not (y_all == 1).any():
        raise InputError(
            "no candidate matches a confirmed object centre: check the object size and the centres"
        )
    if not (y_all == 0).any():
        raise InputError("no negative examples: the search areas hold nothing but the confirmed objects")
    groups = _groups(cands)
    x_all = np.concatenate([c.features for c in cands])
    g_all = np.concatenate(groups)
    oof = np.zeros(len(x_all), dtype=np.float32)
    for g in np.unique(g_all):
        tr = (g_all != g) & (y_all >= 0)
        if len(np.unique(y_all[tr])) < 2:
            continue
        fold = forest.fit(x_all[tr], y_all[tr] == 1, FEATURES, n_trees=n_trees, max_depth=max_depth,
                          min_leaf=MIN_LEAF, seed=seed)  # fmt: skip
        oof[g_all == g] = forest.predict(fold, x_all[g_all == g])
    splits = np.cumsum([len(c) for c in cands])[:-1]
    probs = np.split(oof, splits)
    table = []
    for thr in THRESHOLDS:
        total = Score(0, 0, 0)
        for it, c, p, pt in zip(items, cands, probs, pts, strict=True):
            dets = select(c, p, thr, it.image, it.pixel_size_m, post)
            total = total + score_points(dets, pt, length_m, width_m, it.pixel_size_m)
        table.append((thr, total))
    best_thr, best_score = max(table, key=lambda r: (f1(r[1]), -r[0]))
    keep = y_all >= 0
    final = forest.fit(x_all[keep], y_all[keep] == 1, FEATURES, n_trees=n_trees, max_depth=max_depth,
                       min_leaf=MIN_LEAF, seed=seed)  # fmt: skip
    px = float(np.median([it.pixel_size_m for it in items]))
    model = CountModel(final, float(best_thr), object_name, length_m, width_m, px, PROPOSE, post)
    stats = {
        "images": len(items), "objects": int(sum(len(p) for p in pts)), "candidates": len(x_all),
        "positives": int((y_all == 1).sum()), "negatives": int((y_all == 0).sum()),
        "left_out": int((y_all < 0).sum()), "folds": len(np.unique(g_all)), "threshold": best_thr,
        "out_of_fold": {"precision": round(best_score.precision, 4), "recall": round(best_score.recall, 4),
                        "f1": round(f1(best_score), 4)},
        "thresholds": [[t, round(f1(s), 4)] for t, s in table],
    }  # fmt: skip
    return model, stats


def _groups(cands: Sequence[Candidates]) -> list[npt.NDArray[np.int32]]:
    """Fold of every candidate: by image (at most 5 folds), or by image half with fewer than 3 images."""
    n = len(cands)
    if n >= 3:
        k = min(5, n)
        return [np.full(len(c), i % k, dtype=np.int32) for i, c in enumerate(cands)]
    out = []
    for i, c in enumerate(cands):
        half = (c.x > np.median(c.x)).astype(np.int32) if len(c) else np.zeros(0, np.int32)
        out.append(2 * i + half)
    return out


# ------------------------------------------------------------------ model file


def to_bytes(model: CountModel, provenance: dict[str, Any]) -> bytes:
    extra = {"object": model.object_name, "length_m": model.length_m, "width_m": model.width_m,
             "threshold": model.threshold, "pixel_size_m": model.pixel_size_m,
             "propose": asdict(model.propose), "post": asdict(model.post)}  # fmt: skip
    return forest.to_bytes(model.forest, provenance, fmt=COUNT_FORMAT, extra=extra)


def write(model: CountModel, provenance: dict[str, Any], output: Path) -> bytes:
    """Write the model file atomically; returns its bytes."""
    data = to_bytes(model, provenance)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)
    return data


_ADDED = frozenset({"hue_contrast", "chain", "chain_gap"})
"""Detector settings added after the model format: a model file without them uses their (off) default."""


def _params(raw: Any, bad: Any) -> DetectParams:
    if not isinstance(raw, dict):
        raise bad("detector settings missing")
    values: dict[str, Any] = {}
    for f in fields(DetectParams):
        if f.name not in raw and f.name in _ADDED:  # a setting added after the model was written
            continue
        v = raw.get(f.name)
        if f.name in ("soft_fill", "chain"):
            if not isinstance(v, bool):
                raise bad(f"{f.name} must be true or false")
        elif f.name == "orientations":
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 180:
                raise bad(f"{f.name} out of range")
        elif (
            isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0 <= v <= 1e3
        ):
            raise bad(f"{f.name} out of range")
        values[f.name] = v
    return DetectParams(**values)


def load(path: Path) -> CountModel:
    """Read and validate a counting model file (a change model or a tampered file is an InputError)."""
    fr = forest.load(path, COUNT_FORMAT)

    def bad(why: str) -> InputError:
        return InputError(f"invalid counting model: {why}", path=str(path))

    if fr.feature_names != FEATURES:
        raise bad("its features are not this version's (retrain it with 'imagery count-train')")
    extra = fr.meta.get("extra")
    if not isinstance(extra, dict):
        raise bad("object settings missing")
    name = extra.get("object")
    if not isinstance(name, str) or not 0 < len(name) <= 40:
        raise bad("object name missing")
    nums = {}
    for k, hi in (("length_m", 500.0), ("width_m", 500.0), ("threshold", 1.0), ("pixel_size_m", 1e3)):
        v = extra.get(k)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0 <= v <= hi:
            raise bad(f"{k} out of range")
        nums[k] = float(v)
    if nums["length_m"] <= 0 or nums["width_m"] <= 0 or nums["pixel_size_m"] <= 0:
        raise bad("object and pixel sizes must be positive")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return CountModel(
        fr, nums["threshold"], name, nums["length_m"], nums["width_m"], nums["pixel_size_m"],
        _params(extra.get("propose"), bad), _params(extra.get("post"), bad), digest, str(path),
    )  # fmt: skip
