"""Port calls: a vessel stopped inside a port's radius, with GFW-style entry/exit hysteresis.

A *visit* starts at the first position within the entry radius (default 3 km) of a port and ends
at the last position before the vessel is farther than the exit radius (default 4 km) — positions
between 3 and 4 km keep the previous state. A visit with at least one stopped position
(speed < 0.5 kn), at least ``min_positions`` (2) positions and a duration of at least
``min_duration_h`` (3 h) is a ``port_call``. Sources: Global Fishing Watch, "Port visits" definition
(anchorage-based; entry 3 km, exit 4 km, stop < 0.5 kn) and GFW's minimum port-visit duration of
three hours ("visits of less than three hours may be caused by false transmissions or may represent
intermediate anchorages", GFW carrier vessel portal FAQ). A visit also ends where the vessel's
silence overlaps a data outage (column ``across_outage``, see :mod:`armswatch.maritime.coverage`):
a stay is never claimed across a hole in the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from armswatch.maritime.event import (
    details_json,
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
class PortCallParams:
    """Thresholds for port calls (defaults: GFW port-visit definition)."""

    entry_radius_m: float = 3000.0
    exit_radius_m: float = 4000.0
    stop_speed_kn: float = 0.5
    min_positions: int = 2
    min_duration_h: float = 3.0


def detect_port_calls(
    pos: pl.DataFrame, ports: PortIndex, params: PortCallParams = PortCallParams()
) -> pl.DataFrame:
    """Port-call events from positions sorted by ``mmsi, ts`` (see ``prepare_positions``)."""
    if pos.height == 0 or ports.tree is None:
        return finalize(pl.DataFrame())
    frame = ports.annotate(with_steps(pos) if "implied_kn" not in pos.columns else pos)
    entry = pl.max_horizontal(pl.lit(params.entry_radius_m), pl.col("port_radius_m"))
    exit_ = pl.max_horizontal(
        pl.lit(params.exit_radius_m), pl.col("port_radius_m") + (params.exit_radius_m - params.entry_radius_m)
    )
    signal = (
        pl.when(pl.col("port_dist_m") <= entry)
        .then(pl.lit(1, pl.Int8))
        .when(pl.col("port_dist_m") > exit_)
        .then(pl.lit(0, pl.Int8))
        .otherwise(None)
    )
    frame = (
        # each vessel's first row starts "outside" unless inside the entry radius, so a global
        # forward fill cannot leak state from one vessel to the next
        frame.with_columns(
            inside=pl.when(pl.col("mmsi") != pl.col("mmsi").shift(1).fill_null(-1))
            .then(signal.fill_null(0))
            .otherwise(signal)
            .forward_fill()
            .cast(pl.Boolean)
        )
        .with_columns(
            # run ids and break counts both only grow, so their sum is a unique visit id
            visit=run_id(pl.col("inside")) + _breaks(frame),
            next_ts=next_of(pl.col("ts")),
            stopped=speed_kn() < params.stop_speed_kn,
        )
        .filter(pl.col("inside"))
    )
    visits = frame.group_by("mmsi", "visit").agg(
        start_utc=pl.col("ts").first(),
        end_utc=pl.col("ts").last(),
        close_ts=pl.col("next_ts").last(),
        port_idx=pl.col("port_idx").filter(pl.col("port_dist_m") <= entry).first(),
        n_stopped=pl.col("stopped").sum(),
        n_positions=pl.len(),
        lat=pl.col("lat").filter(pl.col("stopped")).mean(),
        lon=pl.col("lon").filter(pl.col("stopped")).mean(),
        first_stop=pl.col("ts").filter(pl.col("stopped")).first(),
        last_stop=pl.col("ts").filter(pl.col("stopped")).last(),
        max_silence_h=pl.col("step_h").slice(1).max(),
    )
    candidates = open_candidates(visits)
    visits = visits.filter(
        (pl.col("n_stopped") > 0)
        & (pl.col("n_positions") >= params.min_positions)
        & (hours_between(pl.col("start_utc"), pl.col("end_utc")) >= params.min_duration_h)
    )
    if visits.height == 0:
        return candidates
    names = ports.ports.select(pl.col("name"), pl.col("port_id"), pl.col("country")).with_row_index(
        "port_idx"
    )
    visits = visits.join(names.with_columns(pl.col("port_idx").cast(pl.Int64)), on="port_idx", how="left")
    return pl.concat([candidates, _calls(visits)])


def _breaks(frame: pl.DataFrame) -> pl.Expr:
    """Cumulative count of steps across a data outage (0 when the frame has no such column)."""
    if "across_outage" not in frame.columns:
        return pl.lit(0, pl.UInt32)
    return pl.col("across_outage").fill_null(False).cast(pl.UInt32).cum_sum()


def _calls(visits: pl.DataFrame) -> pl.DataFrame:
    return finalize(
        visits.with_columns(
            event_type=pl.lit("port_call"),
            duration_h=hours_between(pl.col("start_utc"), pl.col("end_utc")),
            port=pl.col("name"),
            details=details_json(
                {
                    "port_id": pl.col("port_id"),
                    "country": pl.col("country"),
                    "stop_h": hours_between(pl.col("first_stop"), pl.col("last_stop")),
                    "positions": pl.col("n_positions"),
                    "max_silence_h": pl.col("max_silence_h"),
                }
            ),
        )
    )
