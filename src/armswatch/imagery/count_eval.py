"""Scoring a count against known objects: one-to-one matching of detections to true objects.

A detection matches a true object when its centre lies inside the object's rectangle grown by half a
pixel; each object and each detection is used at most once (closest pairs first). Precision is the share
of detections that match, recall the share of objects found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class _Point(Protocol):
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...


class _Box(_Point, Protocol):
    @property
    def angle(self) -> float: ...
    @property
    def length_m(self) -> float: ...
    @property
    def width_m(self) -> float: ...


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def match(detections: Sequence[_Point], truth: Sequence[_Box], pixel_size_m: float) -> Score:
    """True positives, false positives and misses of ``detections`` against ``truth`` (pixel coords)."""
    if not detections or not truth:
        return Score(0, len(detections), len(truth))
    dx = np.array([d.x for d in detections])[:, None] - np.array([t.x for t in truth])[None, :]
    dy = np.array([d.y for d in detections])[:, None] - np.array([t.y for t in truth])[None, :]
    ang = np.radians([t.angle for t in truth])[None, :]
    u = np.abs(dx * np.cos(ang) - dy * np.sin(ang))
    v = np.abs(dx * np.sin(ang) + dy * np.cos(ang))
    half_l = np.array([t.length_m for t in truth])[None, :] / pixel_size_m / 2 + 0.5
    half_w = np.array([t.width_m for t in truth])[None, :] / pixel_size_m / 2 + 0.5
    ok = (u <= half_l) & (v <= half_w)
    dist = np.where(ok, np.hypot(dx, dy), math.inf)
    pairs = np.argwhere(ok)
    pairs = pairs[np.argsort(dist[ok], kind="stable")]
    used_d: set[int] = set()
    used_t: set[int] = set()
    for i, j in pairs.tolist():
        if i not in used_d and j not in used_t:
            used_d.add(i)
            used_t.add(j)
    tp = len(used_d)
    return Score(tp, len(detections) - tp, len(truth) - tp)
