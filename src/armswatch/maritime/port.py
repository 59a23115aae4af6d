"""Port gazetteer: bundled World Port Index extract plus the workspace's sites of kind ``port``.

A port is a reference point with an entry radius (default 3 km) and an exit radius (default 4 km),
GFW-style hysteresis. Site polygons are reduced to their centroid with the radius widened to reach
the farthest vertex. Nearest-port lookups use a k-d tree (scipy cKDTree) on unit-sphere coordinates, which gives the
great-circle nearest port exactly, behind a 0.1° cell-hash prefilter; all vectorised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.spatial import cKDTree

from armswatch.errors import InputError, MissingFileError
from armswatch.maritime.event import EARTH_RADIUS_M, haversine_m_np

PORT_SCHEMA: dict[str, pl.DataType] = {
    "port_id": pl.Utf8(),
    "name": pl.Utf8(),
    "country": pl.Utf8(),
    "locode": pl.Utf8(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "radius_m": pl.Float64(),
    "watched": pl.Boolean(),
}

#: Watched ports used when a workspace defines none: the starter watchlist's ports at their World
#: Port Index harbour points (Najin, Vostochnyy; Dunai: the settlement point).
DEFAULT_WATCHED_PORTS: tuple[tuple[str, str, str, float, float], ...] = (
    ("site:rajin-port", "Rajin", "KP", 42.233333, 130.3),
    ("site:vostochny-port", "Vostochny", "RU", 42.75, 133.083333),
    ("site:dunai-naval-port", "Dunai", "RU", 42.88, 132.3375),
)


@lru_cache(maxsize=1)
def _wpi_frame() -> pl.DataFrame:
    ref = resources.files("armswatch.maritime").joinpath("data/wpi_ports.csv")
    with resources.as_file(ref) as path:
        raw = pl.read_csv(path, schema_overrides={"locode": pl.Utf8, "wpi": pl.Int64})
    return raw.select(
        pl.format("wpi:{}", pl.col("wpi")).alias("port_id"),
        "name",
        "country",
        "locode",
        "lat",
        "lon",
        pl.lit(0.0).alias("radius_m"),
        pl.lit(False).alias("watched"),
    )


def world_port_index() -> pl.DataFrame:
    """The bundled WPI extract as a port frame (radius 0: the default entry radius applies)."""
    return _wpi_frame().clone()


def watched_ports_frame(rows: Iterable[tuple[str, str, str, float, float]]) -> pl.DataFrame:
    """Port frame from ``(port_id, name, country, lat, lon)`` rows, flagged watched."""
    items = list(rows)
    return pl.DataFrame(
        {
            "port_id": [r[0] for r in items],
            "name": [r[1] for r in items],
            "country": [r[2] for r in items],
            "locode": [None] * len(items),
            "lat": [float(r[3]) for r in items],
            "lon": [float(r[4]) for r in items],
            "radius_m": [0.0] * len(items),
            "watched": [True] * len(items),
        },
        schema=PORT_SCHEMA,
    )


def ports_from_sites(sites: Iterable[Any]) -> pl.DataFrame:
    """Port frame from workspace ``Site`` objects of kind ``port`` (shapely Point or Polygon)."""
    rows: list[dict[str, Any]] = []
    for site in sites:
        if getattr(site, "kind", None) != "port":
            continue
        geom = site.geometry
        c = geom.centroid
        radius = 0.0
        if geom.geom_type != "Point":
            xs, ys = np.asarray(geom.exterior.coords).T if hasattr(geom, "exterior") else (c.x, c.y)
            radius = float(np.max(haversine_m_np(c.y, c.x, ys, xs)))
        rows.append(
            {
                "port_id": f"site:{site.id}",
                "name": site.name,
                "country": site.country,
                "locode": None,
                "lat": float(c.y),
                "lon": float(c.x),
                "radius_m": radius,
                "watched": True,
            }
        )
    return pl.DataFrame(rows, schema=PORT_SCHEMA)


def read_ports_file(path: Path) -> pl.DataFrame:
    """Read a user ports CSV with columns ``name, lat, lon`` (optional ``country, locode, radius_m``).

    A bad row (coordinates missing, not numbers or out of range, negative radius) raises
    :class:`InputError` naming the file and its CSV line (header = line 1).
    """
    if not path.exists():
        raise MissingFileError("ports file not found", path=str(path))
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise InputError(
            f"not a CSV file: {str(exc).splitlines()[0] if str(exc) else exc}", path=str(path)
        ) from exc
    lower = {c.lower().strip(): c for c in raw.columns}
    for need in ("name", "lat", "lon"):
        if need not in lower:
            raise InputError(f"ports file lacks column {need!r}", path=str(path))

    def col(name: str, dtype: pl.DataType, default: Any) -> pl.Expr:
        source = pl.col(lower[name]).str.strip_chars() if name in lower else pl.lit(default)
        return source.cast(dtype, strict=False).alias(name)

    out = raw.select(
        pl.format("file:{}", pl.col(lower["name"])).alias("port_id"),
        col("name", pl.Utf8(), None),
        col("country", pl.Utf8(), None),
        col("locode", pl.Utf8(), None),
        col("lat", pl.Float64(), None),
        col("lon", pl.Float64(), None),
        col("radius_m", pl.Float64(), 0.0).fill_null(0.0),
        pl.lit(True).alias("watched"),
    )
    ok = pl.col("lat").is_between(-90, 90) & pl.col("lon").is_between(-180, 180) & (pl.col("radius_m") >= 0)
    bad = out.with_row_index("row").filter(~ok.fill_null(False))
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(
            f"port {row['name']!r}: lat, lon must be numbers within ±90, ±180 and radius_m >= 0",
            path=str(path),
            record=int(row["row"]) + 2,
        )
    return out


def combine(*frames: pl.DataFrame) -> pl.DataFrame:
    """Concatenate port frames; later frames win on identical ``port_id``."""
    if not frames:
        return pl.DataFrame(schema=PORT_SCHEMA)
    return pl.concat([f.select(list(PORT_SCHEMA)) for f in frames]).unique(
        subset="port_id", keep="last", maintain_order=True
    )


#: Positions farther than this (plus the port's own radius) from every port are "not near a port"
#: for port-call annotation (they skip the exact search). Must exceed every exit radius in use.
NEAR_M = 15_000.0
_CELL_DEG = 0.1


def _cell_key(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    iy = np.floor(np.asarray(lat) / _CELL_DEG).astype(np.int64) + 1000
    ix = np.floor(np.asarray(lon) / _CELL_DEG).astype(np.int64) + 2000
    return iy * 10_000 + ix


def _unit_xyz(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Points on the unit sphere: Euclidean nearest neighbour there = great-circle nearest."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lmb = np.radians(np.asarray(lon, dtype=np.float64))
    return np.column_stack([np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)])


def _arc_m(chord: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Great-circle metres from a unit-sphere chord length."""
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(c / 2), dtype=np.float64)


