"""AIS ingest as Dask partition tasks: the same readers, checks and staging as a local ingest.

A local ingest (:func:`armswatch.maritime.ingest.ingest_file`) reads a file, validates and stages
its rows, then publishes them into the tables. On a cluster:

1. **stage** (one task per file, all files at once): read and validate the file with the ingest
   readers and stage its rows on shared storage (``<tables>/.dask/<job>/file-NNNN/``, cleared first,
   so a retried task starts afresh); returns the tally (bad records by reason, counts).
2. **publish** (one task per staged table × day × bucket partition, file after file in the order
   given, so a row two files share is added by the first, as locally): merge the staged rows into
   the partition, dropping the rows whose key is already stored. The task writes one file named
   after the job and the file (``part-<job>-NNNN.parquet``) atomically and leaves that file out
   when it compares keys, so a retried task rewrites the same file with the same rows: no loss, no
   duplicate, the same counts.

Locks: a publish task holds the table's lock *shared* and the partition's lock exclusive
(``<table>/.locks/day=D-bucket=NN.lock``), so tasks on different partitions run in parallel while a
local ingest (which holds the table lock exclusively) waits for them, and the reverse. The client
records the artifacts and one ``ais.ingest`` run per file, as a local ingest does.
"""

from __future__ import annotations

import fcntl
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from armswatch.errors import InputError, MissingFileError
from armswatch.maritime import store
from armswatch.maritime.distributed import Job, write_atomic_parquet
from armswatch.maritime.format_text import AssumedTime, assumed_time
from armswatch.maritime.formats import FORMATS, detect_format
from armswatch.maritime.ingest import MEDIA_TYPES, IngestTally, check_batch, read_batches, tally_batch
from armswatch.maritime.schema import STORED_EXTRA
from armswatch.maritime.staging import TABLES, Staging, clean_stale_staging


@dataclass(frozen=True)
class FilePlan:
    """One input file as the client prepared it (format decided, artifact recorded)."""

    path: Path
    fmt: str
    assume: AssumedTime | None
    source: str
    folder: Path


@dataclass(frozen=True)
class Staged:
    """Result of a stage task: the tally, rows offered per table, the staged partitions, or the
    input error that stopped the file (a ``--strict`` bad record, an unreadable file)."""

    tally: IngestTally
    offered: dict[str, int] = field(default_factory=dict)
    partitions: tuple[Path, ...] = ()
    error: InputError | None = None


def stage_file(plan: FilePlan, mapping: Mapping[str, str] | None, strict: bool) -> Staged:
    """Read, validate and stage one file (worker side)."""
    shutil.rmtree(plan.folder, ignore_errors=True)  # a previous attempt of this task
    tally = IngestTally(plan.fmt)
    staging = Staging(plan.folder.parent, root=plan.folder)
    try:
        for batch in read_batches(plan.path, plan.fmt, mapping, plan.assume):
            checked = check_batch(batch, plan.source)
            if strict and checked.rejects.height:
                first = checked.rejects.sort("line").row(0, named=True)
                raise InputError(
                    f"bad AIS record ({first['reason']})", path=str(plan.path), record=int(first["line"])
                )
            tally_batch(tally, checked)
            for name, good in checked.good.items():
                staging.add(name, good)
    except InputError as exc:
        shutil.rmtree(plan.folder, ignore_errors=True)
        return Staged(tally, error=exc)
    parts = tuple(sorted(plan.folder.glob("*/day=*/bucket=*")))
    return Staged(tally, dict(staging.offered), parts)


