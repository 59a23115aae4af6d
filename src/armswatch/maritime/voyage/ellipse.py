"""Time geography of a dark leg: where could a vessel have been while its AIS was off?

A vessel last heard at A at time t0 and heard again at B at t1, sailing no faster than ``v_max``,
can only have been at points P with ``dist(A, P) + dist(P, B) <= v_max * (t1 - t0)`` — an ellipse
with foci A and B (Hägerstrand's space-time prism projected on the map; Miller 1991). Distances are
geodesics on the WGS84 ellipsoid (pyproj ``Geod``), so the boundary is exact on the Earth, not in a
map projection: for each of ``n`` bearings from A the boundary distance ``r`` solves
``r + dist(P(r), B) = budget`` (monotone in ``r`` by the triangle inequality; bisection, vectorised
over the bearings). The ellipse is star-shaped from A, so the boundary points in bearing order
are a simple polygon.

A watched port P is *reachable* when it lies in the ellipse. For each port: the minimum speed a
call needs (``(dist(A,P) + dist(P,B)) / Δt``, with no stay), the longest possible stay at ``v_max``
(``Δt - (dist(A,P) + dist(P,B)) / v_max``) and the window in which the vessel could have been there
(earliest arrival ``t0 + dist(A,P)/v_max``, latest departure ``t1 - dist(P,B)/v_max``).

Straight (geodesic) legs are a lower bound on the sailing distance: where a leg crosses land (the
bundled land mask, :mod:`armswatch.maritime.landmask`) the real sea route is longer and the port
may be out of reach; such ports are flagged ``legs_cross_land`` rather than silently dropped, and
the share of the ellipse that is land is reported. Around-the-coast distances and the sea-only
region: :mod:`armswatch.maritime.voyage.searoute`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.maritime.event import KNOT_MPS

#: Largest budget drawn as a polygon (km): beyond this the "ellipse" wraps a good part of the
#: globe and says nothing useful on a map (and would cross the antimeridian).
MAX_DRAWN_KM = 4000.0


@lru_cache(maxsize=1)
def geod() -> Any:
    from pyproj import Geod

    return Geod(ellps="WGS84")


def budget_m(hours: float, vmax_kn: float) -> float:
    """Distance (m) a vessel covers in ``hours`` at ``vmax_kn``."""
    return float(max(hours, 0.0) * 3600.0 * vmax_kn * KNOT_MPS)


def distance_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Geodesic distance (m) on WGS84, broadcasting."""
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon1, np.float64),
        np.asarray(lat1, np.float64),
        np.asarray(lon2, np.float64),
        np.asarray(lat2, np.float64),
    )
    _, _, dist = geod().inv(a.ravel(), b.ravel(), c.ravel(), d.ravel())
    return np.asarray(dist, dtype=np.float64).reshape(a.shape)


def ellipse_boundary(
    off: tuple[float, float], on: tuple[float, float], budget: float, n: int = 144, iterations: int = 36
) -> npt.NDArray[np.float64] | None:
    """Boundary points ``(lon, lat)`` (n × 2, bearing order from ``off``) of the reachable set
    ``{P : dist(off,P) + dist(P,on) <= budget}``; None when ``budget < dist(off, on)`` (the
    silence cannot be bridged at that speed) or the budget exceeds :data:`MAX_DRAWN_KM`."""
    (alat, alon), (blat, blon) = off, on
    direct = float(distance_m(alat, alon, blat, blon))
    if budget < direct or budget <= 0 or budget > MAX_DRAWN_KM * 1000:
        return None
    g = geod()
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats = np.full(n, alon), np.full(n, alat)
    blons, blats = np.full(n, blon), np.full(n, blat)
    lo, hi = np.zeros(n), np.full(n, budget)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        x, y, _ = g.fwd(lons, lats, az, mid)
        _, _, d = g.inv(x, y, blons, blats)
        ok = mid + np.asarray(d) <= budget
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    x, y, _ = g.fwd(lons, lats, az, lo)
    return np.column_stack([np.asarray(x), np.asarray(y)])


def ellipse_polygon(off: tuple[float, float], on: tuple[float, float], budget: float, n: int = 144) -> Any:
    """The reachable set as a shapely Polygon in lon/lat (None when not drawable: see
    :func:`ellipse_boundary`, or when it would cross the antimeridian)."""
    import shapely

    pts = ellipse_boundary(off, on, budget, n)
    if pts is None or np.ptp(pts[:, 0]) > 180:
        return None
    return shapely.Polygon(pts).buffer(0)


