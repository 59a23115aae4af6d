"""Data coverage: which hours and areas the input covers, and the outages in it.

Computed from the positions themselves, once, before any event detection (so every partition sees
the same coverage). The area unit is a cell of ``cell_deg`` degrees (default 1°), the time unit is
the UTC hour.

* ``hours``: per cell and hour, the vessels heard (each vessel in the cell of its last position in
  that hour) and their positions.
* An **outage** is a cell-hour in which at least ``silent_share`` (default 75 %) of the vessels
  last heard in that cell during the ``baseline_h`` (3) hours before were heard nowhere, provided
  there were at least ``min_vessels`` (5) such vessels; it extends over the following hours in which
  the cell has no position at all (a receiver or data-set hole), up to the first hour with a
  position or the end of the data. With fewer vessels an outage cannot be told from ships leaving
  or switching off: such areas are *not assessable* and have no outages.

Outages are coverage, never vessel behaviour: a vessel's silence (a step between two of its
positions of at least ``break_min_h``) that overlaps an outage of the cell of either end splits the
vessel's events there (port calls, loitering, encounters end; teleports are not called) and gaps
are cut to the parts outside the outage. Gaps are labelled with the reception around them: in how
many of the silent hours other ships were heard in the cell of the off or on position (GFW only
calls a gap "disabling" where reception is good; Welch et al. 2022).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from armswatch.maritime.event import UTC_US

_HOUR_S = 3600
_NO_TIME = np.int64(-(2**40))


@dataclass(frozen=True)
class CoverageParams:
    """Thresholds for coverage and outages (a-priori defaults, see module docstring)."""

    cell_deg: float = 1.0
    silent_share: float = 0.75
    min_vessels: int = 5
    baseline_h: int = 3
    break_min_h: float = 0.5
    reception_good_share: float = 0.75
    enabled: bool = True


OUTAGE_SCHEMA: dict[str, pl.DataType] = {
    "cell": pl.Int64(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "start_utc": UTC_US,
    "end_utc": UTC_US,
    "duration_h": pl.Float64(),
    "baseline_vessels": pl.UInt32(),
    "silent_share": pl.Float64(),
}

HOURS_SCHEMA: dict[str, pl.DataType] = {
    "cell": pl.Int64(),
    "hour": UTC_US,
    "positions": pl.UInt32(),
    "vessels": pl.UInt32(),
}


def cell_expr(lat: pl.Expr, lon: pl.Expr, cell_deg: float) -> pl.Expr:
    """Cell id of a position (row-major from the south-west corner of the globe)."""
    iy = ((lat + 90.0) / cell_deg).floor().cast(pl.Int64)
    ix = ((lon + 180.0) / cell_deg).floor().cast(pl.Int64)
    return iy * 100_000 + ix


def cell_np(lat: npt.ArrayLike, lon: npt.ArrayLike, cell_deg: float) -> npt.NDArray[np.int64]:
    iy = np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / cell_deg).astype(np.int64)
    ix = np.floor((np.asarray(lon, dtype=np.float64) + 180.0) / cell_deg).astype(np.int64)
    return np.asarray(iy * 100_000 + ix, dtype=np.int64)


@dataclass(frozen=True)
class Coverage:
    """Hours × cells with data, and the outages (see module docstring)."""

    hours: pl.DataFrame
    outages: pl.DataFrame
    params: CoverageParams = field(default_factory=CoverageParams)

    @classmethod
    def empty(cls, params: CoverageParams = CoverageParams()) -> Coverage:
        return cls(pl.DataFrame(schema=HOURS_SCHEMA), pl.DataFrame(schema=OUTAGE_SCHEMA), params)

    def _keys(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        o = self.outages.sort("cell", "start_utc")
        cell = o["cell"].to_numpy().astype(np.int64)
        s = o["start_utc"].dt.epoch("s").to_numpy().astype(np.int64)
        e = o["end_utc"].dt.epoch("s").to_numpy().astype(np.int64)
        return cell, s, e

    def overlap(
        self, cell: npt.NDArray[np.int64], t0: npt.NDArray[np.int64], t1: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For each query (cell, t0, t1) in epoch seconds: start of the first and end of the last
        outage of that cell overlapping ``(t0, t1)`` (``_NO_TIME`` when none). Outages of one cell
        never overlap each other (they are merged), so two binary searches answer each query."""
        first = np.full(cell.size, _NO_TIME)
        last = np.full(cell.size, _NO_TIME)
        if self.outages.height == 0 or cell.size == 0:
            return first, last
        oc, os_, oe = self._keys()
        # key on (cell, time): time fits in 40 bits for centuries; cell ids < 2**23
        shift = np.int64(40)
        k_end = (oc << shift) | oe
        k_start = (oc << shift) | os_
        i = np.searchsorted(k_end, (cell << shift) | t0, "right")  # first outage ending after t0
        j = np.searchsorted(k_start, (cell << shift) | t1, "left") - 1  # last outage starting before t1
        ic = np.minimum(i, oc.size - 1)
        jc = np.maximum(j, 0)
        ok = (i < oc.size) & (j >= 0) & (i <= j) & (oc[ic] == cell) & (oc[jc] == cell)
        first[ok] = os_[ic[ok]]
        last[ok] = oe[jc[ok]]
        return first, last

    def step_breaks(self, frame: pl.DataFrame) -> pl.Series:
        """``across_outage`` per row of a frame with step columns (``with_steps``): the silence
        before the row is at least ``break_min_h`` and overlaps an outage of the cell of either
        end."""
        n = frame.height
        if n == 0 or self.outages.height == 0:
            return pl.Series("across_outage", np.zeros(n, dtype=bool))
        long = (frame["step_h"].fill_null(0.0) >= self.params.break_min_h).to_numpy()
        out = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(long)
        if idx.size:
            sub = frame[idx]
            t0 = sub["prev_ts"].dt.epoch("s").to_numpy().astype(np.int64)
            t1 = sub["ts"].dt.epoch("s").to_numpy().astype(np.int64)
            d = self.params.cell_deg
            hit = np.zeros(idx.size, dtype=bool)
            for la, lo in ((sub["prev_lat"], sub["prev_lon"]), (sub["lat"], sub["lon"])):
                first, _ = self.overlap(cell_np(la.to_numpy(), lo.to_numpy(), d), t0, t1)
                hit |= first != _NO_TIME
            out[idx] = hit
        return pl.Series("across_outage", out)

    def heard_hours(
        self, cell: npt.NDArray[np.int64], t0: npt.NDArray[np.int64], t1: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(whole hours strictly inside ``(t0, t1)``, of which hours with a position in ``cell``)."""
        h0 = t0 // _HOUR_S + 1
        h1 = t1 // _HOUR_S  # exclusive
        inner = np.maximum(h1 - h0, 0)
        if self.hours.height == 0 or cell.size == 0:
            return inner, np.zeros(cell.size, dtype=np.int64)
        hc = self.hours.sort("cell", "hour")
        key = (hc["cell"].to_numpy().astype(np.int64) << np.int64(40)) | (
            hc["hour"].dt.epoch("s").to_numpy().astype(np.int64) // _HOUR_S
        )
        lo = np.searchsorted(key, (cell << np.int64(40)) | h0, "left")
        hi = np.searchsorted(key, (cell << np.int64(40)) | h1, "left")
        return inner, np.maximum(hi - lo, 0).astype(np.int64)


def compute_coverage(
    positions: pl.DataFrame | pl.LazyFrame, params: CoverageParams = CoverageParams()
) -> Coverage:
    """Coverage and outages of a positions frame or scan (columns ``mmsi, ts, lat, lon``)."""
    if not params.enabled:
        return Coverage.empty(params)
    return coverage_from_heard(heard_frame(positions, params), params)


def heard_frame(
    positions: pl.DataFrame | pl.LazyFrame, params: CoverageParams = CoverageParams()
) -> pl.DataFrame:
    """One pass over the positions: each vessel's last cell and position count per hour it was heard
    (``mmsi, hour, cell, n, h``). A (vessel, hour) never spans two day × vessel-bucket partitions, so
    the frames of the partitions, concatenated, are the frame of the whole (the Dask engine's map step)."""
    lf = (
        positions.lazy()
        .select(pl.col("mmsi").cast(pl.UInt32), pl.col("ts").cast(UTC_US), "lat", "lon")
        .drop_nulls()
        .with_columns(
            hour=pl.col("ts").dt.truncate("1h"), cell=cell_expr(pl.col("lat"), pl.col("lon"), params.cell_deg)
        )
    )
    return (
        lf.group_by("mmsi", "hour")
        .agg(cell=pl.col("cell").get(pl.col("ts").arg_max()), n=pl.len())
        .collect()
        .with_columns(h=pl.col("hour").dt.epoch("s") // _HOUR_S)
    )


def coverage_from_heard(heard: pl.DataFrame, params: CoverageParams = CoverageParams()) -> Coverage:
    """Coverage and outages from :func:`heard_frame` (of all positions, or its partitions concatenated)."""
    if not params.enabled:
        return Coverage.empty(params)
    if heard.height == 0:
        return Coverage.empty(params)
    hours = (
        heard.group_by("cell", "hour")
        .agg(positions=pl.col("n").sum().cast(pl.UInt32), vessels=pl.len().cast(pl.UInt32))
        .sort("cell", "hour")
    )
    return Coverage(hours, _outages(hours, heard, params), params)


def _outages(hours: pl.DataFrame, heard: pl.DataFrame, params: CoverageParams) -> pl.DataFrame:
    last_h = int(heard["h"].max())  # type: ignore[arg-type]
    # baseline: a vessel heard in hour h0 (last in cell c) is expected in hours h0+1 .. h0+baseline_h;
    # its baseline cell for hour h is the cell of its latest hour before h
    base = (
        heard.select("mmsi", "cell", "h", k=pl.int_ranges(1, params.baseline_h + 1))
        .explode("k")
        .with_columns(at=pl.col("h") + pl.col("k"))
        .filter(pl.col("at") <= last_h)
        .sort("h")
        .group_by("mmsi", "at")
        .agg(pl.col("cell").last())
    )
    heard_set = heard.select("mmsi", at=pl.col("h"), is_heard=pl.lit(True))
    rule = (
        base.join(heard_set, on=["mmsi", "at"], how="left")
        .group_by("cell", "at")
        .agg(base=pl.len().cast(pl.UInt32), silent=pl.col("is_heard").is_null().sum().cast(pl.UInt32))
        .with_columns(share=pl.col("silent") / pl.col("base"))
        .with_columns(start=(pl.col("base") >= params.min_vessels) & (pl.col("share") >= params.silent_share))
    )
    present = hours.select("cell", at=pl.col("hour").dt.epoch("s") // _HOUR_S, n=pl.col("vessels"))
    rows = (
        pl.concat([present.select("cell", "at"), rule.select("cell", "at")])
        .unique()
        .join(present, on=["cell", "at"], how="left")
        .join(rule, on=["cell", "at"], how="left")
        .with_columns(pl.col("n").fill_null(0), pl.col("start").fill_null(False))
        .sort("cell", "at")
        .with_columns(nxt=pl.col("at").shift(-1).over("cell").fill_null(last_h + 1))
    )
    # an outage row covers itself and the following hours with no position at all in the cell
    out = rows.filter(pl.col("start")).with_columns(end=pl.min_horizontal("nxt", pl.lit(last_h + 1)))
    if out.height == 0:
        return pl.DataFrame(schema=OUTAGE_SCHEMA)
    merged = (
        out.sort("cell", "at")
        .with_columns(
            new=(pl.col("at") != pl.col("end").shift(1).over("cell")).fill_null(True),
        )
        .with_columns(grp=pl.col("new").cast(pl.UInt32).cum_sum())
        .group_by("cell", "grp")
        .agg(
            s=pl.col("at").first(),
            e=pl.col("end").last(),
            baseline_vessels=pl.col("base").first(),
            silent_share=pl.col("share").first(),
        )
    )
    d = params.cell_deg
    return merged.select(
        "cell",
        lat=(pl.col("cell") // 100_000) * d - 90.0 + d / 2,
        lon=(pl.col("cell") % 100_000) * d - 180.0 + d / 2,
        start_utc=pl.from_epoch(pl.col("s") * _HOUR_S, "s").dt.replace_time_zone("UTC").cast(UTC_US),
        end_utc=pl.from_epoch(pl.col("e") * _HOUR_S, "s").dt.replace_time_zone("UTC").cast(UTC_US),
        duration_h=(pl.col("e") - pl.col("s")).cast(pl.Float64),
        baseline_vessels=pl.col("baseline_vessels"),
        silent_share=pl.col("silent_share").cast(pl.Float64),
    ).sort("start_utc", "cell")
