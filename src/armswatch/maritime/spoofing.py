"""Spoofing indicators: impossible jumps ("teleports") and jumps onto land.

A teleport is a step whose implied speed exceeds ``max_speed_kn`` (default 25 kn; ``no_sog_max_speed_kn``,
50 kn, when neither end of the step reports a speed over ground: without SOG a fast ferry or
high-speed craft, up to ~45 kn, cannot be told from a jump, so only speeds no surface ship reaches
count) over at least
``min_jump_m`` (2 km, to ignore GPS jitter and harbour craft accelerating between close reports), unless the vessel
itself reports a speed close to that (fast craft), and which is more than ``consistency_factor``
(2×) faster than the slower of its neighbouring steps (a fast ferry without SOG moves fast on every
step; a spoofed fix stands out from the steps around it), and more than ``sustain_ratio`` (1.5×)
faster than the vessel went on the steps two before and two after it that are not jumps themselves
(within ``sustain_window_h``, 1 h: steps that do not touch the jumped-to fix; a speedboat
accelerating to 50 kn and turning is fast, not spoofed). Neighbouring steps longer than
``neighbour_max_h`` do not count (so no partition boundary can change the verdict). Steps across a
data outage are never teleports.

*On land*: positions in an inland cell of the bundled land mask (:mod:`armswatch.maritime.landmask`:
GSHHG shorelines with lakes, WDBII rivers and canals, plus a margin of one 1-arcminute cell). A
position on land alone is *unverifiable* (a mask error, a river port missing from the data, a
receiver on a lorry) and is not spoofing. A run of consecutive on-land positions is an ``on_land``
spoofing event only when the vessel's own neighbouring positions contradict it: the step onto the
run or off it is an impossible jump (faster than ``max_speed_kn`` over at least ``min_jump_m``)
from or to a position that is not on land, i.e. a jump inland and back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from armswatch.maritime.event import (
    OPEN,
    details_json,
    finalize,
    hours_between,
    next_of,
    prev_of,
    run_id,
    with_steps,
)
from armswatch.maritime.landmask import inland
from armswatch.maritime.port import PortIndex


@dataclass(frozen=True)
class SpoofingParams:
    """Thresholds for spoofing indicators."""

    max_speed_kn: float = 25.0
    no_sog_max_speed_kn: float = 50.0
    min_jump_m: float = 2000.0
    fast_craft_ratio: float = 0.8
    consistency_factor: float = 2.0
    check_land: bool = True
    port_exclusion_m: float = 5_000.0
    neighbour_max_h: float = 6.0
    sustain_ratio: float = 1.5
    sustain_window_h: float = 1.0


def detect_spoofing(
    pos: pl.DataFrame, params: SpoofingParams = SpoofingParams(), ports: PortIndex | None = None
) -> pl.DataFrame:
    """Teleport and on-land events from positions sorted by ``mmsi, ts``.

    Positions within ``port_exclusion_m`` of a port are never called on land (river and canal ports
    whose water the shoreline data misses).
    """
    if pos.height == 0:
        return finalize(pl.DataFrame())
    frame = with_steps(pos) if "implied_kn" not in pos.columns else pos
    reported = pl.max_horizontal(pl.col("sog"), prev_of(pl.col("sog"))).cast(pl.Float64)
    limit = _limit(params)
    # the neighbouring steps' speeds: a vessel that really moves fast does so on consecutive steps
    near_step = pl.when(pl.col("step_h") <= params.neighbour_max_h).then(pl.col("implied_kn"))
    neighbour = pl.min_horizontal(prev_of(near_step), next_of(near_step)).fill_null(0.0)
    # a vessel that sustains the speed on a step that does not touch the jumped-to fix (two steps
    # before or after, within sustain_window_h) is a fast craft: a spoofed fix taints only the
    # step onto it and the step off it
    window = pl.duration(microseconds=int(params.sustain_window_h * 3.6e9))
    plausible = pl.when(pl.col("implied_kn") <= limit).then(near_step)  # not itself a jump
    before2 = pl.when(prev_of(prev_of(pl.col("ts"))) >= pl.col("prev_ts") - window).then(
        prev_of(prev_of(plausible))
    )
    after2 = pl.when(next_of(next_of(pl.col("ts"))) <= next_of(pl.col("ts")) + window).then(
        next_of(next_of(plausible))
    )
    sustained = pl.max_horizontal(before2, after2).fill_null(0.0)
    frame = frame.with_columns(_next_ts=next_of(next_of(pl.col("ts"))))
    across = pl.col("across_outage").fill_null(False) if "across_outage" in frame.columns else pl.lit(False)
    jumps = frame.filter(
        ~across
        & (pl.col("implied_kn") > limit)
        & (pl.col("step_m") >= params.min_jump_m)
        & (reported.is_null() | (reported < params.fast_craft_ratio * params.max_speed_kn))
        & (pl.col("implied_kn") > params.consistency_factor * neighbour)
        & (pl.col("implied_kn") > params.sustain_ratio * sustained)
    )
    teleports = jumps.select(
        pl.lit("spoofing").alias("event_type"),
        "mmsi",
        pl.col("prev_ts").alias("start_utc"),
        pl.col("ts").alias("end_utc"),
        "lat",
        "lon",
        pl.col("step_h").alias("duration_h"),
        # final once the second step after the jump is known (neighbour and sustained-speed tests)
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


def _limit(params: SpoofingParams) -> pl.Expr:
    """Speed above which a step is a jump: ``max_speed_kn``, or ``no_sog_max_speed_kn`` when
    neither end of the step reports SOG."""
    reported = pl.max_horizontal(pl.col("sog"), prev_of(pl.col("sog")))
    return pl.when(reported.is_null()).then(params.no_sog_max_speed_kn).otherwise(params.max_speed_kn)


def land_positions(
    frame: pl.DataFrame, params: SpoofingParams = SpoofingParams(), ports: PortIndex | None = None
) -> pl.DataFrame:
    """``frame`` (with step columns) plus ``land`` (this position inland, away from ports) and
    ``prev_land`` (the previous position inland)."""
    lat, lon = frame["lat"].to_numpy(), frame["lon"].to_numpy()
    land = inland(lat, lon)
    if ports is not None and land.any():
        _, port_m = ports.nearest(lat[land], lon[land])
        land[np.flatnonzero(land)[port_m < params.port_exclusion_m]] = False
    prev_land = np.zeros(land.size, dtype=bool)  # only needed where the position itself is on land
    rows = np.flatnonzero(land)
    if rows.size:
        prev_land[rows] = inland(
            frame["prev_lat"].fill_null(np.nan).to_numpy()[rows],
            frame["prev_lon"].fill_null(np.nan).to_numpy()[rows],
        )
    return frame.with_columns(pl.Series("land", land), pl.Series("prev_land", prev_land))


def _on_land(frame: pl.DataFrame, params: SpoofingParams, ports: PortIndex | None) -> pl.DataFrame:
    frame = land_positions(frame, params, ports)
    if not frame["land"].any():
        return finalize(pl.DataFrame())
    across = pl.col("across_outage").fill_null(False) if "across_outage" in frame.columns else pl.lit(False)
    jump = (
        (pl.col("implied_kn") > _limit(params)) & (pl.col("step_m") >= params.min_jump_m) & ~across
    ).fill_null(False)
    frame = frame.with_columns(
        run=run_id(pl.col("land")),
        next_ts=next_of(pl.col("ts")),
        # the step onto this position is a jump from water; the step off it is a jump to water
        jump_in=jump & ~pl.col("prev_land"),
        jump_out=next_of(jump & ~pl.col("land")).fill_null(False),
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
            jump_in=pl.col("jump_in").first(),
            jump_out=pl.col("jump_out").last(),
        )
        .filter(pl.col("jump_in") | pl.col("jump_out") | pl.col("close_ts").is_null())
    )
    # a run still open at the end of the data seen may yet be contradicted by the next position:
    # it is kept (close_ts null) so the partition driver carries it; only contradicted runs are events
    runs = runs.filter(pl.col("close_ts").is_null() | pl.col("jump_in") | pl.col("jump_out"))
    return finalize(
        runs.with_columns(
            event_type=pl.when(pl.col("jump_in") | pl.col("jump_out"))
            .then(pl.lit("spoofing"))
            .otherwise(pl.lit(OPEN)),
            duration_h=hours_between(pl.col("start_utc"), pl.col("end_utc")),
            details=details_json(
                {
                    "kind": pl.lit("on_land"),
                    "positions": pl.col("n"),
                    "jump_in": pl.col("jump_in"),
                    "jump_out": pl.col("jump_out"),
                }
            ),
        )
    )
