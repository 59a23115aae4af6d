"""Common maritime event frame: schema, geodesy expressions and small helpers.

Every detector returns a polars frame with :data:`EVENT_SCHEMA` plus the internal column
``close_ts`` (timestamp of the observation that *closed* the event; null while the event is
still open at the end of the data seen). The partition driver uses ``close_ts`` to emit each
event exactly once across day boundaries, then drops it (see :mod:`armswatch.maritime.partition`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_NM = 1852.0
KNOT_MPS = METRES_PER_NM / 3600.0

UTC_US = pl.Datetime("us", "UTC")

EVENT_TYPES = ("port_call", "gap", "encounter", "loitering", "spoofing")

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_type": pl.Utf8(),
    "mmsi": pl.UInt32(),
    "other_mmsi": pl.UInt32(),
    "start_utc": UTC_US,
    "end_utc": UTC_US,
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "duration_h": pl.Float64(),
    "port": pl.Utf8(),
    "details": pl.Utf8(),
}
EVENT_COLUMNS = tuple(EVENT_SCHEMA)
INTERNAL_SCHEMA: dict[str, pl.DataType] = {**EVENT_SCHEMA, "close_ts": UTC_US}


def empty_events(*, internal: bool = True) -> pl.DataFrame:
    """An empty event frame with the right schema."""
    return pl.DataFrame(schema=INTERNAL_SCHEMA if internal else EVENT_SCHEMA)


def haversine_m(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in metres between two points given as polars expressions (degrees)."""
    p1 = lat1.radians()
    p2 = lat2.radians()
    dphi = p2 - p1
    dlmb = (lon2 - lon1).radians()
    a = (dphi / 2).sin().pow(2) + p1.cos() * p2.cos() * (dlmb / 2).sin().pow(2)
    return 2 * EARTH_RADIUS_M * a.sqrt().clip(0.0, 1.0).arcsin()


