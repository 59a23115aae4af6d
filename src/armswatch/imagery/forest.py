"""A small random forest for per-pixel change: trained with scikit-learn, stored and run as plain arrays.

Training uses :class:`sklearn.ensemble.RandomForestClassifier`. The fitted trees are then copied into
arrays (children, split feature, threshold, leaf probability; the public ``tree_`` attributes), and
prediction walks those arrays with numpy, vectorised over pixels. A model file is an ``.npz`` of those
arrays plus a JSON header (feature names, parameters, provenance), read with ``allow_pickle=False`` and
checked (shapes, dtypes, index ranges, finite thresholds) before use: loading a model never runs code
from the file. (skops, a safer-than-pickle format for scikit-learn objects, is on PyPI too; plain arrays
were chosen because they need no trust decision at all and let the tiled code predict without sklearn.)
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.errors import InputError

FORMAT = "armswatch.change-forest/1"
COUNT_FORMAT = "armswatch.count-forest/1"
KINDS = {FORMAT: "change", COUNT_FORMAT: "counting"}
"""Model kinds by header format: a file of one kind is refused where the other is expected."""
MAX_NODES = 1 << 20


@dataclass(frozen=True)
class Forest:
    """Trees as padded arrays ``(n_trees, n_nodes)``; ``left == -1`` marks a leaf."""

    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    feature: npt.NDArray[np.int32]
    threshold: npt.NDArray[np.float32]
    leaf_prob: npt.NDArray[np.float32]
    depth: int
    feature_names: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def n_trees(self) -> int:
        return int(self.left.shape[0])


def fit(
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.bool_],
    feature_names: tuple[str, ...],
    *,
    n_trees: int = 30,
    max_depth: int = 8,
    min_leaf: int = 3,
    seed: int = 0,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> Forest:
    """Fit a balanced random forest on samples ``x`` (n, features) with labels ``y``."""
    from sklearn.ensemble import RandomForestClassifier  # type: ignore[import-untyped]

    if x.ndim != 2 or x.shape[1] != len(feature_names) or len(y) != len(x):
        raise InputError(f"training data {x.shape} does not match {len(feature_names)} features")
    if len(np.unique(y)) < 2:
        raise InputError("training needs examples of both classes (change and no change, object and not)")
    clf = RandomForestClassifier(
        n_estimators=n_trees, max_depth=max_depth, min_samples_leaf=min_leaf, class_weight="balanced",
        random_state=seed, n_jobs=1, max_features="sqrt",
    )  # fmt: skip
    clf.fit(x, y.astype(np.int8), sample_weight=sample_weight)
    trees = [e.tree_ for e in clf.estimators_]
    n = max(t.node_count for t in trees)
    pos = list(clf.classes_).index(1)

    def pad(get: Any, dtype: Any, fill: Any) -> Any:
        out = np.full((len(trees), n), fill, dtype=dtype)
        for k, t in enumerate(trees):
            v = get(t)
            out[k, : len(v)] = v
        return out

    value = pad(lambda t: t.value[:, 0, pos] / np.maximum(t.value[:, 0, :].sum(axis=1), 1e-12), np.float32, 0)
    return Forest(
        left=pad(lambda t: t.children_left, np.int32, -1),
        right=pad(lambda t: t.children_right, np.int32, -1),
        feature=pad(lambda t: np.maximum(t.feature, 0), np.int32, 0),
        threshold=pad(lambda t: t.threshold, np.float32, 0),
        leaf_prob=value,
        depth=int(max(t.max_depth for t in trees)),
        feature_names=tuple(feature_names),
        meta={
            "n_trees": n_trees,
            "max_depth": max_depth,
            "min_leaf": min_leaf,
            "seed": seed,
            "samples": len(y),
            "positives": int(np.count_nonzero(y)),
        },
    )


def predict(forest: Forest, x: npt.NDArray[np.float32], chunk: int = 131_072) -> npt.NDArray[np.float32]:
    """Change probability (mean leaf probability over trees) for samples ``x`` (n, features)."""
    if x.ndim != 2 or x.shape[1] != len(forest.feature_names):
        raise InputError(f"model expects {len(forest.feature_names)} features, got {x.shape}")
    out = np.empty(len(x), dtype=np.float32)
    trees = np.arange(forest.n_trees)[:, None]
    for s in range(0, len(x), chunk):
        xs = x[s : s + chunk]
        cols = np.arange(len(xs))[None, :]
        node = np.zeros((forest.n_trees, len(xs)), dtype=np.int32)
        for _ in range(forest.depth):
            f = forest.feature[trees, node]
            go_left = xs[cols, f] <= forest.threshold[trees, node]
            nxt = np.where(go_left, forest.left[trees, node], forest.right[trees, node])
            node = np.where(nxt >= 0, nxt, node)
        out[s : s + chunk] = forest.leaf_prob[trees, node].mean(axis=0)
    return out


def to_bytes(
    forest: Forest, provenance: dict[str, Any], *, fmt: str = FORMAT, extra: dict[str, Any] | None = None
) -> bytes:
    """The model file: arrays plus a JSON header (format, feature names, parameters, provenance, and the
    kind's own ``extra`` settings, e.g. a counting model's object size and threshold)."""
    header = {"format": fmt, "feature_names": list(forest.feature_names), "depth": forest.depth,
              "parameters": forest.meta, "provenance": provenance}  # fmt: skip
    if extra is not None:
        header["extra"] = extra
    buf = io.BytesIO()
    np.savez_compressed(
        buf, left=forest.left, right=forest.right, feature=forest.feature, threshold=forest.threshold,
        leaf_prob=forest.leaf_prob, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
    )  # fmt: skip
    return buf.getvalue()


def load(path: Path, fmt: str = FORMAT) -> Forest:
    """Read and validate a model file of kind ``fmt`` (no pickle: a malformed or hostile file is an
    InputError). The header's ``extra`` settings, if any, are in ``meta["extra"]``."""
    try:
        with Path(path).open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("left", "right", "feature", "threshold", "leaf_prob", "header")}
    except FileNotFoundError as exc:
        raise InputError("no such model file", path=str(path)) from exc
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"not an armswatch {KINDS.get(fmt, fmt)} model: {exc}", path=str(path)) from exc
    try:
        header = json.loads(arrays.pop("header").astype(np.uint8).tobytes().decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("model header is not JSON", path=str(path)) from exc
    return _validated(arrays, header, str(path), fmt)


def _validated(arrays: dict[str, Any], header: Any, where: str, fmt: str = FORMAT) -> Forest:
    def bad(why: str) -> InputError:
        return InputError(f"invalid model file: {why}", path=where)

    got = header.get("format") if isinstance(header, dict) else None
    if got in KINDS and got != fmt:
        raise bad(f"it is a {KINDS[got]} model ({got}), not a {KINDS.get(fmt, fmt)} model ({fmt})")
    if not isinstance(header, dict) or got != fmt:
        raise bad(f"format is not {fmt}")
    names = header.get("feature_names")
    depth = header.get("depth")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or not names:
        raise bad("feature_names missing")
    if not isinstance(depth, int) or not 0 < depth <= 64:
        raise bad("depth out of range")
    shape = arrays["left"].shape
    if len(shape) != 2 or shape[0] < 1 or shape[1] < 1 or shape[0] * shape[1] > MAX_NODES:
        raise bad(f"tree arrays shaped {shape}")
    kinds = {"left": "i", "right": "i", "feature": "i", "threshold": "f", "leaf_prob": "f"}
    for k, kind in kinds.items():
        if arrays[k].shape != shape or arrays[k].dtype.kind != kind:
            raise bad(f"{k} is {arrays[k].dtype} {arrays[k].shape}, expected {kind} {shape}")
    n = shape[1]
    for k in ("left", "right"):
        if arrays[k].min() < -1 or arrays[k].max() >= n:
            raise bad(f"{k} child index out of range")
    if arrays["feature"].min() < 0 or arrays["feature"].max() >= len(names):
        raise bad("split feature index out of range")
    if not np.isfinite(arrays["threshold"]).all():
        raise bad("non-finite threshold")
    p = arrays["leaf_prob"]
    if not np.isfinite(p).all() or p.min() < 0 or p.max() > 1:
        raise bad("leaf probabilities outside 0..1")
    raw = header.get("parameters")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return Forest(
        left=arrays["left"].astype(np.int32), right=arrays["right"].astype(np.int32),
        feature=arrays["feature"].astype(np.int32), threshold=arrays["threshold"].astype(np.float32),
        leaf_prob=p.astype(np.float32), depth=depth, feature_names=tuple(names),
        meta={**params, "provenance": header.get("provenance"), "extra": header.get("extra")},
    )  # fmt: skip