def _near_cells(ports: pl.DataFrame, near_m: float) -> npt.NDArray[np.int64]:
    """Sorted keys of every 0.1° cell within ``near_m`` + radius of some port (vectorised)."""
    lat = ports["lat"].to_numpy()
    lon = ports["lon"].to_numpy()
    reach = (near_m + ports["radius_m"].to_numpy()) / 111_000.0
    dlat = np.ceil(reach / _CELL_DEG).astype(np.int64) + 1
    dlon = (
        np.ceil(reach / np.cos(np.radians(np.minimum(np.abs(lat) + reach, 89.0))) / _CELL_DEG).astype(
            np.int64
        )
        + 1
    )
    span = int(max(dlat.max(), dlon.max()))
    off = np.arange(-span, span + 1)
    grid_y, grid_x = np.meshgrid(off, off, indexing="ij")
    oy, ox = grid_y.ravel(), grid_x.ravel()
    base = _cell_key(lat, lon)
    keep = (np.abs(oy)[None, :] <= dlat[:, None]) & (np.abs(ox)[None, :] <= dlon[:, None])
    keys = base[:, None] + oy[None, :] * 10_000 + ox[None, :]
    return np.unique(keys[keep])


@dataclass(frozen=True)
class PortIndex:
    """Nearest-port lookup over a port frame (k-d tree on the unit sphere)."""

    ports: pl.DataFrame
    tree: cKDTree | None
    watched_rows: npt.NDArray[np.int64]
    watched_tree: cKDTree | None
    near_cells: npt.NDArray[np.int64]

    @classmethod
    def build(cls, ports: pl.DataFrame) -> PortIndex:
        rows = (
            np.flatnonzero(ports["watched"].to_numpy()).astype(np.int64)
            if ports.height
            else np.zeros(0, np.int64)
        )
        if ports.height == 0:
            return cls(ports, None, rows, None, np.zeros(0, np.int64))
        xyz = _unit_xyz(ports["lat"].to_numpy(), ports["lon"].to_numpy())
        watched = cKDTree(xyz[rows]) if rows.size else None
        near = _near_cells(ports, NEAR_M)
        return cls(ports, cKDTree(xyz), rows, watched, near)

    def near_mask(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """True where a position may lie within ``NEAR_M`` (+ the port's radius) of some port.

        A 0.1° cell-hash prefilter: positions in cells far from every port (most of the ocean) skip
        the exact nearest-port search.
        """
        keys = _cell_key(lat, lon)
        pos = np.searchsorted(self.near_cells, keys)
        pos = np.minimum(pos, max(self.near_cells.size - 1, 0))
        hit: npt.NDArray[np.bool_] = (self.near_cells[pos] == keys) & (self.near_cells.size > 0)
        return hit

    def nearest_watched(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Like :meth:`nearest`, restricted to watched ports (index into ``ports``)."""
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        if self.watched_tree is None or la.size == 0:
            return np.full(la.size, -1, dtype=np.int64), np.full(la.size, np.inf)
        chord, idx = self.watched_tree.query(_unit_xyz(la, lo), k=1)
        return self.watched_rows[np.asarray(idx, dtype=np.int64)], _arc_m(chord)

    def nearest(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Index into ``ports`` of the nearest port and the distance in metres (inf when no ports)."""
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        if self.tree is None or la.size == 0:
            return np.full(la.size, -1, dtype=np.int64), np.full(la.size, np.inf)
        chord, idx = self.tree.query(_unit_xyz(la, lo), k=1)
        return np.asarray(idx, dtype=np.int64), _arc_m(chord)

    def annotate(
        self, frame: pl.DataFrame, lat: str = "lat", lon: str = "lon", prefer_watched_m: float = 4000.0
    ) -> pl.DataFrame:
        """Add ``port_idx``, ``port_dist_m`` and ``port_radius_m`` (0 when unknown) to ``frame``.

        A watched port within ``prefer_watched_m`` (or its own radius) wins over a nearer gazetteer
        port, so calls at a watched site carry the site's name.
        """
        la_all, lo_all = frame[lat].to_numpy(), frame[lon].to_numpy()
        mask = self.near_mask(la_all, lo_all)
        xyz = _unit_xyz(la_all[mask], lo_all[mask])
        radii = self.ports["radius_m"].to_numpy()
        idx = np.full(xyz.shape[0], -1, dtype=np.int64)
        dist = np.full(xyz.shape[0], np.inf)
        if self.watched_tree is not None and xyz.shape[0]:
            reach = max(prefer_watched_m, float(radii[self.watched_rows].max()))
            chord, wi = self.watched_tree.query(
                xyz, k=1, distance_upper_bound=2 * np.sin(reach / 2 / EARTH_RADIUS_M)
            )
            hit = np.flatnonzero(np.isfinite(chord))
            w_idx = self.watched_rows[np.asarray(wi)[hit]]
            w_dist = _arc_m(np.asarray(chord)[hit])
            prefer = w_dist <= np.maximum(prefer_watched_m, radii[w_idx])
            idx[hit[prefer]], dist[hit[prefer]] = w_idx[prefer], w_dist[prefer]
        rest = np.flatnonzero(idx < 0)
        if self.tree is not None and rest.size:
            chord, i = self.tree.query(xyz[rest], k=1)
            idx[rest], dist[rest] = np.asarray(i, dtype=np.int64), _arc_m(chord)
        full_idx = np.full(mask.size, -1, dtype=np.int64)
        full_dist = np.full(mask.size, np.inf)
        full_radius = np.zeros(mask.size)
        full_idx[mask], full_dist[mask] = idx, dist
        full_radius[mask] = np.where(idx >= 0, radii[np.maximum(idx, 0)], 0.0) if radii.size else 0.0
        return frame.with_columns(
            pl.Series("port_idx", full_idx),
            pl.Series("port_dist_m", full_dist),
            pl.Series("port_radius_m", full_radius),
        )
