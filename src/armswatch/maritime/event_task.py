"""AIS event detection as Dask partition tasks: the same per-partition code as the local run.

The local run (:func:`armswatch.maritime.partition.run_chunk`) processes one UTC day at a time:
the day's positions plus the carry from the day before, the per-vessel detectors per vessel bucket,
encounters over all buckets of the day, then the events closed by the day's own positions and the
carry for the next day. Here each of those steps is a task on stored partitions
(``ais_positions/day=D/bucket=NN``, ``NN = mmsi % 16``; a detection bucket ``b`` of ``n`` — ``n``
divides 16 — reads the storage buckets ``NN % n == b``):

* ``heard`` (one per day, all independent): the coverage map step
  (:func:`~armswatch.maritime.coverage.heard_frame`), the day's row count and its ``source`` values;
  the client reduces them into the coverage (outages) every detector sees;
* ``bucket`` (day × bucket): the bucket's carry (from the day before's frame and open runs and
  that day's open encounters) ∪ the bucket's positions, the per-vessel detectors; writes the events
  it emits to ``<job>/events/day=D/bucket=NN.parquet`` and the encounter detector's per-vessel
  phase — its ``in_state`` rows resampled to slots, and the ``(mmsi, ts)`` keys of the vessels
  that have slots — to ``<job>/steps/day=D/{slots,keys}-NN.arrow``; keeps its frame and open
  runs for the next day;
* ``pairs`` (one per day, after the day's buckets): the encounter detector's second phase over the
  day's slots of every bucket; writes its emitted events to ``<job>/events/day=D/pairs.parquet``
  and the encounters still open to ``<job>/open/day=D.parquet``, then removes the day's slot files.
  Steps and slots are computed once, in the bucket tasks, as the local run computes them once a day.

Days are a chain (a day needs the carries of the day before), buckets of a day run in parallel.
Each write has a fixed name per job and partition and is atomic, so a retried or recomputed task
replaces its own file: nothing lost, nothing twice. A ``pairs`` task that finds its outputs written
(it ran before and its result was lost with a worker) returns the stored open encounters. The
client reads the emitted events back and orders them as the local run does
(:func:`~armswatch.maritime.events.ordered_events`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import polars as pl

from armswatch.errors import InputError
from armswatch.maritime.coverage import coverage_from_heard, heard_frame
from armswatch.maritime.distributed import Job, write_atomic_ipc, write_atomic_parquet
from armswatch.maritime.encounter import SLOT_SCHEMA, encounters_from_slots
from armswatch.maritime.event import EVENT_TYPES, empty_events, prepare_positions, with_steps
from armswatch.maritime.events import (
    Context,
    Detection,
    EventParams,
    chunk_detectors,
    encounter_slotter,
    ordered_events,
)
from armswatch.maritime.partition import emitted, next_carry
from armswatch.maritime.schema import BUCKETS, POSITION_SCHEMA

BUCKET_CHOICES: Final = tuple(n for n in range(1, BUCKETS + 1) if BUCKETS % n == 0)
TARGET_ROWS: Final = 250_000
"""Detection buckets per day are chosen so the largest day has about this many positions per bucket."""


@dataclass(frozen=True)
class Scope:
    """What every task reads: the positions table, the period ``start <= ts < end``, the number of
    detection buckets and the job folder the tasks write to."""

    root: Path
    start: datetime | None
    end: datetime | None
    buckets: int
    out: Path


@dataclass(frozen=True)
class Heard:
    """Result of a ``heard`` task: the coverage map step of one day."""

    heard: pl.DataFrame
    rows: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BucketOut:
    """Result of a ``bucket`` task: the detection frame (for the carry) and its open runs."""

    data: pl.DataFrame
    columns: tuple[str, ...]
    open_events: pl.DataFrame


def _register_size() -> None:
    try:
        from dask.sizeof import sizeof
    except ImportError:  # the dask extra is not installed: nothing runs on a cluster
        return

    @sizeof.register(BucketOut)  # type: ignore[untyped-decorator,no-untyped-call]
    def _out(out: BucketOut) -> int:  # what Dask weighs when it places the next day's task
        return int(out.data.estimated_size() + out.open_events.estimated_size())


_register_size()


def _files(scope: Scope, day: datetime, bucket: int | None) -> list[Path]:
    folder = scope.root / f"day={day.date().isoformat()}"
    parts = [b for b in range(BUCKETS) if bucket is None or b % scope.buckets == bucket]
    return [f for b in parts for f in sorted((folder / f"bucket={b:02d}").glob("*.parquet"))]


def read_day(scope: Scope, day: datetime, bucket: int | None = None) -> pl.LazyFrame:
    """Stored positions of ``day`` (of one detection bucket, or all), restricted to the scope's period."""
    files = _files(scope, day, bucket)
    if not files:
        return pl.LazyFrame(schema=POSITION_SCHEMA)
    lf = pl.scan_parquet(
        files,
        schema=POSITION_SCHEMA,
        hive_partitioning=False,
        missing_columns="insert",
        extra_columns="ignore",
    )
    lo = max(day, scope.start) if scope.start is not None else day
    hi = min(day + timedelta(days=1), scope.end) if scope.end is not None else day + timedelta(days=1)
    return lf.filter((pl.col("ts") >= lo) & (pl.col("ts") < hi))