def haversine_m_np(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres (numpy, broadcasting)."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def hours_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Duration in hours between two datetime expressions."""
    return (end - start).dt.total_microseconds().cast(pl.Float64) / 3.6e9


def require_position_columns(lf: pl.LazyFrame) -> list[str]:
    """The column names of a positions frame; InputError when ``mmsi``, ``ts``, ``lat`` or ``lon`` is missing."""
    names = lf.collect_schema().names()
    missing = [c for c in ("mmsi", "ts", "lat", "lon") if c not in names]
    if missing:
        from armswatch.errors import InputError

        raise InputError(f"positions frame lacks columns {missing}")
    return names


def prepare_positions(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Select, type and sort the columns the detectors need; drop rows without a fix.

    Positions without ``mmsi``, ``ts`` or coordinates, or with out-of-range coordinates, cannot be
    used by any detector and are dropped here (ingest counts them by reason upstream).
    """
    lf = frame.lazy()
    names = require_position_columns(lf)
    sog = pl.col("sog").cast(pl.Float32) if "sog" in names else pl.lit(None, pl.Float32).alias("sog")
    return (
        lf.select(
            pl.col("mmsi").cast(pl.UInt32),
            pl.col("ts").cast(UTC_US),
            pl.col("lat").cast(pl.Float64),
            pl.col("lon").cast(pl.Float64),
            sog,
        )
        .filter(
            pl.col("mmsi").is_not_null()
            & pl.col("ts").is_not_null()
            & pl.col("lat").is_between(-90.0, 90.0)
            & pl.col("lon").is_between(-180.0, 180.0)
        )
        .sort("mmsi", "ts")
        .filter(
            ~(
                (pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col("ts") == pl.col("ts").shift(1))
            ).fill_null(False)
        )
        .collect()
    )


def prev_of(expr: pl.Expr) -> pl.Expr:
    """The value on the vessel's previous row (null on its first row); frame sorted by mmsi, ts.

    A masked plain shift: much cheaper than ``shift().over("mmsi")`` on millions of rows.
    """
    return pl.when(pl.col("mmsi") == pl.col("mmsi").shift(1)).then(expr.shift(1)).otherwise(None)


def next_of(expr: pl.Expr) -> pl.Expr:
    """The value on the vessel's next row (null on its last row); frame sorted by mmsi, ts."""
    return pl.when(pl.col("mmsi") == pl.col("mmsi").shift(-1)).then(expr.shift(-1)).otherwise(None)


def with_steps(pos: pl.DataFrame) -> pl.DataFrame:
    """Add per-vessel step columns: previous position, step length (m), step hours, implied knots.

    ``pos`` must be sorted by ``mmsi, ts`` (see :func:`prepare_positions`).
    """
    prev = {c: prev_of(pl.col(c)) for c in ("ts", "lat", "lon")}
    return (
        pos.with_columns(prev_ts=prev["ts"], prev_lat=prev["lat"], prev_lon=prev["lon"])
        .with_columns(
            step_m=haversine_m(pl.col("prev_lat"), pl.col("prev_lon"), pl.col("lat"), pl.col("lon")),
            step_h=hours_between(pl.col("prev_ts"), pl.col("ts")),
        )
        .with_columns(
            implied_kn=pl.when(pl.col("step_h") > 0)
            .then(pl.col("step_m") / METRES_PER_NM / pl.col("step_h"))
            .otherwise(None)
        )
    )


def speed_kn() -> pl.Expr:
    """Reported SOG where present, else the implied speed of the step into the position."""
    return pl.coalesce(pl.col("sog").cast(pl.Float64), pl.col("implied_kn"))


def details_json(fields: Mapping[str, pl.Expr]) -> pl.Expr:
    """Encode named expressions as one JSON object per row (vectorised)."""
    return pl.struct([v.alias(k) for k, v in fields.items()]).struct.json_encode().alias("details")


def run_id(flag: pl.Expr) -> pl.Expr:
    """Id of consecutive runs of equal ``flag`` values, restarting at each vessel (sorted frame);
    ids are unique across vessels, group by ``mmsi`` and the id."""
    changed = (flag != prev_of(flag)).fill_null(True)
    return changed.cast(pl.UInt32).cum_sum()


def time_key(mmsi: npt.NDArray[np.uint32], ts_s: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sortable int64 key ``mmsi << 32 | epoch seconds`` (ascending for frames sorted by mmsi, ts)."""
    return (mmsi.astype(np.int64) << 32) | (ts_s.astype(np.int64) & 0xFFFFFFFF)


def next_observation(pos: pl.DataFrame, mmsi: pl.Series, at: pl.Series) -> pl.Series:
    """For each (mmsi, time) query: the vessel's first position at or after that time (whole
    seconds, rounded up), or null. ``pos`` must be sorted by ``mmsi, ts``."""
    key = time_key(pos["mmsi"].to_numpy(), pos["ts"].dt.epoch("s").to_numpy())
    q_mmsi = mmsi.cast(pl.UInt32).to_numpy()
    q_s = np.ceil(at.dt.epoch("us").to_numpy() / 1e6).astype(np.int64)
    idx = np.searchsorted(key, time_key(q_mmsi, q_s), "left")
    safe = np.minimum(idx, max(key.size - 1, 0))
    found = (idx < key.size) & (pos["mmsi"].to_numpy()[safe] == q_mmsi) if key.size else idx < 0
    out = pos["ts"].gather(safe) if key.size else pl.Series([None] * idx.size, dtype=UTC_US)
    return out.set(pl.Series(~found), None)


@lru_cache(maxsize=1)
def _shore_grid() -> Any:
    import landmetrics

    try:
        return landmetrics.open_distance_to_land(download=False)
    except Exception:  # grid missing or unreadable: callers degrade to "unknown"
        return None


def distance_to_shore_km(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Signed distance to the coastline in km (negative on land; NaN when no grid is available).

    Uses landmetrics' bundled 0.1° distance-to-land grid (GSHHG). Points are snapped to a 0.02° lattice
    and only the unique lattice points are queried, so millions of AIS points cost a few thousand
    grid lookups; the snapping error (< 1.6 km) is below the grid's own resolution.
    """
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    out = np.full(la.shape, np.nan)
    grid = _shore_grid()
    if grid is None or la.size == 0:
        return out
    ok = np.isfinite(la) & np.isfinite(lo)
    key = np.round(la[ok] / 0.02).astype(np.int64) * 100_000 + np.round(lo[ok] / 0.02).astype(np.int64)
    uniq = np.sort(pl.Series(key).unique().to_numpy())  # hash-based, multi-threaded
    inverse = np.searchsorted(uniq, key)
    ulat = (np.floor_divide(uniq + 50_000, 100_000)) * 0.02
    ulon = (uniq - np.floor_divide(uniq + 50_000, 100_000) * 100_000) * 0.02
    vals = np.asarray(grid.query(ulat, ulon), dtype=np.float64)
    out[ok] = vals[inverse]
    return out


#: Internal event type of a run that is still open at the end of the data and may yet become an
#: event (a slow run not yet 4 h long, a port visit without a stop yet): the partition driver carries
#: its positions to the next day but never emits it.
OPEN = "_open"


def open_candidates(runs: pl.DataFrame) -> pl.DataFrame:
    """``OPEN`` rows for the runs of ``runs`` (``mmsi, start_utc, close_ts[, other_mmsi]``) that are
    still open (``close_ts`` null)."""
    if runs.height == 0:
        return empty_events()
    other = [pl.col("other_mmsi")] if "other_mmsi" in runs.columns else []
    return finalize(
        runs.filter(pl.col("close_ts").is_null()).select(
            pl.lit(OPEN).alias("event_type"), "mmsi", "start_utc", "close_ts", *other
        )
    )


def finalize(events: pl.DataFrame) -> pl.DataFrame:
    """Cast to the internal event schema, in column order."""
    if events.height == 0:
        return empty_events()
    cols = [
        (pl.col(c) if c in events.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in INTERNAL_SCHEMA.items()
    ]
    return events.select(cols)
