"""Scoring change masks against labels: pixel precision, recall, F1, IoU (micro-averaged over all files)
and object-level recall (share of labelled change objects that the prediction covers at least half of).

Dense labels are 0 (no change) / 255 (change). Sparse labels are two masks, *changed* and *unchanged*
reference pixels (as landsat-taizhou's change.bmp / unchanged.bmp); only those pixels are scored and
object recall is computed on the changed reference objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.errors import InputError

Mask = npt.NDArray[np.bool_]

OBJECT_COVER = 0.5
"""A labelled change object counts as found when at least this share of its pixels is predicted."""


@dataclass(frozen=True)
class Counts:
    """Confusion counts plus object counts; add them to micro-average over files."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    objects: int = 0
    objects_found: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.tn + other.tn,
            self.objects + other.objects,
            self.objects_found + other.objects_found,
        )

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 0.0

    @property
    def iou(self) -> float:
        d = self.tp + self.fp + self.fn
        return self.tp / d if d else 0.0

    @property
    def object_recall(self) -> float:
        return self.objects_found / self.objects if self.objects else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "iou": round(self.iou, 4),
            "object_recall": round(self.object_recall, 4),
            "objects": self.objects,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


def _objects(label: Mask, pred: Mask, min_pixels: int) -> tuple[int, int]:
    lab, n = ndi.label(label, structure=np.ones((3, 3), dtype=bool))
    if n == 0:
        return 0, 0
    size = np.bincount(lab.ravel(), minlength=n + 1)[1:]
    hit = np.bincount(lab.ravel(), weights=pred.ravel().astype(np.float64), minlength=n + 1)[1:]
    keep = size >= min_pixels
    return int(keep.sum()), int((keep & (hit >= OBJECT_COVER * size)).sum())


def score_dense(pred: Mask, label: Mask, min_object_pixels: int = 10) -> Counts:
    """Counts of a predicted mask against a dense label of the same shape."""
    if pred.shape != label.shape:
        raise InputError(f"prediction {pred.shape} and label {label.shape} differ in shape")
    tp = int(np.count_nonzero(pred & label))
    fp = int(np.count_nonzero(pred & ~label))
    fn = int(np.count_nonzero(~pred & label))
    tn = int(pred.size - tp - fp - fn)
    objs, found = _objects(label, pred, min_object_pixels)
    return Counts(tp, fp, fn, tn, objs, found)


def score_sparse(pred: Mask, changed: Mask, unchanged: Mask, min_object_pixels: int = 1) -> Counts:
    """Counts on reference pixels only: ``changed`` pixels should be predicted, ``unchanged`` ones not."""
    if not pred.shape == changed.shape == unchanged.shape:
        raise InputError(f"prediction {pred.shape} and sparse labels {changed.shape} differ in shape")
    if np.any(changed & unchanged):
        raise InputError("a pixel is labelled both changed and unchanged")
    tp = int(np.count_nonzero(pred & changed))
    fn = int(np.count_nonzero(~pred & changed))
    fp = int(np.count_nonzero(pred & unchanged))
    tn = int(np.count_nonzero(~pred & unchanged))
    objs, found = _objects(changed, pred, min_object_pixels)
    return Counts(tp, fp, fn, tn, objs, found)
