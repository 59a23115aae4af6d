"""An analyst's confirmed object centres for training a counting model, and the folder that holds them.

A training folder holds images and, per image ``NAME.png`` (any image GDAL reads), the centres of the
objects the analyst confirmed in ``NAME.geojson`` or ``NAME.csv`` — the files ``imagery count
--positions`` writes, so *count, correct with --add/--remove, write the positions, train* — and optionally
the search area in ``NAME.area.geojson`` (default: the whole image). Everything else in the search area is
taken for "not an object", so the positions must be complete inside the area.

* GeoJSON: a FeatureCollection (or a Feature, Point or MultiPoint) of points. Coordinates are WGS84
  lon,lat for a georeferenced image and pixel column,row otherwise, unless the collection's
  ``properties.coordinates`` says ``pixel …`` or ``WGS84`` (as ``--positions`` writes it).
* CSV: a header with ``x`` and ``y`` columns (other columns are ignored), one object a row, in the same
  coordinates.

Bad files are an :class:`~armswatch.errors.InputError` naming the file (and the CSV line or GeoJSON
feature); nothing else is parsed as markup or formulas.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery.labelset import IMAGE_EXTS

MAX_POINTS = 1_000_000
AREA_SUFFIX = ".area.geojson"
LABEL_SUFFIXES = (".geojson", ".json", ".csv")

Point = tuple[float, float]
System = Literal["wgs84", "pixel"] | None


@dataclass(frozen=True)
class Labels:
    """Confirmed object centres and the coordinate system the file declares (None: not declared)."""

    points: tuple[Point, ...]
    coords: System = None


def _number(v: Any, where: str, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputError(f"{where}: coordinates must be numbers", path=path)
    try:
        f = float(v)
    except OverflowError:  # an integer too large for a float
        f = math.inf
    if not math.isfinite(f):
        raise InputError(f"{where}: coordinates must be finite", path=path)
    return f


def _position(v: Any, where: str, path: str) -> Point:
    if not isinstance(v, list) or len(v) < 2:
        raise InputError(f"{where}: a point needs [x, y]", path=path)
    return _number(v[0], where, path), _number(v[1], where, path)


def _geometry_points(g: Any, where: str, path: str) -> list[Point]:
    if not isinstance(g, dict):
        raise InputError(f"{where}: no geometry", path=path)
    kind = g.get("type")
    if kind == "Point":
        return [_position(g.get("coordinates"), where, path)]
    if kind == "MultiPoint":
        coords = g.get("coordinates")
        if not isinstance(coords, list):
            raise InputError(f"{where}: MultiPoint needs a list of points", path=path)
        return [_position(c, where, path) for c in coords]
    raise InputError(f"{where}: object centres must be Point geometries (got {str(kind)[:40]!r})", path=path)


def parse_geojson(data: bytes, path: str) -> Labels:
    """Points of a GeoJSON document (see the module docstring)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {str(exc)[:120]}", path=path) from exc
    if not isinstance(doc, dict):
        raise InputError("GeoJSON must be an object", path=path)
    coords: System = None
    props = doc.get("properties")
    if isinstance(props, dict) and isinstance(props.get("coordinates"), str):
        text = props["coordinates"].strip().lower()
        coords = "pixel" if text.startswith("pixel") else "wgs84" if text.startswith("wgs84") else None
    kind = doc.get("type")
    points: list[Point] = []
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError("FeatureCollection needs a features list", path=path)
        for i, f in enumerate(feats, start=1):
            if not isinstance(f, dict):
                raise InputError(f"feature {i}: not an object", path=path)
            points.extend(_geometry_points(f.get("geometry"), f"feature {i}", path))
            if len(points) > MAX_POINTS:
                raise InputError(f"more than {MAX_POINTS:,} points", path=path)
    elif kind == "Feature":
        points = _geometry_points(doc.get("geometry"), "feature", path)
    else:
        points = _geometry_points(doc, "geometry", path)
    return Labels(tuple(points), coords)


def parse_csv(data: bytes, path: str) -> Labels:
    """Points of a CSV with ``x`` and ``y`` columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("CSV is not UTF-8 text", path=path) from exc
    points: list[Point] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        names = [n.strip().lower() for n in reader.fieldnames or []]
        if "x" not in names or "y" not in names:
            raise InputError("CSV needs a header with x and y columns", path=path)
        reader.fieldnames = names
        for line, row in enumerate(reader, start=2):
            x, y = (row.get(k) for k in ("x", "y"))
            if not isinstance(x, str) or not isinstance(y, str):
                raise InputError("x and y are missing", path=path, record=line)
            if (
                not x.strip()
                and not y.strip()
                and not any(isinstance(v, str) and v.strip() for v in row.values())
            ):
                continue  # a blank line
            try:
                px, py = float(x), float(y)
            except ValueError as exc:
                raise InputError("x and y must be numbers", path=path, record=line) from exc
            if not (math.isfinite(px) and math.isfinite(py)):
                raise InputError("x and y must be finite", path=path, record=line)
            points.append((px, py))
            if len(points) > MAX_POINTS:
                raise InputError(f"more than {MAX_POINTS:,} points", path=path)
    except csv.Error as exc:
        raise InputError(f"CSV: {exc}", path=path) from exc
    return Labels(tuple(points))


def read_labels(path: Path) -> Labels:
    """Object centres of a ``.geojson``/``.json`` or ``.csv`` file."""
    if not path.is_file():
        raise MissingFileError("no such label file", path=str(path))
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        return parse_csv(data, str(path))
    return parse_geojson(data, str(path))


@dataclass(frozen=True)
class LabelledImage:
    """One training image, its label file and its optional search-area file."""

    image: Path
    labels: Path
    area: Path | None


def scan_folder(folder: Path) -> list[LabelledImage]:
    """The labelled images of a training folder; a label file without an image, an image without a label
    file, or two label files for one image is an InputError naming the file."""
    if not folder.is_dir():
        raise MissingFileError("no such folder", path=str(folder))
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    images = {p.stem: p for p in files if p.suffix.lower() in IMAGE_EXTS}
    areas = {p.name[: -len(AREA_SUFFIX)]: p for p in files if p.name.lower().endswith(AREA_SUFFIX)}
    labels: dict[str, Path] = {}
    for p in files:
        if p.suffix.lower() not in LABEL_SUFFIXES or p.name.lower().endswith(AREA_SUFFIX):
            continue
        if p.stem not in images:
            raise InputError("label file without an image of the same name", path=str(p))
        if p.stem in labels:
            raise InputError(
                f"two label files for {images[p.stem].name} ({labels[p.stem].name}); keep one", path=str(p)
            )
        labels[p.stem] = p
    for stem, p in areas.items():
        if stem not in images:
            raise InputError("search-area file without an image of the same name", path=str(p))
    if not images:
        raise InputError("no images in the training folder", path=str(folder))
    out = []
    for stem, img in images.items():
        if stem not in labels:
            raise InputError(
                f"no {stem}.geojson or {stem}.csv with the confirmed object centres", path=str(img)
            )
        out.append(LabelledImage(img, labels[stem], areas.get(stem)))
    return out