def land_share(polygon: Any, step_deg: float = 0.05) -> float | None:
    """Share of the polygon's area that is inland by the land mask (grid sample every
    ``step_deg``, weighted by cos(latitude)); None without a polygon or mask."""
    import shapely

    from armswatch.maritime import landmask

    if polygon is None or landmask.bundled() is None:
        return None
    minx, miny, maxx, maxy = polygon.bounds
    step = max(step_deg, max(maxx - minx, maxy - miny) / 300)  # at most ~90,000 samples
    xs, ys = np.meshgrid(np.arange(minx, maxx, step) + step / 2, np.arange(miny, maxy, step) + step / 2)
    inside = shapely.contains_xy(polygon, xs.ravel(), ys.ravel())
    if not inside.any():
        return None
    w = np.cos(np.radians(ys.ravel()[inside]))
    land = landmask.inland(ys.ravel()[inside], xs.ravel()[inside])
    return float((w * land).sum() / w.sum())


@dataclass(frozen=True)
class PortFit:
    """One watched port against one dark leg."""

    site_id: str
    name: str
    lat: float
    lon: float
    reachable: bool
    via_km: float  # dist(off, port) + dist(port, on), geodesic
    off_km: float  # dist(off, port)
    on_km: float  # dist(port, on)
    min_speed_kn: float  # speed a touch-and-go call needs
    max_stay_h: float  # longest stay at v_max (negative: unreachable)
    earliest_arrival_h: float  # after the AIS went off
    latest_departure_h: float  # after the AIS went off
    legs_cross_land: bool  # a straight leg crosses inland cells: the sea route is longer
    port_inland: bool  # the port's point itself lies inland by the mask (bad gazetteer point)
    sea_via_km: float | None = None  # off→port→on around the coast (searoute), None: not computed / no way
    sea_reachable: bool | None = None  # sea_via_km within the budget (None: not computed)

    @property
    def in_reach(self) -> bool:
        """Inside the ellipse, and reachable by sea unless the sea check could not be made."""
        return self.reachable and self.sea_reachable is not False


def port_fits(
    off: tuple[float, float],
    on: tuple[float, float],
    hours: float,
    vmax_kn: float,
    ports: list[tuple[str, str, float, float]],
) -> list[PortFit]:
    """Feasibility of a call at each ``(site_id, name, lat, lon)`` port (vectorised over ports)."""
    from armswatch.maritime import landmask

    if not ports:
        return []
    plat = np.array([p[2] for p in ports], dtype=np.float64)
    plon = np.array([p[3] for p in ports], dtype=np.float64)
    d1 = distance_m(off[0], off[1], plat, plon)
    d2 = distance_m(plat, plon, on[0], on[1])
    via = d1 + d2
    v = vmax_kn * KNOT_MPS
    h = max(hours, 1e-9)
    min_speed = via / (h * 3600.0) / KNOT_MPS
    stay = hours - via / v / 3600.0
    reach = stay >= 0
    inland_port = landmask.inland(plat, plon)
    out = []
    for i, (sid, name, la, lo) in enumerate(ports):
        crosses = bool(reach[i]) and (_leg_on_land(off, (la, lo)) or _leg_on_land((la, lo), on))
        out.append(
            PortFit(
                site_id=sid,
                name=name,
                lat=la,
                lon=lo,
                reachable=bool(reach[i]),
                via_km=float(via[i] / 1000),
                off_km=float(d1[i] / 1000),
                on_km=float(d2[i] / 1000),
                min_speed_kn=float(min_speed[i]),
                max_stay_h=float(stay[i]),
                earliest_arrival_h=float(d1[i] / v / 3600.0),
                latest_departure_h=float(hours - d2[i] / v / 3600.0),
                legs_cross_land=crosses,
                port_inland=bool(inland_port[i]),
            )
        )
    return out


def _leg_on_land(a: tuple[float, float], b: tuple[float, float], spacing_m: float = 1000.0) -> bool:
    """Does the geodesic a→b pass over inland cells (sampled every ``spacing_m``)?"""
    from armswatch.maritime import landmask

    d = float(distance_m(a[0], a[1], b[0], b[1]))
    npts = int(min(max(d / spacing_m, 1), 5000))
    pts = geod().npts(a[1], a[0], b[1], b[0], npts)
    if not pts:
        return False
    arr = np.asarray(pts, dtype=np.float64)
    return bool(landmask.inland(arr[:, 1], arr[:, 0]).any())
