"""AIS gaps ("going dark"): silences of at least ``min_gap_h`` between consecutive positions.

Each gap reports its off/on positions, distance, implied speed, which watched sites the vessel
could have reached during the silence (dist(off, site) + dist(site, on) <= max_speed × duration)
and whether it meets Global Fishing Watch's intentional-disabling criteria as far as the data
allows: gap >= 12 h, off position > 50 nm from shore (landmetrics 0.1° distance-to-land grid), and
at least 14 positions in the 12 h before the gap (Welch et al. 2022, Science Advances 8:eabq2109;
GFW also requires good satellite reception, which we approximate by the same density after the gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from armswatch.maritime.event import (
    METRES_PER_NM,
    details_json,
    distance_to_shore_km,
    finalize,
    haversine_m,
    with_steps,
)
from armswatch.maritime.event import (
    time_key as _time_key,
)

SITE_SCHEMA: dict[str, pl.DataType] = {
    "site_id": pl.Utf8(),
    "name": pl.Utf8(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
}


@dataclass(frozen=True)
class GapParams:
    """Thresholds for gaps (defaults: project brief and GFW intentional-disabling criteria)."""

    min_gap_h: float = 6.0
    max_speed_kn: float = 15.0
    intentional_min_h: float = 12.0
    intentional_min_shore_nm: float = 50.0
    density_window_h: float = 12.0
    density_min_positions: int = 14


def detect_gaps(
    pos: pl.DataFrame,
    sites: pl.DataFrame | None = None,
    params: GapParams = GapParams(),
) -> pl.DataFrame:
    """Gap events from positions sorted by ``mmsi, ts``; ``sites`` has :data:`SITE_SCHEMA` columns.

    ``close_ts`` is the first position at least ``density_window_h`` after the gap's end (when the
    after-gap reception density is final), or null while that window is not yet complete.
    """
    if pos.height == 0:
        return finalize(pl.DataFrame())
    frame = with_steps(pos) if "step_h" not in pos.columns else pos
    gaps = frame.filter(pl.col("step_h") >= params.min_gap_h)
    if gaps.height == 0:
        return finalize(pl.DataFrame())
    # reception density around the gap, via a sorted (mmsi, second) key and binary search
    key = _time_key(frame["mmsi"].to_numpy(), frame["ts"].dt.epoch("s").to_numpy())
    g_mmsi = gaps["mmsi"].to_numpy()
    off_key = _time_key(g_mmsi, gaps["prev_ts"].dt.epoch("s").to_numpy())
    on_key = _time_key(g_mmsi, gaps["ts"].dt.epoch("s").to_numpy())
    win = int(params.density_window_h * 3600)
    before = np.searchsorted(key, off_key, "right") - np.searchsorted(key, off_key - win, "right")
    after = np.searchsorted(key, on_key + win, "left") - np.searchsorted(key, on_key, "left")
    after_end = np.searchsorted(key, on_key + win, "left")
    vessel_end = np.searchsorted(key, _time_key(g_mmsi, np.full(g_mmsi.size, 0xFFFFFFFF)), "right")
    close_idx = np.where(after_end < vessel_end, after_end, -1)
    close_ts = frame["ts"].gather(np.maximum(close_idx, 0)).alias("close_ts")
    shore_nm = distance_to_shore_km(gaps["prev_lat"].to_numpy(), gaps["prev_lon"].to_numpy()) * (
        1000 / METRES_PER_NM
    )
    gaps = gaps.with_columns(
        pl.Series("before", before),
        pl.Series("after", after),
        close_ts,
        pl.Series("close_ok", close_idx >= 0),
        pl.Series("shore_nm", shore_nm),
    ).with_columns(
        close_ts=pl.when(pl.col("close_ok")).then(pl.col("close_ts")).otherwise(None),
        intentional=(pl.col("step_h") >= params.intentional_min_h)
        & (pl.col("shore_nm").fill_nan(None) > params.intentional_min_shore_nm).fill_null(False)
        & (pl.col("before") >= params.density_min_positions)
        & (pl.col("after") >= params.density_min_positions),
    )
    gaps = gaps.with_row_index("gap_idx")
    gaps = gaps.with_columns(reachable=_reachable(gaps, sites, params))
    return finalize(
        gaps.select(
            pl.lit("gap").alias("event_type"),
            "mmsi",
            pl.col("prev_ts").alias("start_utc"),
            pl.col("ts").alias("end_utc"),
            pl.col("prev_lat").alias("lat"),
            pl.col("prev_lon").alias("lon"),
            pl.col("step_h").alias("duration_h"),
            "close_ts",
            details_json(
                {
                    "off_lat": pl.col("prev_lat"),
                    "off_lon": pl.col("prev_lon"),
                    "on_lat": pl.col("lat"),
                    "on_lon": pl.col("lon"),
                    "distance_km": pl.col("step_m") / 1000,
                    "implied_speed_kn": pl.col("implied_kn"),
                    "intentional": pl.col("intentional"),
                    "off_shore_nm": pl.col("shore_nm").fill_nan(None),
                    "positions_before": pl.col("before"),
                    "positions_after": pl.col("after"),
                    "reachable_sites": pl.col("reachable"),
                }
            ),
        )
    )


def _reachable(gaps: pl.DataFrame, sites: pl.DataFrame | None, params: GapParams) -> pl.Series:
    """List of site ids each gap could have visited (gaps × sites; both are small)."""
    empty = pl.Series("reachable", [[] for _ in range(gaps.height)], dtype=pl.List(pl.Utf8))
    if sites is None or sites.height == 0:
        return empty
    pairs = (
        gaps.select("gap_idx", "prev_lat", "prev_lon", "lat", "lon", "step_h")
        .join(
            sites.select("site_id", pl.col("lat").alias("s_lat"), pl.col("lon").alias("s_lon")), how="cross"
        )
        .with_columns(
            via=haversine_m(pl.col("prev_lat"), pl.col("prev_lon"), pl.col("s_lat"), pl.col("s_lon"))
            + haversine_m(pl.col("s_lat"), pl.col("s_lon"), pl.col("lat"), pl.col("lon"))
        )
        .filter(pl.col("via") <= params.max_speed_kn * METRES_PER_NM * pl.col("step_h"))
        .group_by("gap_idx")
        .agg(pl.col("site_id").sort())
    )
    joined = gaps.select("gap_idx").join(pairs, on="gap_idx", how="left")
    return joined["site_id"].fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).alias("reachable")
