"""AIS gaps ("going dark"): silences of at least ``min_gap_h`` between consecutive positions.

Each gap reports its off/on positions, distance, implied speed, which watched sites the vessel
could have reached during the silence (dist(off, site) + dist(site, on) <= max_speed × duration)
and whether it meets Global Fishing Watch's intentional-disabling criteria as far as the data
allows: gap >= 12 h, off position > 50 nm from shore (landmetrics 0.1° distance-to-land grid), and
at least 14 positions in the 12 h before the gap (Welch et al. 2022, Science Advances 8:eabq2109;
GFW also requires good satellite reception, which we approximate by the same density after the gap
and by the reception around the gap: other ships heard in the area during the silence).

With a :class:`~armswatch.maritime.coverage.Coverage`, a silence that overlaps a data outage of the
cell of its off or on position is cut to its parts outside the outage (each kept when still
``min_gap_h`` long): an outage is coverage, not the vessel going dark. Each gap is labelled with
``reception``: ``good`` when other ships were heard in the off or on cell in at least
``reception_good_share`` of the silent hours, ``poor`` when in fewer, ``none`` when in none (nobody
was heard: the silence says nothing about this vessel), ``unknown`` without coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from armswatch.maritime.coverage import Coverage, cell_np
from armswatch.maritime.event import (
    METRES_PER_NM,
    UTC_US,
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
    reception_good_share: float = 0.75


def detect_gaps(
    pos: pl.DataFrame,
    sites: pl.DataFrame | None = None,
    params: GapParams = GapParams(),
    coverage: Coverage | None = None,
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
    ).with_columns(close_ts=pl.when(pl.col("close_ok")).then(pl.col("close_ts")).otherwise(None))
    gaps = _split_at_outages(gaps, coverage, params)
    if gaps.height == 0:
        return finalize(pl.DataFrame())
    gaps = gaps.with_columns(
        intentional=(pl.col("piece_h") >= params.intentional_min_h)
        & (pl.col("shore_nm").fill_nan(None) > params.intentional_min_shore_nm).fill_null(False)
        & (pl.col("before") >= params.density_min_positions)
        & (pl.col("after") >= params.density_min_positions)
        & (pl.col("reception") == "good"),
    )
    gaps = gaps.with_row_index("gap_idx")
    gaps = gaps.with_columns(reachable=_reachable(gaps, sites, params))
    return finalize(
        gaps.select(
            pl.lit("gap").alias("event_type"),
            "mmsi",
            pl.col("piece_start").alias("start_utc"),
            pl.col("piece_end").alias("end_utc"),
            pl.when(pl.col("part") == "after_outage")
            .then(pl.col("lat"))
            .otherwise(pl.col("prev_lat"))
            .alias("lat"),
            pl.when(pl.col("part") == "after_outage")
            .then(pl.col("lon"))
            .otherwise(pl.col("prev_lon"))
            .alias("lon"),
            pl.col("piece_h").alias("duration_h"),
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
                    "reception": pl.col("reception"),
                    "silent_hours": pl.col("silent_hours"),
                    "others_heard_hours": pl.col("heard_hours"),
                    "part": pl.col("part"),
                    "outage_h": pl.col("outage_h"),
                }
            ),
        )
    )


def _split_at_outages(gaps: pl.DataFrame, coverage: Coverage | None, params: GapParams) -> pl.DataFrame:
    """One row per part of each silence outside outages (``piece_start/end/h``, ``part``,
    ``outage_h``) with its reception label."""
    t0 = gaps["prev_ts"].dt.epoch("s").to_numpy().astype(np.int64)
    t1 = gaps["ts"].dt.epoch("s").to_numpy().astype(np.int64)
    cells: list[npt.NDArray[np.int64]] = []
    first = np.full(gaps.height, np.iinfo(np.int64).max)
    last = np.full(gaps.height, np.iinfo(np.int64).min)
    if coverage is not None:
        d = coverage.params.cell_deg
        cells = [
            cell_np(gaps["prev_lat"].to_numpy(), gaps["prev_lon"].to_numpy(), d),
            cell_np(gaps["lat"].to_numpy(), gaps["lon"].to_numpy(), d),
        ]
        for cell in cells:
            f, la = coverage.overlap(cell, t0, t1)
            hit = la > f
            first[hit] = np.minimum(first[hit], f[hit])
            last[hit] = np.maximum(last[hit], la[hit])
    hit = last > first
    o0 = np.where(hit, np.maximum(first, t0), t1)
    o1 = np.where(hit, np.minimum(last, t1), t1)
    parts = [
        (np.where(hit, "before_outage", "whole"), t0, np.where(hit, o0, t1)),
        (np.full(gaps.height, "after_outage"), np.where(hit, o1, t1), t1),
    ]
    frames = []
    for i, (label, s, e) in enumerate(parts):
        keep = ((e - s) >= params.min_gap_h * 3600) | ~hit  # a whole silence was already >= min_gap_h
        if i == 1:
            keep &= hit
        if not keep.any():
            continue
        sub = gaps.filter(pl.Series(keep))
        ss, ee = s[keep], e[keep]
        silent, heard = np.zeros(ss.size, np.int64), np.zeros(ss.size, np.int64)
        if coverage is not None:
            for cell in cells:
                silent, h = coverage.heard_hours(cell[keep], ss, ee)
                heard = np.maximum(heard, h)
        frames.append(
            sub.with_columns(
                pl.Series("part", label[keep]),
                pl.Series("piece_start", ss * 1_000_000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
                pl.Series("piece_end", ee * 1_000_000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
                pl.Series("outage_h", np.where(hit[keep], (o1 - o0)[keep] / 3600.0, 0.0)),
                pl.Series("silent_hours", silent, dtype=pl.Int64)
                if coverage
                else pl.lit(None, pl.Int64).alias("silent_hours"),
                pl.Series("heard_hours", heard, dtype=pl.Int64)
                if coverage
                else pl.lit(None, pl.Int64).alias("heard_hours"),
            )
        )
    if not frames:
        return gaps.clear()
    out = pl.concat(frames).with_columns(
        piece_start=pl.when(pl.col("part") == "before_outage")
        .then(pl.col("prev_ts"))
        .otherwise(pl.col("piece_start"))
        .cast(UTC_US),
        piece_end=pl.when(pl.col("part") == "after_outage")
        .then(pl.col("ts"))
        .otherwise(pl.col("piece_end"))
        .cast(UTC_US),
    )
    out = out.with_columns(
        piece_start=pl.when(pl.col("part") == "whole")
        .then(pl.col("prev_ts"))
        .otherwise(pl.col("piece_start")),
        piece_end=pl.when(pl.col("part") == "whole").then(pl.col("ts")).otherwise(pl.col("piece_end")),
    ).with_columns(piece_h=(pl.col("piece_end") - pl.col("piece_start")).dt.total_microseconds() / 3.6e9)
    share = pl.col("heard_hours") / pl.col("silent_hours")
    reception = (
        pl.when(pl.col("silent_hours").fill_null(0) == 0)
        .then(pl.lit("unknown"))
        .when(share >= params.reception_good_share)
        .then(pl.lit("good"))
        .when(pl.col("heard_hours") > 0)
        .then(pl.lit("poor"))
        .otherwise(pl.lit("none"))
    )
    return out.with_columns(reception=reception)


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
