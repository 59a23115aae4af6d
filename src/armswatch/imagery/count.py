"""Counting objects of a known ground size in an image: presets, the count with analyst corrections, and
its outputs (GeoJSON/CSV positions).

The detector is :mod:`armswatch.imagery.count_detect` (training-free); the evidence chip is drawn by
:mod:`armswatch.imagery.count_chip`. A count is *detected − removed + added*: analysts remove false
detections by id and add missed objects by position, and both lists stay with the count.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery.count_detect import Detection

OBJECTS: dict[str, tuple[float, float]] = {
    "container": (12.2, 2.4),  # 40 ft ISO container
    "container20": (6.1, 2.4),  # 20 ft ISO container
    "railcar": (15.0, 3.0),  # freight wagon (real ones 14-20 m long; give LxW for others)
    "vehicle": (4.5, 1.8),  # passenger car
    "truck": (12.0, 2.5),
}
"""Ground size (length, width) in metres of each named object."""


def object_size(spec: str) -> tuple[str, float, float]:
    """Name, length and width (m) of ``container|container20|railcar|vehicle|truck`` or ``LxW``."""
    key = spec.strip().lower()
    if key in OBJECTS:
        return key, *OBJECTS[key]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)", key)
    if not m:
        raise InputError(
            f"--object must be one of {', '.join(OBJECTS)} or LxW in metres like 12.2x2.4 (got {spec!r})"
        )
    length, width = float(m.group(1)), float(m.group(2))
    if not (width > 0 and 0 < length <= 500):
        raise InputError(f"object size must be positive and at most 500 m (got {spec!r})")
    return f"{max(length, width):g}x{min(length, width):g}", max(length, width), min(length, width)


@dataclass(frozen=True)
class Corrections:
    """Analyst corrections: ids of detections to remove, positions of missed objects to add (in the
    output coordinates: WGS84 lon,lat for georeferenced images, else pixel column,row)."""

    removed: tuple[int, ...] = ()
    added: tuple[tuple[float, float], ...] = ()

    def merge(self, other: Corrections) -> Corrections:
        return Corrections(tuple(dict.fromkeys((*self.removed, *other.removed))), (*self.added, *other.added))

    def as_dict(self) -> dict[str, Any]:
        return {"removed": list(self.removed), "added": [list(p) for p in self.added]}


def parse_point(text: str, where: str = "--add") -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise InputError(f"{where} needs x,y (got {text!r})") from exc
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"{where} needs finite numbers (got {text!r})")
    return x, y


def read_corrections(path: str | Path) -> Corrections:
    """A corrections CSV: header ``action,id,x,y``; rows ``remove,ID,,`` or ``add,,X,Y``."""
    p = Path(path)
    if not p.is_file():
        raise MissingFileError("no such corrections file", path=str(p))
    removed: list[int] = []
    added: list[tuple[float, float]] = []
    with p.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "action" not in reader.fieldnames:
            raise InputError("corrections CSV needs a header with action,id,x,y", path=str(p))
        for n, row in enumerate(reader, start=2):
            action = (row.get("action") or "").strip().lower()
            if action == "remove":
                try:
                    removed.append(int((row.get("id") or "").strip()))
                except ValueError as exc:
                    raise InputError("remove needs an integer id", path=str(p), record=n) from exc
            elif action == "add":
                added.append(parse_point(f"{row.get('x', '')},{row.get('y', '')}", f"{p}:{n}"))
            elif action or any((v or "").strip() for v in row.values()):
                raise InputError(f"action must be add or remove (got {action!r})", path=str(p), record=n)
    return Corrections(tuple(removed), tuple(added))


@dataclass(frozen=True)
class CountedObject:
    """A detection (``source='detected'``) or an analyst addition (``'added'``), with its position in
    output coordinates and pixel coordinates."""

    id: int
    source: str
    x: float
    y: float
    col: float
    row: float
    angle: float | None = None
    score: float | None = None

    def row_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "x": round(self.x, 7), "y": round(self.y, 7),
                "col": round(self.col, 1), "row": round(self.row, 1),
                "angle": None if self.angle is None else round(self.angle, 1),
                "score": None if self.score is None else round(self.score, 3)}  # fmt: skip


@dataclass(frozen=True)
class Count:
    """A count of one kind of object in one image, with the analyst's corrections applied."""

    object_name: str
    length_m: float
    width_m: float
    pixel_size_m: float
    detected: int
    objects: tuple[CountedObject, ...]  # kept detections then additions
    removed: tuple[CountedObject, ...]
    corrections: Corrections = field(default_factory=Corrections)

    @property
    def total(self) -> int:
        return len(self.objects)

    def summary(self) -> dict[str, Any]:
        return {
            "object": self.object_name, "size_m": f"{self.length_m:g}x{self.width_m:g}",
            "pixel_size_m": round(self.pixel_size_m, 3), "detected": self.detected,
            "removed": len(self.removed), "added": len(self.corrections.added), "count": self.total,
        }  # fmt: skip

    def rows(self) -> list[dict[str, Any]]:
        return [o.row_dict() for o in self.objects]


def apply_corrections(
    detections: Sequence[Detection],
    to_output: Any,
    to_pixel: Any,
    corrections: Corrections,
) -> tuple[list[CountedObject], list[CountedObject]]:
    """Detections numbered 1..n (in the detector's order, best first), minus removed ids, plus additions.

    ``to_output(col, row) -> (x, y)`` and ``to_pixel(x, y) -> (col, row)`` convert coordinates."""
    n = len(detections)
    bad = [i for i in corrections.removed if not 1 <= i <= n]
    if bad:
        raise InputError(f"--remove: no detection with id {bad[0]} (ids are 1..{n})")
    gone = set(corrections.removed)
    kept: list[CountedObject] = []
    removed: list[CountedObject] = []
    for i, d in enumerate(detections, start=1):
        x, y = to_output(d.x, d.y)
        obj = CountedObject(i, "detected", x, y, d.x, d.y, d.angle, d.score)
        (removed if i in gone else kept).append(obj)
    for k, (x, y) in enumerate(corrections.added, start=n + 1):
        col, row = to_pixel(x, y)
        kept.append(CountedObject(k, "added", x, y, col, row))
    return kept, removed
