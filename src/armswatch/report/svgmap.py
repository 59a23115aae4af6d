"""The report map as inline SVG: offline base layer, graticule, site markers and finding geometries
in a Web-Mercator view (``report.projection``). Pure: values in, strings and small records out.
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
from armswatch.report.projection import Array, MapView, fit_view
from armswatch.sites.model import Site

MIN_SHAPE_UNITS: Final = 6.0  # lines/polygons smaller than this (SVG units) also get a point marker
GRID_STEPS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0)


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


def short_label(name: str, limit: int = 44) -> str:
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


def split_parts(
    geom: BaseGeometry,
) -> tuple[list[shapely.Point], shapely.MultiLineString | None, shapely.MultiPolygon | None]:
    """Points, lines and polygons of any geometry (collections flattened), drawn differently."""
    parts: list[BaseGeometry] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(
            g, (shapely.GeometryCollection, shapely.MultiPoint, shapely.MultiLineString, shapely.MultiPolygon)
        ):
            stack.extend(shapely.get_parts(g))
        elif not g.is_empty:
            parts.append(g)
    pts = [p for p in parts if isinstance(p, shapely.Point)]
    lines = [p for p in parts if isinstance(p, (shapely.LineString, shapely.LinearRing))]
    polys = [p for p in parts if isinstance(p, shapely.Polygon)]
    return (
        pts,
        shapely.MultiLineString(lines) if lines else None,
        shapely.MultiPolygon(polys) if polys else None,
    )


def build_map(sites: Iterable[Site], overlays: Iterable[Overlay]) -> SvgMap:
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
        pts, lines, polys = split_parts(o.geometry)
        for part in pts:
            points.append(Marker(o.ref, "", *_xy(view, part), o.css, o.tooltip))
        for group, extra in ((lines, " line"), (polys, "")):
            if group is None:
                continue
            # simplify to half an SVG unit: a 100k-point AIS track must not bloat the HTML
            simple = shapely.simplify(group, view.degrees_per_unit * 0.5, preserve_topology=True)
            shapes.append(Shape(o.ref, path_d(view, simple), o.css + extra, o.tooltip))
            x0, y0, x1, y1 = group.bounds
            w = (x1 - x0) / view.degrees_per_unit
            if w < MIN_SHAPE_UNITS and (y1 - y0) / view.degrees_per_unit < MIN_SHAPE_UNITS:
                points.append(Marker(o.ref, "", *_xy(view, group), o.css, o.tooltip))
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
