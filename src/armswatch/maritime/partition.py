"""Day × vessel-bucket partitioning with explicit carry-over, so events are found whole and once.

Positions are processed one UTC day at a time. Each day's input is the *carry* from the previous
day plus the day's own positions; the per-vessel detectors (port calls, gaps, loitering, spoofing)
run per vessel bucket (``mmsi % n_buckets``), encounters run over all buckets of the day (a pair
may straddle buckets). Every detector marks each event with ``close_ts``: the observation that made
the event final. A day *emits* exactly the events whose closing observation is one of its own new
positions (the last day also emits events still open at the end of the data). Detectors also
report ``OPEN`` rows: runs still open that may yet become events (a slow run shorter than 4 h so
far). The carry for the next day holds, per vessel, every position from ``min(start of its open
events and runs, last position) - halo_h``; rows from ``... - state_halo_h`` on are flagged
``in_state`` and seen by every detector, earlier rows are context for the gap detector's
reception-density window only. Open events are thus re-detected whole, and the state window gives
encounter resampling the position before each slot.

The state between days is a small polars frame, so the same loop can run one bucket-chain per
worker (Dask or multiprocessing): days are sequential, buckets independent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from armswatch.maritime.event import OPEN, UTC_US, empty_events, prepare_positions, with_steps
from armswatch.progress import NO_PROGRESS, Progress

#: A detector over one chunk: positions (sorted ``mmsi, ts``) -> internal event frame.
ChunkDetector = Callable[[pl.DataFrame], pl.DataFrame]


@dataclass(frozen=True)
class PartitionParams:
    """Partitioning parameters."""

    n_buckets: int = 4  # at most this many vessel buckets per day ...
    bucket_rows: int = 2_000_000  # ... and only as many as needed for about this many rows each
    halo_h: float = 14.0
    state_halo_h: float = 3.0


@dataclass(frozen=True)
class ChunkResult:
    """Emitted events of one day and the carry for the next."""

    events: pl.DataFrame
    carry: pl.DataFrame


def days_of(lf: pl.LazyFrame) -> list[datetime]:
    """UTC midnights of the days that have positions (ascending).

    Days without positions are left out: they can close no event (every ``close_ts`` is an
    observation) and would leave the carry unchanged, so running them only costs time (a track
    silent for weeks would otherwise run every detector once per empty day).
    """
    days = lf.select(pl.col("ts").dt.truncate("1d").unique().sort().drop_nulls()).collect()
    return [d.astimezone(UTC) for d in days.to_series(0).to_list()]


def day_slices(
    lf: pl.LazyFrame, days: list[datetime] | None = None
) -> Iterator[tuple[datetime, bool, pl.DataFrame]]:
    """Yield ``(day_start, is_last, positions of that day)`` (predicate pushdown on Parquet scans)."""
    days = days_of(lf) if days is None else days
    for i, day in enumerate(days):
        nxt = day + timedelta(days=1)
        part = lf.filter((pl.col("ts") >= day) & (pl.col("ts") < nxt))
        yield day, i == len(days) - 1, prepare_positions(part)


def run_chunk(
    carry: pl.DataFrame,
    new: pl.DataFrame,
    day_start: datetime,
    is_last: bool,
    per_vessel: ChunkDetector,
    pairwise: ChunkDetector | None,
    params: PartitionParams = PartitionParams(),
) -> ChunkResult:
    """Detect on ``carry ∪ new``, emit events closed by ``new`` and compute the next carry."""
    new = new.with_columns(in_state=pl.lit(True))
    data = pl.concat([carry, new]).sort("mmsi", "ts") if carry.height else new
    columns = data.columns
    data = with_steps(data)  # once per chunk; every detector reuses the step columns
    n = min(params.n_buckets, max(1, -(-data.height // params.bucket_rows)))
    found = (
        [per_vessel(data.filter((pl.col("mmsi") % n) == b)) for b in range(n)]
        if n > 1
        else [per_vessel(data)]
    )
    if pairwise is not None:
        found.append(pairwise(data.filter(pl.col("in_state"))))
    events = pl.concat([empty_events(), *found])
    carry_next = next_carry(data, events.filter(pl.col("close_ts").is_null()), params).select(columns)
    return ChunkResult(emitted(events, day_start, is_last), carry_next)


def emitted(events: pl.DataFrame, day_start: datetime, is_last: bool) -> pl.DataFrame:
    """The events a day emits: those closed by its own positions (on the last day also those still
    open). Row by row, so each partition of a day can emit its own events."""
    start = pl.lit(day_start).cast(UTC_US)
    closed_here = pl.col("close_ts").is_not_null() & (pl.col("close_ts") >= start)
    real = pl.col("event_type") != OPEN
    return (
        events.filter(real & (closed_here | pl.col("close_ts").is_null()))
        if is_last
        else events.filter(real & closed_here)
    )


def next_carry(data: pl.DataFrame, open_events: pl.DataFrame, params: PartitionParams) -> pl.DataFrame:
    """Positions to carry: from ``min(open event starts, last position) - halo_h``; rows from
    ``... - state_halo_h`` on are flagged ``in_state`` (all detectors), earlier ones are context for
    the gap detector's reception-density window only."""
    halo = pl.duration(microseconds=int(params.halo_h * 3.6e9))
    state_halo = pl.duration(microseconds=int(params.state_halo_h * 3.6e9))
    last = data.group_by("mmsi").agg(pl.col("ts").max().alias("from"))
    opened = pl.concat(
        [
            open_events.select("mmsi", pl.col("start_utc").alias("from")),
            open_events.filter(pl.col("other_mmsi").is_not_null()).select(
                pl.col("other_mmsi").alias("mmsi"), pl.col("start_utc").alias("from")
            ),
        ]
    )
    since = (
        pl.concat([last, opened.cast({"mmsi": pl.UInt32})])
        .group_by("mmsi")
        .agg(pl.col("from").min().alias("anchor"))
    )
    return (
        data.join(since, on="mmsi", how="inner")
        .filter(pl.col("ts") >= pl.col("anchor") - halo)
        .with_columns(in_state=pl.col("ts") >= pl.col("anchor") - state_halo)
        .drop("anchor")
        .sort("mmsi", "ts")
    )


def detect_partitioned(
    positions: pl.DataFrame | pl.LazyFrame,
    per_vessel: ChunkDetector,
    pairwise: ChunkDetector | None,
    params: PartitionParams = PartitionParams(),
    *,
    progress: Progress = NO_PROGRESS,
) -> pl.DataFrame:
    """Run detectors day by day with carry-over; returns the emitted (internal) events (progress:
    one phase ``days``)."""
    lf = positions.lazy()
    carry: pl.DataFrame | None = None
    out = [empty_events()]
    days = days_of(lf)
    progress.phase("days", len(days))
    for day, is_last, new in day_slices(lf, days):
        if carry is None:
            carry = new.clear()
        res = run_chunk(carry, new, day, is_last, per_vessel, pairwise, params)
        out.append(res.events)
        carry = res.carry
        progress.advance()
    return pl.concat(out)
