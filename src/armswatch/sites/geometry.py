"""Site geometry: WGS84 Point or Polygon, GeoJSON both ways, validation and reprojection.

Validation rejects what would silently mislead an analyst: non-finite or out-of-range lon/lat,
unclosed polygon rings (shapely would quietly close them), self-intersecting polygons, and
projected coordinates outside the world of their CRS (PROJ wraps EPSG:3857 x = 3e7 to lon -90.5; a
point that does not come back to itself through the inverse projection is refused). A geometry has at
most :data:`MAX_VERTICES` vertices (a site is a place, not a coastline; memory stays bounded).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

from armswatch.errors import InputError

WGS84: Final = CRS.from_user_input("OGC:CRS84")
MAX_VERTICES: Final = 100_000
_ROUND_TRIP_TOLERANCE: Final = 1e-6  # relative, plus 1 mm / 1e-8 degree absolute


def validate_geometry(geom: object) -> Point | Polygon:
    """Check a shapely geometry is a valid WGS84 Point or Polygon; return it unchanged."""
    if not isinstance(geom, (Point, Polygon)):
        raise InputError(f"geometry must be a Point or Polygon, got {type(geom).__name__}")
    if geom.is_empty:
        raise InputError("geometry is empty")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise InputError(f"geometry has more than {MAX_VERTICES:,} vertices")
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


MAX_WKT_PARENS: Final = 10_000


def geometry_from_wkt(text: str) -> Point | Polygon:
    """A validated Point/Polygon from WKT (lon lat order). Nesting is bounded before GEOS parses it."""
    from shapely.errors import GEOSException

    if text.count("(") > MAX_WKT_PARENS:
        raise InputError(f"WKT has more than {MAX_WKT_PARENS:,} parentheses")
    try:
        geom = shapely.from_wkt(text)
    except GEOSException as err:
        reason = "polygon ring is not closed" if "closed" in str(err) else f"bad WKT: {err}"
        raise InputError(reason) from err
    return validate_geometry(geom)


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
    if len(value) > MAX_VERTICES:
        raise InputError(f"polygon ring {index} has more than {MAX_VERTICES:,} positions")
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
        if sum(len(r) if isinstance(r, (list, tuple)) else 0 for r in coords) > MAX_VERTICES:
            raise InputError(f"polygon has more than {MAX_VERTICES:,} positions")
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
    shown = crs_name if len(crs_name) <= 80 else crs_name[:77] + "..."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # '+init=' syntax is deprecated (FutureWarning)
            crs = CRS.from_user_input(crs_name)
            if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True):
                return None
            return Transformer.from_crs(crs, WGS84, always_xy=True)
    except (CRSError, ProjError) as err:
        raise InputError(f"unknown CRS {shown!r}") from err


def reproject(geom: Point | Polygon, transform: Transformer) -> Point | Polygon:
    """Apply a pyproj transformer to every vertex at once (vectorised).

    A vertex that the inverse projection does not bring back to where it was (outside the CRS's
    world, where PROJ wraps or folds coordinates) or that cannot be projected is an InputError.
    """

    def _apply(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
        try:
            x, y = transform.transform(xy[:, 0], xy[:, 1])
            back_x, back_y = transform.transform(x, y, direction="INVERSE")
        except ProjError as err:
            raise InputError(f"coordinates cannot be reprojected: {err}") from err
        out = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        back = np.column_stack([np.asarray(back_x, dtype=float), np.asarray(back_y, dtype=float)])
        with np.errstate(invalid="ignore", over="ignore"):
            tolerance = _ROUND_TRIP_TOLERANCE * np.maximum(np.abs(xy), 1.0) + 1e-3
            bad = ~np.all(np.abs(back - xy) <= tolerance, axis=1)
        if np.any(bad):
            first = xy[int(np.argmax(bad))]
            raise InputError(
                f"coordinate outside the area of its CRS: ({float(first[0])!r}, {float(first[1])!r})"
            )
        return out

    out = shapely.transform(geom, _apply)
    assert isinstance(out, (Point, Polygon))
    return out
