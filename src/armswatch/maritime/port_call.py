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

import numpy as np
import numpy.typing as npt
import polars as pl

from armswatch.maritime.event import (
    details_json,
    finalize,
    haversine_m_np,
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
            # run ids and break counts both only grow, so their sum is a unique id
            area=run_id(pl.col("inside")) + _breaks(frame),
            next_ts=next_of(pl.col("ts")),
            stopped=speed_kn() < params.stop_speed_kn,
        )
        .filter(pl.col("inside"))
    )
    # a stretch inside some port's radius can pass several ports (a harbour with many gazetteer
    # points): it is cut into visits of one port each (see _one_port_each)
    areas = frame.group_by("mmsi", "area").agg(
        start_utc=pl.col("ts").first(), close_ts=pl.col("next_ts").last()
    )
    frame = _one_port_each(frame, ports, params)
    visits = frame.group_by("mmsi", "visit").agg(
        start_utc=pl.col("ts").first(),
        end_utc=pl.col("ts").last(),
        close_ts=pl.col("next_ts").last(),
        port_idx=pl.col("visit_port").first(),
        n_stopped=pl.col("stopped").sum(),
        n_positions=pl.len(),
        lat=pl.col("lat").filter(pl.col("stopped")).mean(),
        lon=pl.col("lon").filter(pl.col("stopped")).mean(),
        first_stop=pl.col("ts").filter(pl.col("stopped")).first(),
        last_stop=pl.col("ts").filter(pl.col("stopped")).last(),
        max_silence_h=pl.col("step_h").slice(1).max(),
    )
    candidates = open_candidates(areas)  # the whole stretch is carried, so visits are cut alike
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


def _one_port_each(frame: pl.DataFrame, ports: PortIndex, params: PortCallParams) -> pl.DataFrame:
    """Label each row of the inside stretches with the port of its visit (``visit_port``) and cut
    visits (``visit``): a stretch starts at its first port; the vessel changes port where it is
    within the entry radius of another port *and* beyond the exit radius of its current one (the
    same hysteresis per port, so a berth between two gazetteer points does not flip between them);
    rows beyond the exit radius of the current port belong to no visit. Three passes settle the
    labels (each pass fixes the rows after one more accepted change; deterministic)."""
    if frame.height == 0:
        return frame.with_columns(
            visit_port=pl.lit(0, pl.Int64), visit=pl.lit(0, pl.Int64), in_visit=pl.lit(True)
        )
    lat_p = ports.ports["lat"].to_numpy()
    lon_p = ports.ports["lon"].to_numpy()
    radius = ports.ports["radius_m"].to_numpy()
    idx = frame["port_idx"].to_numpy()
    dist = frame["port_dist_m"].to_numpy()
    lat, lon = frame["lat"].to_numpy(), frame["lon"].to_numpy()
    area = frame["area"].to_numpy()
    entry_r = np.maximum(params.entry_radius_m, radius)
    exit_r = np.maximum(params.exit_radius_m, radius + (params.exit_radius_m - params.entry_radius_m))
    entering = (idx >= 0) & (dist <= entry_r[np.maximum(idx, 0)])
    first = np.r_[True, area[1:] != area[:-1]]
    label = _ffill_within(np.where(first | entering, idx, -1), area)
    # only stretches that enter more than one port need the per-port hysteresis passes
    several = (
        pl.DataFrame({"area": area, "port": np.where(entering | first, idx, -1)})
        .select(pl.col("port").filter(pl.col("port") >= 0).n_unique().over("area") > 1)
        .to_series()
        .to_numpy()
    )
    sub = np.flatnonzero(several)
    if sub.size:
        s_idx, s_area, s_first, s_entering = idx[sub], area[sub], first[sub], entering[sub]
        s_lat, s_lon, s_label = lat[sub], lon[sub], label[sub]
        for _ in range(3):
            prev = np.where(s_first, -1, np.r_[-1, s_label[:-1]])
            d_prev = haversine_m_np(s_lat, s_lon, lat_p[np.maximum(prev, 0)], lon_p[np.maximum(prev, 0)])
            accept = s_first | (s_entering & ((s_idx == prev) | (d_prev > exit_r[np.maximum(prev, 0)])))
            s_label = _ffill_within(np.where(accept, s_idx, -1), s_area)
        label[sub] = s_label
    d_label = haversine_m_np(lat, lon, lat_p[np.maximum(label, 0)], lon_p[np.maximum(label, 0)])
    in_visit = (label >= 0) & (d_label <= exit_r[np.maximum(label, 0)])
    change = np.r_[
        True, (label[1:] != label[:-1]) | (area[1:] != area[:-1]) | (in_visit[1:] != in_visit[:-1])
    ]
    return frame.with_columns(
        pl.Series("visit_port", label),
        pl.Series("visit", np.cumsum(change).astype(np.int64)),
        pl.Series("in_visit", in_visit),
    ).filter(pl.col("in_visit"))


def _ffill_within(values: npt.NDArray[np.int64], group: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Forward-fill values >= 0 over -1 within runs of equal ``group`` (the first row of each run
    always has a value)."""
    pos = np.where(values >= 0, np.arange(values.size), -1)
    pos = np.maximum.accumulate(pos)
    out = values[np.maximum(pos, 0)]
    start = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    run_start = np.repeat(start, np.diff(np.r_[start, group.size]))
    return np.where(pos >= run_start, out, -1).astype(np.int64)


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
