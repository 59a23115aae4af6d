"""Analyst hints: points labelled change (1) or no change (0), read from CSV, placed on an image.

A hints file is CSV with a header and the columns ``x,y,label`` (pixel column and row of the BEFORE image,
0-based, fractions allowed) or ``lon,lat,label`` (WGS84, for georeferenced images). Other columns are
ignored. A row that cannot be used (missing value, not a number, label other than 0/1, outside the image)
is counted by reason with its line number; with ``strict`` the first one is an error. A file with no usable
hint is an error.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.errors import InputError, MissingFileError

MAX_HINTS = 100_000


@dataclass(frozen=True)
class Hint:
    """One labelled point in image pixel coordinates (column, row)."""

    col: float
    row: float
    change: bool


@dataclass(frozen=True)
class HintSet:
    """Usable hints and the rows that were not usable (line number, reason)."""

    hints: tuple[Hint, ...]
    problems: tuple[tuple[int, str], ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(reason for _, reason in self.problems))

    def summary(self) -> str:
        pos = sum(h.change for h in self.hints)
        text = f"{len(self.hints)} hints ({pos} change, {len(self.hints) - pos} no change)"
        if self.problems:
            first = ", ".join(f"line {n}: {r}" for n, r in self.problems[:3])
            text += f"; {len(self.problems)} rows skipped ({first}{', …' if len(self.problems) > 3 else ''})"
        return text


def _label(raw: str) -> bool | None:
    v = raw.strip().lower()
    if v in ("1", "1.0", "true", "change", "yes"):
        return True
    if v in ("0", "0.0", "false", "no change", "no"):
        return False
    return None


def parse_hints(
    text: str,
    *,
    width: int,
    height: int,
    to_pixel: object = None,
    strict: bool = False,
    name: str = "hints",
) -> HintSet:
    """Parse hint CSV text for an image of ``width`` x ``height`` pixels.

    ``to_pixel`` converts (lon, lat) arrays to (col, row) for ``lon,lat`` files; without it such a file is
    an error (the image is not georeferenced)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header: list[str] | None = None
    hints: list[Hint] = []
    problems: list[tuple[int, str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"not CSV: {exc}", path=name, record=reader.line_num) from exc
        line = reader.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if {"x", "y", "label"} <= set(header):
                cols = (header.index("x"), header.index("y"), header.index("label"))
                geo = False
            elif {"lon", "lat", "label"} <= set(header):
                cols = (header.index("lon"), header.index("lat"), header.index("label"))
                geo = True
                if to_pixel is None:
                    raise InputError("lon,lat hints need a georeferenced image; use x,y (pixels)", path=name)
            else:
                raise InputError(
                    "header must have columns x,y,label or lon,lat,label", path=name, record=line
                )
            continue
        reason = None
        if len(row) <= max(cols):
            reason = "missing value"
        else:
            try:
                u, v = float(row[cols[0]]), float(row[cols[1]])
            except ValueError:
                reason = "coordinate not a number"
            else:
                lab = _label(row[cols[2]])
                if not (math.isfinite(u) and math.isfinite(v)):
                    reason = "coordinate not finite"
                elif lab is None:
                    reason = "label not 0 or 1"
                else:
                    if geo:
                        cu, rv = to_pixel(np.array([u]), np.array([v]))  # type: ignore[operator]
                        u, v = float(cu[0]), float(rv[0])
                    if not (0 <= u < width and 0 <= v < height):
                        reason = "outside the image"
                    else:
                        hints.append(Hint(u, v, lab))
        if reason:
            if strict:
                raise InputError(reason, path=name, record=line)
            problems.append((line, reason))
        if len(hints) > MAX_HINTS:
            raise InputError(f"more than {MAX_HINTS:,} hints", path=name)
    if header is None:
        raise InputError("empty hints file", path=name)
    if not hints:
        raise InputError(f"no usable hint ({len(problems)} rows skipped)", path=name)
    return HintSet(tuple(hints), tuple(problems))


def read_hints(
    path: Path, *, width: int, height: int, to_pixel: object = None, strict: bool = False
) -> HintSet:
    if not path.is_file():
        raise MissingFileError("no such hints file", path=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("hints file is not UTF-8 text", path=str(path)) from exc
    return parse_hints(text, width=width, height=height, to_pixel=to_pixel, strict=strict, name=str(path))


def simulate(label: npt.NDArray[np.bool_], n: int, seed: int) -> tuple[Hint, ...]:
    """A simulated analyst: ``n`` change and ``n`` no-change points drawn (seeded) from a label mask."""
    rng = np.random.default_rng(seed)
    out: list[Hint] = []
    for value in (True, False):
        rows, cols = np.nonzero(label == value)
        if len(rows) == 0 or n == 0:
            continue
        pick = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
        out.extend(Hint(float(cols[i]) + 0.5, float(rows[i]) + 0.5, value) for i in pick)
    return tuple(out)


def simulate_corrections(
    predicted: npt.NDArray[np.bool_], label: npt.NDArray[np.bool_], n: int, seed: int
) -> tuple[Hint, ...]:
    """A simulated analyst who looks at the method's result and clicks on its mistakes.

    False objects (connected parts of ``predicted`` with under half their pixels changed in ``label``) get
    a no-change point, missed objects (connected parts of ``label`` with under half their pixels predicted)
    a change point; at most ``n`` of each. Mistakes are visited in a seeded random order in which a larger
    one is more likely to come first (it is more visible); each point is placed at the innermost wrong
    pixel of its object, where an analyst would click. With fewer mistakes the analyst clicks fewer times.
    """
    rng = np.random.default_rng(seed)
    eight = np.ones((3, 3), dtype=bool)
    out: list[Hint] = []
    for objects_of, other, change in ((predicted, label, False), (label, predicted, True)):
        labels, count = ndi.label(objects_of, structure=eight)
        if count == 0 or n == 0:
            continue
        idx = np.arange(1, count + 1)
        size = ndi.sum_labels(np.ones(labels.shape), labels, idx)
        agree = ndi.sum_labels(other, labels, idx)
        wrong = idx[agree < 0.5 * size]
        if wrong.size == 0:
            continue
        weight = size[wrong - 1] / size[wrong - 1].sum()
        order = rng.choice(wrong, size=min(n, wrong.size), replace=False, p=weight)
        depth = ndi.distance_transform_edt(objects_of & ~other)
        for k in order:
            inside = np.where((labels == k) & ~other, depth, -1.0)
            r, c = np.unravel_index(int(np.argmax(inside)), inside.shape)
            out.append(Hint(float(c) + 0.5, float(r) + 0.5, change))
    return tuple(out)