@contextmanager
def partition_lock(table_root: Path, partition: str) -> Iterator[None]:
    """The table's lock shared (local writers hold it exclusively) and the partition's exclusively."""
    table_root.mkdir(parents=True, exist_ok=True)
    (table_root / ".locks").mkdir(exist_ok=True)
    with (
        (table_root / ".lock").open("a+b") as table_fh,
        (table_root / ".locks" / f"{partition}.lock").open("a+b") as part_fh,
    ):
        fcntl.flock(table_fh.fileno(), fcntl.LOCK_SH)
        fcntl.flock(part_fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(part_fh.fileno(), fcntl.LOCK_UN)
            fcntl.flock(table_fh.fileno(), fcntl.LOCK_UN)


def publish_partition(tables_dir: Path, staged: Path, tag: str) -> int:
    """Merge one staged partition (``<file folder>/<table>/day=D/bucket=NN``) into the table; returns
    the rows added (worker side; idempotent, see the module docstring)."""
    spec = TABLES[staged.parent.parent.name]
    schema = {**spec.schema, **STORED_EXTRA}
    key = list(spec.key)
    rows = pl.read_parquet(sorted(staged.glob("*.parquet")), schema=schema)
    rows = rows.unique(subset=key, keep="first", maintain_order=True)
    table_root = Path(tables_dir) / spec.folder
    dest = table_root / staged.parent.name / staged.name
    own = dest / f"part-{tag}.parquet"
    with partition_lock(table_root, f"{staged.parent.name}-{staged.name}"):
        for stray in dest.glob(".*.tmp"):  # left by a killed writer; the locks say none is writing now
            stray.unlink(missing_ok=True)
        others = [f for f in sorted(dest.glob("*.parquet")) if f != own]
        if others:
            stored = pl.scan_parquet(
                others,
                schema=schema,
                hive_partitioning=False,
                missing_columns="insert",
                extra_columns="ignore",
            )
            rows = rows.join(stored.select(key).collect(), on=key, how="anti", nulls_equal=True)
        if rows.height == 0:
            own.unlink(missing_ok=True)
            return 0
        write_atomic_parquet(rows.sort("mmsi", "ts"), own)
        if len(list(dest.glob("*.parquet"))) > store.MAX_FILES:
            store.compact_partition(dest, spec.schema, spec.key)
    return rows.height


def plan_files(
    ws: Any, job: Job, paths: Sequence[Path], fmt: str, mapping: Mapping[str, str] | None,
    assume_time: str | None, simulated: bool,
) -> list[FilePlan]:  # fmt: skip
    """Decide each file's format and check that it reads as that format (before anything is
    recorded), then record the files as artifacts (client side)."""
    checked: list[tuple[Path, str, AssumedTime | None]] = []
    for path in paths:
        if not path.is_file():
            raise MissingFileError("no such file", path=str(path))
        chosen = detect_format(path) if fmt == "auto" else fmt
        if chosen not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
        assume = assumed_time(assume_time if chosen == "nmea" else None, path)
        next(read_batches(path, chosen, mapping, assume), None)  # not in this format: fails here
        checked.append((path, chosen, assume))
    plans = []
    for i, (path, chosen, assume) in enumerate(checked):
        art = ws.add_artifact(
            path, name=path.name, media_type=MEDIA_TYPES[chosen], simulated=simulated,
            metadata={"format": chosen, "kind": "ais"},
        )  # fmt: skip
        plans.append(FilePlan(path.resolve(), chosen, assume, art.id, job.folder / f"file-{i:04d}"))
    return plans


def ingest_on_cluster(
    ws: Any, job: Job, paths: Sequence[Path], *, fmt: str = "auto", mapping: Mapping[str, str] | None = None,
    strict: bool = False, simulated: bool = False, assume_time: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:  # fmt: skip
    """Ingest files on the job's cluster; returns (run id, run summary) per file, as
    :func:`~armswatch.maritime.ingest.ingest_file` does for one. The first file that fails
    (``--strict`` or unreadable) is recorded as a failed run and raised; later files are not stored."""
    clean_stale_staging(ws.tables_dir)
    try:
        plans = plan_files(ws, job, paths, fmt, mapping, assume_time, simulated)
        staged: list[Staged] = job.wait(
            "staging (files)", [job.submit(f"stage-{i:04d}", stage_file, p, mapping, strict)
                                for i, p in enumerate(plans)]
        )  # fmt: skip
        return [_record(ws, job, i, plan, result, mapping, strict) for i, (plan, result) in
                enumerate(zip(plans, staged, strict=True))]  # fmt: skip
    finally:
        job.cleanup()


def _record(
    ws: Any, job: Job, i: int, plan: FilePlan, staged: Staged, mapping: Mapping[str, str] | None, strict: bool
) -> tuple[str, dict[str, Any]]:
    params = {"file": plan.path.name, "format": plan.fmt, "strict": strict, "map": dict(mapping or {}),
              "assume_time": plan.assume.label if plan.assume else None, "scheduler": "dask"}  # fmt: skip
    with ws.run("ais.ingest", parameters=params, inputs=[plan.source]) as run:
        tally = staged.tally
        try:
            if staged.error is not None:
                raise staged.error
            futures = [job.submit(f"publish-{i:04d}-{p.parent.parent.name}-{p.parent.name}-{p.name}",
                                  publish_partition, ws.tables_dir, p, f"{job.id}-{i:04d}")
                       for p in staged.partitions]  # fmt: skip
            added = job.wait(f"publishing {plan.path.name} (partitions)", futures)
            per_table: Counter[str] = Counter()
            for part, n in zip(staged.partitions, added, strict=True):
                per_table[part.parent.parent.name] += n
            for table in TABLES:
                tally.add_write(table, store.WriteResult(staged.offered.get(table, 0), per_table[table], ()))
        finally:
            run.summary.update(tally.summary())
            shutil.rmtree(plan.folder, ignore_errors=True)
        return str(run.id), dict(run.summary)
