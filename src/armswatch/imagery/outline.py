"""Outlines drawn over an image: reading GeoJSON polygons and moving them between coordinate systems.

An outline file is GeoJSON (a FeatureCollection, a Feature or a bare geometry) of Polygons or
MultiPolygons. For a georeferenced image its coordinates are WGS84 longitude/latitude (RFC 7946); for
an image without georeferencing, or with ``coords="pixel"``, they are pixel (column, row) coordinates
with (0, 0) the top-left corner of the top-left pixel, as ``imagery change --footprints`` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery.raster import ImageInfo

Coords = Literal["auto", "wgs84", "pixel"]


@dataclass(frozen=True)
class Outline:
    """One polygon of an outline file, in the file's coordinates."""

    id: str
    name: str | None
    geometry: BaseGeometry
    properties: dict[str, Any]


def _features(doc: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise InputError("not GeoJSON (expected an object)", path=path)
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError("FeatureCollection without a features list", path=path)
        return feats
    if kind == "Feature":
        return [doc]
    if kind in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    raise InputError(f"expected polygons (FeatureCollection, Feature or Polygon), got {kind!r}", path=path)


def parse_outlines(doc: Any, path: str = "<outlines>") -> list[Outline]:
    """Outlines of a parsed GeoJSON document; a record that is not a valid polygon is an input error."""
    out: list[Outline] = []
    for n, feat in enumerate(_features(doc, path), start=1):
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            raise InputError("feature without a geometry", path=path, record=f"feature {n}")
        try:
            geom = shape(feat["geometry"])
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise InputError(f"bad geometry: {exc}", path=path, record=f"feature {n}") from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise InputError(
                f"expected a Polygon or MultiPolygon, got {geom.geom_type}", path=path, record=f"feature {n}"
            )
        if not geom.is_valid:
            raise InputError(
                f"invalid polygon ({shapely.is_valid_reason(geom)})", path=path, record=f"feature {n}"
            )
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        fid = feat.get("id", props.get("id", n))
        name = props.get("name")
        out.append(Outline(str(fid), None if name is None else str(name), geom, props))
    if not out:
        raise InputError("no polygons in the file", path=path)
    return out


def read_outlines(path: str | Path) -> list[Outline]:
    """Outlines of a GeoJSON file."""
    p = Path(path)
    if not p.is_file():
        raise MissingFileError("no such GeoJSON file", path=str(p))
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", path=str(p)) from exc
    return parse_outlines(doc, str(p))


def resolve_coords(info: ImageInfo, coords: Coords) -> Literal["wgs84", "pixel"]:
    """The coordinate system outlines are in: WGS84 for georeferenced images unless told otherwise."""
    if coords == "auto":
        return "wgs84" if info.georeferenced else "pixel"
    if coords == "wgs84" and not info.georeferenced:
        raise InputError("the image is not georeferenced, so outlines must be in pixel coordinates")
    return coords


def _apply(geom: BaseGeometry, fn: Any) -> BaseGeometry:
    return shapely.transform(geom, fn)


def apply_affine(t: tuple[float, ...], x: Any, y: Any) -> tuple[Any, Any]:
    """(x, y) through the affine (a, b, c, d, e, f): x' = a x + b y + c, y' = d x + e y + f."""
    a, b, c, d, e, f = t[:6]
    return a * x + b * y + c, d * x + e * y + f


def invert_affine(t: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = t[:6]
    det = a * e - b * d
    if det == 0:
        raise InputError("the image's geotransform cannot be inverted")
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    return (ia, ib, -(ia * c + ib * f), id_, ie, -(id_ * c + ie * f))


def wgs84_to_pixel(geom: BaseGeometry, info: ImageInfo) -> BaseGeometry:
    """WGS84 geometry to pixel (column, row) coordinates of a georeferenced image."""
    from pyproj import Transformer

    assert info.crs is not None and info.transform is not None
    tr = Transformer.from_crs("EPSG:4326", info.crs, always_xy=True)
    inv = invert_affine(info.transform)

    def fn(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        col, row = apply_affine(inv, np.asarray(x), np.asarray(y))
        return np.column_stack([col, row])

    return _apply(geom, fn)


def pixel_to_wgs84(geom: BaseGeometry, info: ImageInfo) -> BaseGeometry:
    """Pixel (column, row) geometry of a georeferenced image to WGS84."""
    from pyproj import Transformer

    assert info.crs is not None and info.transform is not None
    tr = Transformer.from_crs(info.crs, "EPSG:4326", always_xy=True)

    def fn(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = apply_affine(info.transform or (), xy[:, 0], xy[:, 1])
        lon, lat = tr.transform(np.asarray(x), np.asarray(y))
        return np.column_stack([lon, lat])

    return _apply(geom, fn)


def image_box(info: ImageInfo) -> BaseGeometry:
    """The image extent in pixel coordinates."""
    return shapely.box(0, 0, info.width, info.height)


def ground_pixel_size(info: ImageInfo) -> float | None:
    """Ground size (m) of a pixel at the image centre: the geometric mean of the geodesic lengths of one
    pixel step along a row and along a column. Unlike the nominal CRS resolution it is right for Web
    Mercator and other non-conformal-scale projections (1.35 m Mercator pixels are ~1 m at 42° N)."""
    if not info.georeferenced:
        return None
    from pyproj import Geod, Transformer

    assert info.crs is not None and info.transform is not None
    tr = Transformer.from_crs(info.crs, "EPSG:4326", always_xy=True)
    c, r = info.width / 2, info.height / 2
    xs, ys = apply_affine(info.transform, np.array([c, c + 1, c]), np.array([r, r, r + 1]))
    lon, lat = tr.transform(xs, ys)
    geod = Geod(ellps="WGS84")
    _, _, dx = geod.inv(lon[0], lat[0], lon[1], lat[1])
    _, _, dy = geod.inv(lon[0], lat[0], lon[2], lat[2])
    return float(np.sqrt(abs(dx) * abs(dy)))
