"""Web-Mercator projection for the report map: fit a view to the content, project lon/lat to SVG units.

Limits: views crossing the antimeridian are not handled (the view spans the plain lon range);
latitude is clamped to ±85° as in every Web-Mercator map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

MAX_LAT: Final = 85.0
DEFAULT_BBOX: Final = (124.0, 37.0, 134.0, 46.0)  # Korean peninsula and Primorye, used when nothing is placed
Array = np.ndarray[Any, np.dtype[np.float64]]


def _merc_y(lat: Array) -> Array:
    phi = np.radians(np.clip(lat, -MAX_LAT, MAX_LAT))
    return np.log(np.tan(np.pi / 4 + phi / 2))


def _inv_merc_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


@dataclass(frozen=True)
class MapView:
    """A Web-Mercator window: lon/lat bbox shown and the affine map to SVG user units."""

    bbox: tuple[float, float, float, float]
    width: float
    height: float
    x0: float
    y1: float
    scale: float

    def project(self, lon: Array, lat: Array) -> tuple[Array, Array]:
        x = (np.radians(lon) - self.x0) * self.scale
        y = (self.y1 - _merc_y(lat)) * self.scale
        return x, y

    @property
    def degrees_per_unit(self) -> float:
        return (self.bbox[2] - self.bbox[0]) / self.width


def fit_view(
    geoms: Sequence[BaseGeometry],
    *,
    width: float = 1000.0,
    height: float = 620.0,
    pad: float = 0.08,
    min_span: float = 0.4,
    adapt_height: bool = True,
    min_height: float = 320.0,
    label_room: float = 0.12,
) -> MapView:
    """The smallest view of the given width×height holding every geometry, with ``pad`` margin."""
    coords = shapely.get_coordinates(np.asarray(list(geoms), dtype=object)) if geoms else np.empty((0, 2))
    if coords.size == 0:
        lon0, lat0, lon1, lat1 = DEFAULT_BBOX
    else:
        lon0, lat0 = coords.min(axis=0)
        lon1, lat1 = coords.max(axis=0)
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    half = max(lon1 - lon0, min_span) / 2
    lon0, lon1 = max(cx - half, -180.0), min(cx + half, 180.0)
    half = max(lat1 - lat0, min_span) / 2
    lat0, lat1 = max(cy - half, -MAX_LAT), min(cy + half, MAX_LAT)
    mx0, mx1 = math.radians(lon0), math.radians(lon1)
    my0, my1 = (float(v) for v in _merc_y(np.array([lat0, lat1])))
    # extra room on the right (east) so labels of the easternmost markers are not cut off
    span_x, span_y = (mx1 - mx0) * (1 + 2 * pad + label_room), (my1 - my0) * (1 + 2 * pad)
    if adapt_height:
        height = min(max(width * span_y / span_x, min_height), height)
    scale = min(width / span_x, height / span_y)
    mcx, mcy = (mx0 + mx1) / 2 + (mx1 - mx0) * label_room / 2, (my0 + my1) / 2
    x0, x1 = mcx - width / scale / 2, mcx + width / scale / 2
    y0, y1 = mcy - height / scale / 2, mcy + height / scale / 2
    y0, y1 = max(y0, float(_merc_y(np.array([-MAX_LAT]))[0])), min(y1, float(_merc_y(np.array([MAX_LAT]))[0]))
    bbox = (math.degrees(x0), _inv_merc_y(y0), math.degrees(x1), _inv_merc_y(y1))
    return MapView(bbox=bbox, width=width, height=height, x0=x0, y1=y1, scale=scale)