def heard_task(scope: Scope, day: datetime, params: EventParams) -> Heard:
    lf = read_day(scope, day)
    sources = lf.select(pl.col("source").unique()).collect()["source"].drop_nulls().to_list()
    heard = heard_frame(lf, params.coverage)
    rows = int(heard["n"].sum()) if heard.height else 0
    return Heard(heard, rows, tuple(sorted(sources)))


def _detection_frame(new: pl.DataFrame, carry: pl.DataFrame | None) -> pl.DataFrame:
    """``carry ∪ new`` as :func:`~armswatch.maritime.partition.run_chunk` builds it (before steps)."""
    new = new.with_columns(in_state=pl.lit(True))
    return pl.concat([carry, new]).sort("mmsi", "ts") if carry is not None and carry.height else new


def _emit(scope: Scope, day: datetime, name: str, events: pl.DataFrame, is_last: bool) -> None:
    target = scope.out / f"day={day.date().isoformat()}" / f"{name}.parquet"
    write_atomic_parquet(emitted(events, day, is_last), target)


def _steps_folder(scope: Scope, day: datetime) -> Path:
    return scope.out.parent / "steps" / f"day={day.date().isoformat()}"


def _open_file(scope: Scope, day: datetime) -> Path:
    return scope.out.parent / "open" / f"day={day.date().isoformat()}.parquet"


def bucket_task(
    scope: Scope, ctx: Context, params: EventParams, day: datetime, is_last: bool, bucket: int,
    before: BucketOut | None, open_pairs: pl.DataFrame | None,
) -> BucketOut:  # fmt: skip
    """The per-vessel detectors on one bucket of one day; ``before`` is the bucket's result of the
    day before and ``open_pairs`` that day's open encounters (their carry is taken here)."""
    carry = None
    if before is not None:
        opened = pl.concat([before.open_events, open_pairs]) if open_pairs is not None else before.open_events
        carry = next_carry(before.data, opened, params.partition).select(list(before.columns))
    data = _detection_frame(prepare_positions(read_day(scope, day, bucket)), carry)
    columns = tuple(data.columns)
    data = with_steps(data)
    per_vessel, _ = chunk_detectors(ctx, params)
    events = pl.concat([empty_events(), per_vessel(data)]) if data.height else empty_events()
    _emit(scope, day, f"bucket={bucket:02d}", events, is_last)
    slotter = encounter_slotter(ctx, params)
    if slotter is not None:  # the encounters' per-vessel phase, for the day's encounter task
        steps = data.filter(pl.col("in_state"))
        folder = _steps_folder(scope, day)
        slots = slotter(steps)
        # the keys give a run's next observation: only vessels with slots can have runs
        keys = steps.filter(pl.col("mmsi").is_in(slots["mmsi"].unique().implode())).select("mmsi", "ts")
        write_atomic_ipc(keys, folder / f"keys-{bucket:02d}.arrow")
        write_atomic_ipc(slots, folder / f"slots-{bucket:02d}.arrow")
    if is_last:  # nothing to carry
        data = data.clear()
    return BucketOut(data, columns, events.filter(pl.col("close_ts").is_null()))


def written(out: BucketOut) -> int:
    """A small result that stands for a bucket task being done (so the encounter task waits for the
    day's buckets without their frames being sent to it)."""
    return out.data.height


def pairs_task(
    scope: Scope, ctx: Context, params: EventParams, day: datetime, is_last: bool, done: list[int]
) -> pl.DataFrame:
    """Encounters of one day over all its buckets' slots; returns the encounters still open."""
    del done
    if encounter_slotter(ctx, params) is None:
        return empty_events()
    folder, stored = _steps_folder(scope, day), _open_file(scope, day)
    events_file = scope.out / f"day={day.date().isoformat()}" / "pairs.parquet"
    if not (stored.exists() and events_file.exists()):
        slots = pl.concat([pl.read_ipc(f) for f in sorted(folder.glob("slots-*.arrow"))] or [pl.DataFrame(
            schema=SLOT_SCHEMA)])  # fmt: skip
        # each bucket's keys are sorted by mmsi, ts and no vessel is in two buckets: a stable sort
        # on mmsi alone orders them by mmsi, ts (at a fraction of a two-key sort's cost)
        keys = [pl.read_ipc(f) for f in sorted(folder.glob("keys-*.arrow"))]
        pos = pl.concat(keys).sort("mmsi", maintain_order=True) if keys else pl.DataFrame()
        found = encounters_from_slots(slots, pos, ctx.ports, params.encounter) if pos.height else None
        events = pl.concat([empty_events(), found]) if found is not None else empty_events()
        _emit(scope, day, "pairs", events, is_last)
        write_atomic_parquet(events.filter(pl.col("close_ts").is_null()), stored)
    shutil.rmtree(folder, ignore_errors=True)  # read once; only the stored result is needed again
    return pl.read_parquet(stored)


