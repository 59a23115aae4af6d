"""Spoofing indicators: impossible jumps ("teleports") and positions on land.

A teleport is a step whose implied speed exceeds ``max_speed_kn`` (default 25 kn) over at least
``min_jump_m`` (2 km, to ignore GPS jitter and harbour craft accelerating between close reports), unless the vessel
itself reports a speed close to that (fast craft), and which is more than ``consistency_factor``
(2×) faster than the slower of its neighbouring steps (a fast ferry without SOG moves fast on every
step; a spoofed fix stands out from the steps around it). Positions are *on land* where landmetrics'
0.1° distance-to-land grid (GSHHG coastline) is below ``-land_margin_km``; the margin absorbs the
grid's coarse coastline so harbour berths are not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from armswatch.maritime.event import (
    details_json,
    distance_to_shore_km,
    finalize,
    hours_between,
    next_of,
    prev_of,
    run_id,
    with_steps,
)
from armswatch.maritime.port import PortIndex


@dataclass(frozen=True)
class SpoofingParams:
    """Thresholds for spoofing indicators."""

    max_speed_kn: float = 25.0
    min_jump_m: float = 2000.0
    fast_craft_ratio: float = 0.8
    consistency_factor: float = 2.0
    land_margin_km: float = 5.0
    check_land: bool = True
    port_exclusion_m: float = 10_000.0


def detect_spoofing(
    pos: pl.DataFrame, params: SpoofingParams = SpoofingParams(), ports: PortIndex | None = None
) -> pl.DataFrame:
    """Teleport and on-land events from positions sorted by ``mmsi, ts``.

    Positions within ``port_exclusion_m`` of a gazetteer port are never called on land (the 0.1°
    grid puts many harbour basins inland).
    """
    if pos.height == 0:
        return finalize(pl.DataFrame())
    frame = with_steps(pos) if "implied_kn" not in pos.columns else pos
    reported = pl.max_horizontal(pl.col("sog"), prev_of(pl.col("sog"))).cast(pl.Float64)
    # the neighbouring steps' speeds: a vessel that really moves fast does so on consecutive steps
    neighbour = pl.min_horizontal(prev_of(pl.col("implied_kn")), next_of(pl.col("implied_kn"))).fill_null(0.0)
    frame = frame.with_columns(_next_ts=next_of(pl.col("ts")))
    across = pl.col("across_outage").fill_null(False) if "across_outage" in frame.columns else pl.lit(False)
    jumps = frame.filter(
        ~across
        & (pl.col("implied_kn") > params.max_speed_kn)
        & (pl.col("step_m") >= params.min_jump_m)
        & (reported.is_null() | (reported < params.fast_craft_ratio * params.max_speed_kn))
        & (pl.col("implied_kn") > params.consistency_factor * neighbour)
    )
    teleports = jumps.select(
        pl.lit("spoofing").alias("event_type"),
        "mmsi",
        pl.col("prev_ts").alias("start_utc"),
        pl.col("ts").alias("end_utc"),
        "lat",
        "lon",
        pl.col("step_h").alias("duration_h"),
        # final once the step after the jump is known (the neighbour-consistency test needs it)
        pl.col("_next_ts").alias("close_ts"),
        details_json(
            {
                "kind": pl.lit("teleport"),
                "from_lat": pl.col("prev_lat"),
                "from_lon": pl.col("prev_lon"),
                "distance_km": pl.col("step_m") / 1000,
                "implied_speed_kn": pl.col("implied_kn"),
            }
        ),
    )
    parts = [finalize(teleports)]
    if params.check_land:
        parts.append(_on_land(frame, params, ports))
    return pl.concat(parts)


def _on_land(frame: pl.DataFrame, params: SpoofingParams, ports: PortIndex | None) -> pl.DataFrame:
    lat, lon = frame["lat"].to_numpy(), frame["lon"].to_numpy()
    dist = distance_to_shore_km(lat, lon)
    land = dist < -params.land_margin_km
    if ports is not None and land.any():
        _, port_m = ports.nearest(lat[land], lon[land])
        land[np.flatnonzero(land)[port_m < params.port_exclusion_m]] = False
    frame = frame.with_columns(land=pl.Series(land), inland_km=pl.Series(-dist)).with_columns(
        run=run_id(pl.col("land")), next_ts=next_of(pl.col("ts"))
    )
    runs = (
        frame.filter(pl.col("land"))
        .group_by("mmsi", "run")
        .agg(
            start_utc=pl.col("ts").first(),
            end_utc=pl.col("ts").last(),
            close_ts=pl.col("next_ts").last(),
            lat=pl.col("lat").first(),
            lon=pl.col("lon").first(),
            n=pl.len(),
            inland_km=pl.col("inland_km").max(),
        )
    )
    return finalize(
        runs.with_columns(
            event_type=pl.lit("spoofing"),
            duration_h=hours_between(pl.col("start_utc"), pl.col("end_utc")),
            details=details_json(
                {"kind": pl.lit("on_land"), "positions": pl.col("n"), "max_inland_km": pl.col("inland_km")}
            ),
        )
    )
