"""Pure rules over AIS position frames (``mmsi, ts, lat, lon, source``, sorted by ``mmsi, ts``).

* :func:`dark_events`: silences of at least ``hours`` — *closed* (a new position ends one) or *open*
  (the vessel's last position is ``hours`` older than the feed's latest time). The off position
  identifies the event, so an open silence alerted today and closed tomorrow is one event.
* :func:`port_entries`: positions where a vessel comes inside a radius (from outside, from nothing
  in the window, or after ``rejoin_h`` without positions).

These are raw-silence and geofence rules for alerting; the analytic gap detector with outage and
reception handling is ``maritime.gap`` (``ais events``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import polars as pl

from armswatch.maritime.event import haversine_m

DARK_COLUMNS = ("mmsi", "off_ts", "off_lat", "off_lon", "off_source", "on_ts", "on_lat", "on_lon", "on_source",
                "silent_h", "open")  # fmt: skip
_US_PER_H = 3_600_000_000


def _hours(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return (b - a).dt.total_microseconds() / _US_PER_H


def dark_events(
    window: pl.DataFrame,
    new_sources: Collection[str],
    now: datetime,
    hours: float,
    before: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Silences of ``hours`` or more in ``window`` closed by a new position, plus the silences still
    open at ``now``. ``before``: each vessel's last position before the window (for a vessel whose
    first position in the window is new), same columns."""
    frame = (
        window if before is None or before.height == 0 else pl.concat([before.select(window.columns), window])
    )
    frame = frame.sort("mmsi", "ts")
    new = pl.col("source").is_in(list(new_sources))
    same = pl.col("mmsi") == pl.col("mmsi").shift(1)  # sorted: the row before is the same vessel's
    prev = {c: pl.when(same).then(pl.col(c).shift(1)) for c in ("ts", "lat", "lon", "source")}
    steps = frame.with_columns(new.alias("_new"), **{f"_p_{c}": e for c, e in prev.items()})
    closed = steps.filter(
        pl.col("_new") & pl.col("_p_ts").is_not_null() & (_hours(pl.col("_p_ts"), pl.col("ts")) >= hours)
    ).select(
        "mmsi",
        pl.col("_p_ts").alias("off_ts"), pl.col("_p_lat").alias("off_lat"), pl.col("_p_lon").alias("off_lon"),
        pl.col("_p_source").alias("off_source"), pl.col("ts").alias("on_ts"), pl.col("lat").alias("on_lat"),
        pl.col("lon").alias("on_lon"), pl.col("source").alias("on_source"),
        _hours(pl.col("_p_ts"), pl.col("ts")).alias("silent_h"), pl.lit(False).alias("open"),
    )  # fmt: skip
    last = frame.filter((pl.col("mmsi") != pl.col("mmsi").shift(-1)).fill_null(True))
    opened = last.filter(_hours(pl.col("ts"), pl.lit(now)) >= hours).select(
        "mmsi",
        pl.col("ts").alias("off_ts"), pl.col("lat").alias("off_lat"), pl.col("lon").alias("off_lon"),
        pl.col("source").alias("off_source"), pl.lit(None, pl.Datetime("us", "UTC")).alias("on_ts"),
        pl.lit(None, pl.Float64).alias("on_lat"), pl.lit(None, pl.Float64).alias("on_lon"),
        pl.lit(None, pl.Utf8).alias("on_source"), _hours(pl.col("ts"), pl.lit(now)).alias("silent_h"),
        pl.lit(True).alias("open"),
    )  # fmt: skip
    return pl.concat([closed, opened], how="vertical_relaxed").sort("mmsi", "off_ts").select(DARK_COLUMNS)


def first_new_without_past(window: pl.DataFrame, new_sources: Collection[str]) -> list[int]:
    """Vessels whose first position in the window is new (their previous position lies before it)."""
    first = window.filter((pl.col("mmsi") != pl.col("mmsi").shift(1)).fill_null(True))  # sorted by mmsi, ts
    return sorted(first.filter(pl.col("source").is_in(list(new_sources)))["mmsi"].to_list())


def port_entries(
    window: pl.DataFrame,
    new_sources: Collection[str],
    lat: float,
    lon: float,
    radius_m: float,
    rejoin_h: float = 6.0,
) -> pl.DataFrame:
    """New positions where a vessel comes inside ``radius_m`` of (lat, lon): ``mmsi, ts, lat, lon,
    source, distance_m``."""
    d = haversine_m(pl.col("lat"), pl.col("lon"), pl.lit(lat), pl.lit(lon))
    frame = window.with_columns(d.alias("distance_m")).with_columns(
        (pl.col("distance_m") <= radius_m).alias("_in")
    )
    same = pl.col("mmsi") == pl.col("mmsi").shift(1)  # sorted by mmsi, ts
    prev_in = pl.when(same).then(pl.col("_in").shift(1))
    prev_ts = pl.when(same).then(pl.col("ts").shift(1))
    entry = (
        pl.col("_in")
        & pl.col("source").is_in(list(new_sources))
        & (prev_in.is_null() | ~prev_in.fill_null(False) | (_hours(prev_ts, pl.col("ts")) > rejoin_h))
    )
    return frame.filter(entry).select("mmsi", "ts", "lat", "lon", "source", "distance_m")
