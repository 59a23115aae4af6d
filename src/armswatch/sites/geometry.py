"""Site geometry: WGS84 Point or Polygon, GeoJSON both ways, validation and reprojection.

Validation rejects what would silently mislead an analyst: non-finite or out-of-range lon/lat,
unclosed polygon rings (shapely would quietly close them), self-intersecting polygons.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

from armswatch.errors import InputError

WGS84: Final = CRS.from_user_input("OGC:CRS84")


def validate_geometry(geom: object) -> Point | Polygon:
    """Check a shapely geometry is a valid WGS84 Point or Polygon; return it unchanged."""
    if not isinstance(geom, (Point, Polygon)):
        raise InputError(f"geometry must be a Point or Polygon, got {type(geom).__name__}")
    if geom.is_empty:
        raise InputError("geometry is empty")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    coords = shapely.get_coordinates(geom)
    if not np.all(np.isfinite(coords)):
        raise InputError("geometry has a non-finite coordinate")
    lon, lat = coords[:, 0], coords[:, 1]
    if np.any(np.abs(lon) > 180.0):
        raise InputError(f"longitude out of range [-180, 180]: {float(lon[np.argmax(np.abs(lon))])}")
    if np.any(np.abs(lat) > 90.0):
        raise InputError(f"latitude out of range [-90, 90]: {float(lat[np.argmax(np.abs(lat))])}")
    if isinstance(geom, Polygon) and not geom.is_valid:
        raise InputError(f"polygon is not valid: {explain_validity(geom)}")
    return geom


def _position(value: object, where: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        raise InputError(f"{where}: a position must be [lon, lat], got {value!r}")
    try:
        x, y = float(value[0]), float(value[1])
    except (TypeError, ValueError) as err:
        raise InputError(f"{where}: position has a non-numeric coordinate: {value!r}") from err
    if (
        isinstance(value[0], bool)
        or isinstance(value[1], bool)
        or not (math.isfinite(x) and math.isfinite(y))
    ):
        raise InputError(f"{where}: position has a non-finite coordinate: {value!r}")
    return (x, y)


def _ring(value: object, index: int) -> list[tuple[float, float]]:
    if not isinstance(value, (list, tuple)):
        raise InputError(f"polygon ring {index} must be a list of positions")
    ring = [_position(p, f"polygon ring {index}") for p in value]
    if len(ring) < 4:
        raise InputError(f"polygon ring {index} has {len(ring)} positions; at least 4 are needed")
    if ring[0] != ring[-1]:
        raise InputError("polygon ring is not closed" + (f" (ring {index})" if index else ""))
    return ring


def geometry_from_geojson(obj: object, transform: Transformer | None = None) -> Point | Polygon:
    """Build a validated Point/Polygon from a GeoJSON geometry, reprojecting first if given a transformer."""
    if not isinstance(obj, dict):
        raise InputError("geometry must be a GeoJSON object")
    gtype, coords = obj.get("type"), obj.get("coordinates")
    if gtype == "Point":
        geom: Point | Polygon = Point(_position(coords, "point"))
    elif gtype == "Polygon":
        if not isinstance(coords, (list, tuple)) or not coords:
            raise InputError("polygon has no rings")
        rings = [_ring(r, i) for i, r in enumerate(coords)]
        geom = Polygon(rings[0], rings[1:])
    else:
        raise InputError(f"geometry type must be Point or Polygon, got {gtype!r}")
    if transform is not None:
        geom = reproject(geom, transform)
    return validate_geometry(geom)


def _coord_list(coords: Sequence[Sequence[float]]) -> list[list[float]]:
    return [[float(c[0]), float(c[1])] for c in coords]


def geometry_to_geojson(geom: Point | Polygon) -> dict[str, Any]:
    """A GeoJSON geometry dict (lists, not tuples, so it compares equal after a JSON round trip)."""
    if isinstance(geom, Point):
        return {"type": "Point", "coordinates": [float(geom.x), float(geom.y)]}
    rings = [geom.exterior, *geom.interiors]
    return {"type": "Polygon", "coordinates": [_coord_list(r.coords) for r in rings]}


@lru_cache(maxsize=32)
def transformer_for(crs_name: str) -> Transformer | None:
    """A transformer from ``crs_name`` to lon/lat WGS84, or None when it already is WGS84 lon/lat.

    Unknown CRS → InputError. Geographic WGS84 in any axis order is taken as lon/lat, as GeoJSON
    writers always did in practice.
    """
    try:
        crs = CRS.from_user_input(crs_name)
    except CRSError as err:
        raise InputError(f"unknown CRS {crs_name!r}") from err
    if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def reproject(geom: Point | Polygon, transform: Transformer) -> Point | Polygon:
    """Apply a pyproj transformer to every vertex at once (vectorised)."""

    def _apply(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
        x, y = transform.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])

    out = shapely.transform(geom, _apply)
    assert isinstance(out, (Point, Polygon))
    return out
