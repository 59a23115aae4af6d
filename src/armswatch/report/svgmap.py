"""The report map as inline SVG: Web-Mercator projection fitted to the content, offline base layer,
graticule, site markers and finding geometries. Pure: values in, strings and small records out.

Limits: views crossing the antimeridian are not handled (the view spans the plain lon range);
latitude is clamped to ±85° as in every Web-Mercator map.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from armswatch.report.basemap import clip_countries
from armswatch.sites.model import Site

MAX_LAT: Final = 85.0
DEFAULT_BBOX: Final = (124.0, 37.0, 134.0, 46.0)  # Korean peninsula and Primorye, used when nothing is placed
MIN_SHAPE_UNITS: Final = 6.0  # lines/polygons smaller than this (SVG units) also get a point marker
GRID_STEPS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0)
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


def _ring_d(view: MapView, coords: Array, close: bool) -> str:
    x, y = view.project(coords[:, 0], coords[:, 1])
    pts = np.round(np.column_stack([x, y]), 1).tolist()
    if len(pts) < 2:
        return ""
    body = " ".join(f"{a:g},{b:g}" for a, b in pts)
    return f"M{body}{'Z' if close else ''}"


def path_d(view: MapView, geom: BaseGeometry) -> str:
    """SVG path data for lines and polygons (all parts and rings; even-odd fill for holes)."""
    parts: list[str] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            for ring in (part.exterior, *part.interiors):
                parts.append(_ring_d(view, np.asarray(ring.coords), close=True))
        elif isinstance(part, shapely.LineString):
            parts.append(_ring_d(view, np.asarray(part.coords), close=False))
        elif isinstance(part, shapely.GeometryCollection):
            parts.append(path_d(view, part))
    return "".join(p for p in parts if p)


def basemap_d(view: MapView) -> str:
    """One path for all country outlines in view, simplified to about half an SVG unit."""
    geoms = clip_countries(view.bbox, tolerance=view.degrees_per_unit * 0.5)
    return "".join(path_d(view, g) for g in geoms)


@dataclass(frozen=True)
class GridLine:
    d: str
    label: str
    x: float
    y: float
    axis: str


def _fmt_deg(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    return f"{abs(value):g}°{hemi}"


def graticule(view: MapView, max_lines: int = 9) -> list[GridLine]:
    """Meridians and parallels at a round step giving at most ``max_lines`` lines per axis."""
    lon0, lat0, lon1, lat1 = view.bbox
    span = max(lon1 - lon0, lat1 - lat0)
    step = next((s for s in GRID_STEPS if span / s <= max_lines), GRID_STEPS[-1])
    lines: list[GridLine] = []
    for lon in np.arange(math.ceil(lon0 / step) * step, lon1, step):
        x, _ = view.project(np.array([lon]), np.array([0.0]))
        xv = round(float(x[0]), 1)
        lines.append(
            GridLine(f"M{xv:g},0V{view.height:g}", _fmt_deg(round(lon, 4), "E", "W"), xv, 12.0, "lon")
        )
    for lat in np.arange(math.ceil(lat0 / step) * step, lat1, step):
        _, y = view.project(np.array([0.0]), np.array([lat]))
        yv = round(float(y[0]), 1)
        lines.append(
            GridLine(f"M0,{yv:g}H{view.width:g}", _fmt_deg(round(lat, 4), "N", "S"), 4.0, yv - 3, "lat")
        )
    return lines


@dataclass(frozen=True)
class Marker:
    """A point symbol: a site, or a finding/feature given as a point."""

    ref: str
    label: str
    x: float
    y: float
    css: str
    tooltip: str


@dataclass(frozen=True)
class Shape:
    """A line or polygon drawn from a finding geometry or a section feature."""

    ref: str
    d: str
    css: str
    tooltip: str


@dataclass(frozen=True)
class SvgMap:
    view: MapView
    basemap: str
    grid: tuple[GridLine, ...]
    sites: tuple[Marker, ...]
    shapes: tuple[Shape, ...]
    points: tuple[Marker, ...]
    site_areas: tuple[Shape, ...] = ()


def _xy(view: MapView, geom: BaseGeometry) -> tuple[float, float]:
    pt = geom if isinstance(geom, shapely.Point) else geom.representative_point()
    x, y = view.project(np.array([pt.x]), np.array([pt.y]))
    return round(float(x[0]), 1), round(float(y[0]), 1)


@dataclass(frozen=True)
class Overlay:
    """A finding geometry or section feature to draw: ``ref`` links it to a card, ``css`` colours it."""

    ref: str
    geometry: BaseGeometry
    css: str
    tooltip: str


def overlay_from_geojson(
    ref: str, geometry: Mapping[str, Any] | None, css: str, tooltip: str
) -> Overlay | None:
    """Parse a GeoJSON geometry for drawing; None when absent, empty or not parseable."""
    if not geometry:
        return None
    try:
        geom = shape(dict(geometry))
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError):
        return None
    return None if geom.is_empty else Overlay(ref, geom, css, tooltip)


def short_label(name: str, limit: int = 32) -> str:
    """A map label: the name up to its first parenthesis, comma or " / " (if that leaves at least
    4 characters, else up to the first comma), cut to ``limit`` characters."""
    label = name.split(" (")[0].split(",")[0].split(" / ")[0].strip()
    if len(label) < 4:
        label = name.split(",")[0].strip()
    label = label or name
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _geoms(sites: Sequence[Site], overlays: Sequence[Overlay]) -> list[BaseGeometry]:
    return [s.geometry for s in sites] + [o.geometry for o in overlays]


def detail_subset(
    sites: Sequence[Site], overlays: Sequence[Overlay], radius: float = 6.0, ratio: float = 3.0
) -> tuple[list[Site], list[Overlay]] | None:
    """The content within ``radius``° of the median location, when the whole extent is ``ratio``× wider.

    Used to add a detail map when a few far-away places (a depot in European Russia) would squeeze
    the main cluster (the Korean peninsula and Primorye) into a corner.
    """
    geoms = _geoms(sites, overlays)
    if len(geoms) < 3:
        return None
    pts = shapely.get_coordinates(shapely.centroid(np.asarray(geoms, dtype=object)))
    med = np.median(pts, axis=0)
    near = np.all(np.abs(pts - med) <= radius, axis=1)
    if near.all() or near.sum() < 2:
        return None
    full = np.ptp(pts, axis=0).max()
    part = max(float(np.ptp(pts[near], axis=0).max()), 0.4)
    if full < ratio * part:
        return None
    n = len(sites)
    return [s for s, k in zip(sites, near[:n], strict=True) if k], [
        o for o, k in zip(overlays, near[n:], strict=True) if k
    ]


def build_map(sites: Iterable[Site], overlays: Iterable[Overlay], *, all_sites: bool = True) -> SvgMap:
    """Fit a view to sites and overlays, then project everything into SVG-ready records."""
    site_list, overlay_list = list(sites), list(overlays)
    view = fit_view(_geoms(site_list, overlay_list))
    site_marks = tuple(
        Marker(
            s.id,
            short_label(s.name),
            *_xy(view, s.geometry),
            f"site prec-{s.precision} kind-{s.kind}",
            f"{s.name} ({s.kind}; location precision: {s.precision})",
        )
        for s in site_list
    )
    shapes: list[Shape] = []
    points: list[Marker] = []
    for o in overlay_list:
        if isinstance(o.geometry, (shapely.Point, shapely.MultiPoint)):
            for part in shapely.get_parts(o.geometry):
                points.append(Marker(o.ref, "", *_xy(view, part), o.css, o.tooltip))
        else:
            # simplify to half an SVG unit: a 100k-point AIS track must not bloat the HTML
            simple = shapely.simplify(o.geometry, view.degrees_per_unit * 0.5, preserve_topology=True)
            shapes.append(Shape(o.ref, path_d(view, simple), o.css, o.tooltip))
            x0, y0, x1, y1 = o.geometry.bounds
            w = (x1 - x0) / view.degrees_per_unit
            if w < MIN_SHAPE_UNITS and (y1 - y0) / view.degrees_per_unit < MIN_SHAPE_UNITS:
                points.append(Marker(o.ref, "", *_xy(view, o.geometry), o.css, o.tooltip))
    areas = tuple(
        Shape(s.id, path_d(view, s.geometry), f"site-area prec-{s.precision}", f"{s.name} (site outline)")
        for s in site_list
        if isinstance(s.geometry, shapely.Polygon)
    )
    return SvgMap(
        view, basemap_d(view), tuple(graticule(view)), site_marks, tuple(shapes), tuple(points), areas
    )


def build_maps(sites: Sequence[Site], overlays: Sequence[Overlay]) -> list[SvgMap]:
    """The overview map, plus a detail map of the main cluster when the overview squeezes it."""
    maps = [build_map(sites, overlays)]
    subset = detail_subset(sites, overlays)
    if subset is not None:
        maps.append(build_map(*subset))
    return maps
