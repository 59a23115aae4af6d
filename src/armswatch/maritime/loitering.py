"""Loitering: one vessel slow (< 2 kn) for >= 4 h, far from shore and away from ports.

Source: Global Fishing Watch loitering events (speed < 2 kn, >= 20 nm from shore); the minimum
duration (4 h) follows the project brief. Runs break at silences longer than ``max_silence_h``
(those are gaps, reported separately) and at silences across a data outage.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from armswatch.maritime.event import (
    METRES_PER_NM,
    details_json,
    distance_to_shore_km,
    finalize,
    hours_between,
    next_of,
    open_candidates,
    run_id,
    speed_kn,
    with_steps,
)
from armswatch.maritime.port import PortIndex


@dataclass(frozen=True)
class LoiteringParams:
    """Thresholds for loitering (defaults: GFW)."""

    max_speed_kn: float = 2.0
    min_duration_h: float = 4.0
    min_shore_nm: float = 20.0
    min_port_distance_m: float = 10_000.0
    max_silence_h: float = 6.0


def detect_loitering(
    pos: pl.DataFrame, ports: PortIndex, params: LoiteringParams = LoiteringParams()
) -> pl.DataFrame:
    """Loitering events from positions sorted by ``mmsi, ts``."""
    if pos.height == 0:
        return finalize(pl.DataFrame())
    frame = with_steps(pos) if "implied_kn" not in pos.columns else pos
    slow = (speed_kn() < params.max_speed_kn).fill_null(False)
    broken = (pl.col("step_h") > params.max_silence_h).fill_null(False)
    if "across_outage" in frame.columns:  # never across a data outage (coverage.py)
        broken = broken | pl.col("across_outage").fill_null(False)
    frame = frame.with_columns(slow=slow, brk=broken, next_ts=next_of(pl.col("ts")))
    # a new run starts where slow flips or a long silence interrupts the track
    frame = frame.with_columns(
        run=run_id(pl.col("slow")), seg=pl.col("brk").cast(pl.UInt32).cum_sum()
    ).filter(pl.col("slow"))
    runs = (
        frame.group_by("mmsi", "run", "seg")
        .agg(
            start_utc=pl.col("ts").first(),
            end_utc=pl.col("ts").last(),
            close_ts=pl.col("next_ts").last(),
            lat=pl.col("lat").mean(),
            lon=pl.col("lon").mean(),
            median_speed=speed_kn().median(),
            n_positions=pl.len(),
        )
        .with_columns(duration_h=hours_between(pl.col("start_utc"), pl.col("end_utc")))
    )
    candidates = open_candidates(runs)
    runs = runs.filter(pl.col("duration_h") >= params.min_duration_h)
    if runs.height == 0:
        return candidates
    shore_nm = distance_to_shore_km(runs["lat"].to_numpy(), runs["lon"].to_numpy()) * 1000 / METRES_PER_NM
    _, port_m = ports.nearest(runs["lat"].to_numpy(), runs["lon"].to_numpy())
    runs = runs.with_columns(pl.Series("shore_nm", shore_nm), pl.Series("port_m", port_m)).filter(
        (pl.col("shore_nm").is_nan() | (pl.col("shore_nm") >= params.min_shore_nm))
        & (pl.col("port_m") >= params.min_port_distance_m)
    )
    return pl.concat([candidates, _events(runs)])


def _events(runs: pl.DataFrame) -> pl.DataFrame:
    return finalize(
        runs.with_columns(
            event_type=pl.lit("loitering"),
            details=details_json(
                {
                    "median_speed_kn": pl.col("median_speed"),
                    "positions": pl.col("n_positions"),
                    "shore_nm": pl.col("shore_nm").fill_nan(None),
                    "nearest_port_km": pl.col("port_m") / 1000,
                }
            ),
        )
    )
