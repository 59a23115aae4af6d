"""A watched place: a workspace site (centroid; radius widened to cover a polygon) or a point."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    subject: str
    name: str
    lat: float
    lon: float
    radius_m: float

    def bbox(self, margin_m: float = 0.0) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) around the circle plus ``margin_m``."""
        r = (self.radius_m + margin_m) / 111_320.0
        dlon = min(180.0, r / max(0.01, math.cos(math.radians(self.lat))))
        return (
            max(-180.0, self.lon - dlon),
            max(-90.0, self.lat - r),
            min(180.0, self.lon + dlon),
            min(90.0, self.lat + r),
        )

    def point(self) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [self.lon, self.lat]}


def resolve_place(ws: Any, params: dict[str, Any]) -> Place:
    radius = float(params["radius_km"]) * 1000.0
    if "site" in params:
        from armswatch.maritime.event import haversine_m_np

        site = ws.get_site(params["site"])
        c = site.geometry.centroid
        xs, ys = _vertices(site.geometry)
        extent = float(haversine_m_np(c.y, c.x, ys, xs).max()) if len(xs) else 0.0
        return Place(f"site:{site.id}", site.name, float(c.y), float(c.x), max(radius, extent))
    lat, lon = float(params["lat"]), float(params["lon"])
    return Place(
        f"place:{lat:.5f},{lon:.5f}", str(params.get("place") or f"{lat:.4f},{lon:.4f}"), lat, lon, radius
    )


def _vertices(geom: Any) -> tuple[list[float], list[float]]:
    from shapely import get_coordinates

    coords = get_coordinates(geom)
    return [float(v) for v in coords[:, 0]], [float(v) for v in coords[:, 1]]
