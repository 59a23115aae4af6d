"""Sea-only reachability: distances around the coast on a water grid, and the sea-only prism.

The ellipse of :mod:`armswatch.maritime.voyage.ellipse` uses straight geodesics, which cross land.
Here the same question is asked on water only: a grid over the ellipse's bounding box (cells of at
least 1 arcminute, coarser for large boxes so that it stays under ``max_cells``), water = every cell
the bundled land mask does not call *inland* (so water plus a ≥ 1.85 km coastal margin: a spit or
peninsula narrower than ~3.7 km is passable — a limit of the mask, stated in docs/voyages.md),
8-neighbour moves weighted by their great-circle length, shortest paths by Dijkstra
(``scipy.sparse.csgraph``) from the off and the on position. A cell is in the **sea-only region**
when ``sea(off, cell) + sea(cell, on) <= budget``; the region is polygonised (``rasterio.features
.shapes``) for the map. Each port gets ``sea_via_km`` = ``sea(off, port) + sea(port, on)`` (the port's
point snapped to the nearest water cell within 5 km; else no sea figure).

A grid path is 8-directional, so it overestimates a straight open-water run by up to ~8 %
(1/cos 22.5°); the straight geodesic remains the lower bound, this the practical upper one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.maritime.event import haversine_m_np

MAX_CELLS = 60_000
SNAP_KM = 5.0


@dataclass(frozen=True)
class SeaGrid:
    lat0: float  # centre of row 0 (south)
    lon0: float  # centre of column 0 (west)
    step: float  # degrees
    water: npt.NDArray[np.bool_]  # (rows, cols)

    def cell(self, lat: float, lon: float) -> tuple[int, int]:
        return round((lat - self.lat0) / self.step), round((lon - self.lon0) / self.step)

    def centres(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        rows, cols = self.water.shape
        lat = self.lat0 + np.arange(rows, dtype=np.float64) * self.step
        lon = self.lon0 + np.arange(cols, dtype=np.float64) * self.step
        return lat.astype(np.float64), lon.astype(np.float64)


def sea_grid(bounds: tuple[float, float, float, float], max_cells: int = MAX_CELLS) -> SeaGrid | None:
    """Water grid over ``(min_lon, min_lat, max_lon, max_lat)`` (None without the land mask)."""
    from armswatch.maritime import landmask

    if landmask.bundled() is None:
        return None
    minx, miny, maxx, maxy = bounds
    area = max(maxx - minx, 1e-6) * max(maxy - miny, 1e-6)
    step = max(1 / 60, float(np.sqrt(area / max_cells)))
    lat = np.arange(miny, maxy + step, step)
    lon = np.arange(minx, maxx + step, step)
    lat = lat[np.abs(lat) < 89.9]
    glon, glat = np.meshgrid(lon, lat)
    water = ~landmask.inland(glat.ravel(), glon.ravel())
    return SeaGrid(float(lat[0]), float(lon[0]), step, water.reshape(glat.shape))


def _graph(grid: SeaGrid) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols = grid.water.shape
    lat, lon = grid.centres()
    idx = np.arange(rows * cols).reshape(rows, cols)
    src: list[npt.NDArray[np.int64]] = []
    dst: list[npt.NDArray[np.int64]] = []
    wts: list[npt.NDArray[np.float64]] = []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        r0, r1 = max(0, -dr), rows - max(0, dr)
        c0, c1 = max(0, -dc), cols - max(0, dc)
        a = idx[r0:r1, c0:c1]
        b = idx[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
        ok = grid.water[r0:r1, c0:c1] & grid.water[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
        la = np.broadcast_to(lat[r0:r1, None], a.shape)
        lb = np.broadcast_to(lat[r0 + dr : r1 + dr, None], a.shape)
        oa = np.broadcast_to(lon[None, c0:c1], a.shape)
        ob = np.broadcast_to(lon[None, c0 + dc : c1 + dc], a.shape)
        w = haversine_m_np(la[ok], oa[ok], lb[ok], ob[ok])
        src += [a[ok], b[ok]]
        dst += [b[ok], a[ok]]
        wts += [w, w]
    n = rows * cols
    return csr_matrix((np.concatenate(wts), (np.concatenate(src), np.concatenate(dst))), shape=(n, n))


def _snap(grid: SeaGrid, lat: float, lon: float) -> int | None:
    """Index of the water cell nearest to the point, within :data:`SNAP_KM`."""
    rows, cols = grid.water.shape
    r, c = grid.cell(lat, lon)
    k = int(np.ceil(SNAP_KM / (grid.step * 111.0))) + 1
    r0, r1, c0, c1 = max(r - k, 0), min(r + k + 1, rows), max(c - k, 0), min(c + k + 1, cols)
    if r0 >= r1 or c0 >= c1:
        return None
    la, lo = grid.centres()
    sub = grid.water[r0:r1, c0:c1]
    if not sub.any():
        return None
    gl, go = np.meshgrid(la[r0:r1], lo[c0:c1], indexing="ij")
    d = np.where(sub, haversine_m_np(lat, lon, gl, go), np.inf)
    i = int(np.argmin(d))
    if d.flat[i] > SNAP_KM * 1000:
        return None
    rr, cc = np.unravel_index(i, sub.shape)
    return int((r0 + rr) * cols + (c0 + cc))


@dataclass(frozen=True)
class SeaReach:
    region: Any  # shapely (Multi)Polygon of the sea-only prism, or None when empty
    port_sea_via_km: tuple[float | None, ...]  # per port; None: not near the grid's water; inf: no route
    cell_deg: float


def sea_reach(
    off: tuple[float, float],
    on: tuple[float, float],
    budget_m: float,
    bounds: tuple[float, float, float, float],
    ports: list[tuple[float, float]],
) -> SeaReach | None:
    """Sea-only distances and region for one silence (None without a mask or when the off or on
    position is not near water on the grid)."""
    from scipy.sparse.csgraph import dijkstra

    grid = sea_grid(bounds)
    if grid is None:
        return None
    a, b = _snap(grid, *off), _snap(grid, *on)
    if a is None or b is None:
        return None
    dist = dijkstra(_graph(grid), directed=False, indices=[a, b], limit=budget_m)
    total = dist[0] + dist[1]
    via: list[float | None] = []
    for plat, plon in ports:
        p = _snap(grid, plat, plon)
        via.append(None if p is None else float(total[p] / 1000))  # inf: no sea route within budget
    inside = (total <= budget_m).reshape(grid.water.shape)
    return SeaReach(_polygon(grid, inside), tuple(via), grid.step)


def _polygon(grid: SeaGrid, inside: npt.NDArray[np.bool_]) -> Any:
    import shapely
    from affine import Affine
    from rasterio.features import shapes

    if not inside.any():
        return None
    half = grid.step / 2
    transform = Affine(grid.step, 0, grid.lon0 - half, 0, grid.step, grid.lat0 - half)
    polys = [
        shapely.geometry.shape(g)
        for g, v in shapes(inside.astype(np.uint8), mask=inside, transform=transform, connectivity=8)
        if v == 1
    ]
    return shapely.union_all(polys).simplify(grid.step / 2)