def choose_buckets(rows_per_day: list[int], workers: int, target_rows: int = TARGET_ROWS) -> int:
    """Detection buckets for a job: enough for about ``target_rows`` positions per bucket on the
    largest day and at least one per worker, a divisor of the 16 storage buckets."""
    need = max([-(-r // target_rows) for r in rows_per_day] + [workers, 1])
    return next((n for n in BUCKET_CHOICES if n >= need), BUCKETS)


def detect_on_cluster(
    job: Job,
    root: Path,
    lf: pl.LazyFrame | None,
    ctx: Context,
    params: EventParams,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    buckets: int | None = None,
) -> Detection:
    """Events and coverage of the stored positions under ``root`` in ``[start, end)``, computed by
    partition tasks on the job's cluster (see the module docstring). ``lf`` is unused (the signature
    of a :data:`~armswatch.maritime.events.Detector` once ``start``/``end`` are bound)."""
    del lf
    unknown = set(params.types) - set(EVENT_TYPES)
    if unknown:
        raise InputError(f"unknown event types {sorted(unknown)}; known: {', '.join(EVENT_TYPES)}")
    days = sorted(
        datetime.fromisoformat(d.name.removeprefix("day=")).replace(tzinfo=UTC)
        for d in root.glob("day=*")
        if d.is_dir() and _in_period(d.name.removeprefix("day="), start, end)
    )
    scope = Scope(root, start, end, buckets or 1, job.folder / "events")
    try:
        heard = job.wait("coverage (days)", [job.submit(f"heard-{d:%Y-%m-%d}", heard_task, scope, d, params)
                                             for d in days])  # fmt: skip
        days = [d for d, h in zip(days, heard, strict=True) if h.rows]
        if buckets is None:
            workers = len(job.client.scheduler_info().get("workers", {}))
            scope = replace(scope, buckets=choose_buckets([h.rows for h in heard], workers))
        frames = [h.heard for h in heard if h.heard.height]
        coverage = coverage_from_heard(pl.concat(frames) if frames else heard_frame(pl.LazyFrame(
            schema=POSITION_SCHEMA)), params.coverage)  # fmt: skip
        run_ctx = replace(ctx, coverage=coverage if params.coverage.enabled else None)
        found = _run_days(job, scope, run_ctx, params, days)
        sources = tuple(sorted({s for h in heard for s in h.sources}))
        return Detection(ordered_events(found), coverage, sources)
    finally:
        job.cleanup()


def _in_period(text: str, start: datetime | None, end: datetime | None) -> bool:
    try:
        day = datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return False
    return (start is None or day + timedelta(days=1) > start) and (end is None or day < end)


def _run_days(
    job: Job, scope: Scope, ctx: Context, params: EventParams, days: list[datetime]
) -> pl.DataFrame:
    """Submit the day chain (bucket and pairs tasks) and wait for every partition."""
    shared: Any = job.client.scatter(ctx, broadcast=True)  # type: ignore[no-untyped-call]
    outs: list[Any] = [None] * scope.buckets
    pairs: Any = None
    waited: list[Any] = []
    for i, day in enumerate(days):
        last = i == len(days) - 1
        tag = f"{day:%Y-%m-%d}"
        outs = [
            job.submit(f"bucket-{tag}-{b:02d}", bucket_task, scope, shared, params, day, last, b, outs[b], pairs)
            for b in range(scope.buckets)
        ]  # fmt: skip
        done = [job.submit(f"written-{tag}-{b:02d}", written, o) for b, o in enumerate(outs)]
        pairs = job.submit(f"pairs-{tag}", pairs_task, scope, shared, params, day, last, done)
        waited += [*outs, pairs]
    del outs, pairs
    job.wait("events (partitions)", waited, keep=False)
    files = sorted(scope.out.glob("day=*/*.parquet"))
    return pl.concat([empty_events(), *(pl.read_parquet(f) for f in files)], how="vertical_relaxed")
