"""Encounters: two vessels within 500 m for >= 2 h at median speed < 2 kn, >= 10 km from a port.

Source: Global Fishing Watch encounter events (500 m, 2 h, median speed < 2 kn, 10 km from
anchorages). Tracks are resampled to a regular grid (default 10 min) by linear interpolation
between consecutive positions no more than ``max_interp_h`` apart; candidate pairs come from a
grid-cell hash join (same time slot, 3×3 neighbouring cells at least ``max_distance_m`` wide), never
from all pairs. Slots faster than ``prefilter_speed_kn`` are dropped before the join (they cannot
be part of a slow meeting's bulk; a meeting with brief fast moments may split — documented limit),
and so are slots closer to a port than half the minimum port distance (crowded anchorages would
otherwise yield millions of candidate pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import numpy as np
import polars as pl

from armswatch.maritime.event import (
    details_json,
    finalize,
    haversine_m,
    hours_between,
    next_observation,
    open_candidates,
    speed_kn,
    with_steps,
)
from armswatch.maritime.port import PortIndex


@dataclass(frozen=True)
class EncounterParams:
    """Thresholds for encounters (defaults: GFW)."""

    max_distance_m: float = 500.0
    min_duration_h: float = 2.0
    max_median_speed_kn: float = 2.0
    min_port_distance_m: float = 10_000.0
    step_min: int = 10
    max_interp_h: float = 2.0
    prefilter_speed_kn: float = 5.0
    port_prefilter_fraction: float = 0.5


SLOT_SCHEMA: Final = {
    "mmsi": pl.UInt32,
    "slot": pl.Int64,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "speed": pl.Float64,
}


def resample(
    pos: pl.DataFrame, params: EncounterParams = EncounterParams(), max_speed_kn: float = float("inf")
) -> pl.DataFrame:
    """Regular-grid track: one row per vessel and slot in ``(prev_ts, ts]`` of each short step.

    Steps faster than ``max_speed_kn`` produce no slots. Returns ``mmsi, slot (Int64 slot number),
    lat, lon, speed``.
    """
    frame = with_steps(pos) if "implied_kn" not in pos.columns else pos
    step_us = params.step_min * 60_000_000
    short = pl.col("step_h") <= params.max_interp_h
    if "across_outage" in frame.columns:  # never interpolate across a data outage (coverage.py)
        short = short & ~pl.col("across_outage").fill_null(False)
    steps = (
        frame.filter(short)
        .with_columns(
            t0=pl.col("prev_ts").dt.epoch("us"),
            t1=pl.col("ts").dt.epoch("us"),
            spd=speed_kn().fill_null(0.0),
        )
        .with_columns(k0=pl.col("t0") // step_us + 1, k1=pl.col("t1") // step_us + 1)
        .filter((pl.col("k1") > pl.col("k0")) & (pl.col("spd") <= max_speed_kn))
    )
    slots = (
        steps.select(
            "mmsi", "t0", "t1", "prev_lat", "prev_lon", "lat", "lon", "spd", slot=pl.int_ranges("k0", "k1")
        )
        .explode("slot")
        .with_columns(frac=(pl.col("slot") * step_us - pl.col("t0")) / (pl.col("t1") - pl.col("t0")))
        .select(
            "mmsi",
            "slot",
            lat=pl.col("prev_lat") + pl.col("frac") * (pl.col("lat") - pl.col("prev_lat")),
            lon=pl.col("prev_lon") + pl.col("frac") * (pl.col("lon") - pl.col("prev_lon")),
            speed=pl.col("spd"),
        )
    )
    return slots


def _candidate_pairs(slots: pl.DataFrame, params: EncounterParams) -> pl.DataFrame:
    dlat = params.max_distance_m / 111_000.0 * 1.01
    max_abs_lat = float(min(np.nanmax(np.abs(slots["lat"].to_numpy())), 85.0))
    dlon = dlat / float(np.cos(np.radians(max_abs_lat + dlat)))
    keyed = slots.with_columns(
        cy=(pl.col("lat") / dlat).floor().cast(pl.Int32),
        cx=(pl.col("lon") / dlon).floor().cast(pl.Int32),
    )
    offsets = pl.DataFrame(
        {"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
        schema=[("dy", pl.Int32), ("dx", pl.Int32)],
    )
    probe = (
        keyed.join(offsets, how="cross")
        .with_columns(cy=pl.col("cy") + pl.col("dy"), cx=pl.col("cx") + pl.col("dx"))
        .drop("dy", "dx")
    )
    return (
        probe.join(keyed, on=["slot", "cy", "cx"], suffix="_b")
        .filter(pl.col("mmsi") < pl.col("mmsi_b"))
        .with_columns(d=haversine_m(pl.col("lat"), pl.col("lon"), pl.col("lat_b"), pl.col("lon_b")))
        .filter(pl.col("d") <= params.max_distance_m)
        .select("mmsi", "mmsi_b", "slot", "lat", "lon", "lat_b", "lon_b", "speed", "speed_b", "d")
    )


def encounter_slots(
    pos: pl.DataFrame, ports: PortIndex, params: EncounterParams = EncounterParams()
) -> pl.DataFrame:
    """The first, per-vessel phase: the regular-grid slots that may be part of an encounter
    (``mmsi, slot, lat, lon, speed``). Row by row, so vessels can be split among tasks freely."""
    if pos.height == 0:
        return pl.DataFrame(schema=SLOT_SCHEMA)
    slots = resample(pos, params, params.prefilter_speed_kn)
    if slots.height == 0:
        return slots
    # slots deep inside a port's exclusion zone cannot belong to an encounter whose mean position is
    # >= min_port_distance_m away (at < 2 kn a meeting drifts a few km at most); dropping them before
    # the join keeps crowded anchorages from producing millions of candidate pairs
    near = ports.near_mask(slots["lat"].to_numpy(), slots["lon"].to_numpy())
    if near.any():
        _, port_m = ports.nearest(slots["lat"].to_numpy()[near], slots["lon"].to_numpy()[near])
        keep = np.ones(slots.height, dtype=bool)
        keep[np.flatnonzero(near)[port_m < params.min_port_distance_m * params.port_prefilter_fraction]] = (
            False
        )
        slots = slots.filter(pl.Series(keep))
    return slots


def detect_encounters(
    pos: pl.DataFrame, ports: PortIndex, params: EncounterParams = EncounterParams()
) -> pl.DataFrame:
    """Encounter events (one row per pair, ``mmsi < other_mmsi``) from positions sorted by ``mmsi, ts``."""
    if pos.height == 0:
        return finalize(pl.DataFrame())
    return encounters_from_slots(encounter_slots(pos, ports, params), pos, ports, params)


def encounters_from_slots(
    slots: pl.DataFrame, pos: pl.DataFrame, ports: PortIndex, params: EncounterParams = EncounterParams()
) -> pl.DataFrame:
    """The second phase, over all vessels at once: pairs of slots, runs, events. ``pos`` (sorted by
    ``mmsi, ts``; ``mmsi`` and ``ts`` are enough) gives each run's next observation."""
    if slots.height == 0:
        return finalize(pl.DataFrame())
    close = _candidate_pairs(slots, params).sort("mmsi", "mmsi_b", "slot")
    if close.height == 0:
        return finalize(pl.DataFrame())
    step_us = params.step_min * 60_000_000
    brk = (pl.col("slot").diff().over("mmsi", "mmsi_b") != 1).fill_null(True)
    runs = (
        close.with_columns(run=brk.cast(pl.UInt32).cum_sum().over("mmsi", "mmsi_b"))
        .group_by("mmsi", "mmsi_b", "run")
        .agg(
            first=pl.col("slot").first(),
            last=pl.col("slot").last(),
            lat=((pl.col("lat") + pl.col("lat_b")) / 2).mean(),
            lon=((pl.col("lon") + pl.col("lon_b")) / 2).mean(),
            med_a=pl.col("speed").median(),
            med_b=pl.col("speed_b").median(),
            med_d=pl.col("d").median(),
        )
        .with_columns(
            start_utc=pl.from_epoch(pl.col("first") * step_us, "us").dt.replace_time_zone("UTC"),
            end_utc=pl.from_epoch(pl.col("last") * step_us, "us").dt.replace_time_zone("UTC"),
        )
        .with_columns(duration_h=hours_between(pl.col("start_utc"), pl.col("end_utc")))
    )
    # final once both vessels have reported at or after the slot following the run: close_ts is
    # the later of those two observations (null while either has not reported yet)
    nxt = runs["end_utc"] + timedelta(minutes=params.step_min)
    obs_a = next_observation(pos, runs["mmsi"], nxt)
    obs_b = next_observation(pos, runs["mmsi_b"], nxt)
    runs = runs.with_columns(obs_a.alias("obs"), obs_b.alias("obs_b")).with_columns(
        close_ts=pl.when(pl.col("obs").is_null() | pl.col("obs_b").is_null())
        .then(None)
        .otherwise(pl.max_horizontal("obs", "obs_b")),
        other_mmsi=pl.col("mmsi_b"),
    )
    candidates = open_candidates(runs)
    runs = runs.filter(
        (pl.col("duration_h") >= params.min_duration_h)
        & (pl.col("med_a") < params.max_median_speed_kn)
        & (pl.col("med_b") < params.max_median_speed_kn)
    )
    if runs.height == 0:
        return candidates
    _, port_m = ports.nearest(runs["lat"].to_numpy(), runs["lon"].to_numpy())
    runs = runs.with_columns(pl.Series("port_m", port_m)).filter(
        pl.col("port_m") >= params.min_port_distance_m
    )
    return pl.concat([candidates, _events(runs)])


def _events(runs: pl.DataFrame) -> pl.DataFrame:
    return finalize(
        runs.with_columns(
            event_type=pl.lit("encounter"),
            details=details_json(
                {
                    "median_distance_m": pl.col("med_d"),
                    "median_speed_kn": pl.col("med_a"),
                    "other_median_speed_kn": pl.col("med_b"),
                    "nearest_port_km": pl.col("port_m") / 1000,
                }
            ),
        )
    )
