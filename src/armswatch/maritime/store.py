"""Parquet storage of the AIS tables inside a workspace (day / vessel-bucket partitions).

Writing is append-only and deduplicated: rows whose key (see :mod:`armswatch.maritime.schema`)
already exists in the partition, or repeats within the batch, are dropped, so re-ingesting the same
file adds nothing. Writers hold the table's lock (:func:`table_lock`) while they compare keys and
write, and every file appears by an atomic rename; an ingest goes through
:class:`armswatch.maritime.staging.Staging` so that a file is stored whole or not at all. Reading goes through :func:`scan_positions` / :func:`scan_statics` (lazy polars).
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from armswatch.maritime.schema import (
    BASE_STATIONS_TABLE,
    POSITION_KEY,
    POSITION_SCHEMA,
    POSITIONS_TABLE,
    STATIC_KEY,
    STATIC_SCHEMA,
    STATICS_TABLE,
    STORED_EXTRA,
    conform,
)
from armswatch.maritime.schema import (
    BUCKETS as BUCKETS,
)


class HasTablesDir(Protocol):
    """Anything with a ``tables_dir`` (an :class:`armswatch.workspace.Workspace`)."""

    @property
    def tables_dir(self) -> Path: ...


@dataclass(frozen=True)
class WriteResult:
    """Rows offered and rows actually added by one write."""

    offered: int
    added: int
    files: tuple[Path, ...]

    @property
    def duplicates(self) -> int:
        return self.offered - self.added


def table_path(ws: HasTablesDir, table: str) -> Path:
    return Path(ws.tables_dir) / table


def positions_path(ws: HasTablesDir) -> Path:
    """Root folder of the vessel position table."""
    return table_path(ws, POSITIONS_TABLE)


def statics_path(ws: HasTablesDir) -> Path:
    """Root folder of the static / voyage data table."""
    return table_path(ws, STATICS_TABLE)


def base_stations_path(ws: HasTablesDir) -> Path:
    """Root folder of the base station report table (message type 4)."""
    return table_path(ws, BASE_STATIONS_TABLE)


def _partition_dir(root: Path, day: date, bucket: int) -> Path:
    return root / f"day={day.isoformat()}" / f"bucket={bucket:02d}"


def _scan(files: Sequence[Path], schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Scan Parquet files with ``schema``: columns a file lacks read as null (files written before a
    column existed), columns not in ``schema`` are ignored."""
    return pl.scan_parquet(
        list(files), schema=schema, hive_partitioning=False, missing_columns="insert", extra_columns="ignore"
    )


def _existing_keys(folder: Path, key: Sequence[str], schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return None
    return _scan(files, schema).select(list(key)).collect()


@contextmanager
def table_lock(root: Path) -> Iterator[None]:
    """Exclusive lock on one table (a ``.lock`` file in its folder) while rows are deduplicated
    against the table and written: two ingests of the same data at once store it once."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _atomic_parquet(frame: pl.DataFrame, folder: Path) -> Path:
    """Write ``frame`` as a new part file: a ``.tmp`` file first, renamed into place when complete."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"part-{uuid.uuid4().hex}.parquet"
    tmp = folder / f".{target.stem}.tmp"
    frame.sort("mmsi", "ts").write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, target)
    return target


def partitions(frame: pl.DataFrame) -> Iterator[tuple[date, int, pl.DataFrame]]:
    data = frame.with_columns(
        pl.col("ts").dt.date().alias("_day"), (pl.col("mmsi") % BUCKETS).cast(pl.Int32).alias("_bucket")
    )
    for (day, bucket), part in data.partition_by(["_day", "_bucket"], as_dict=True).items():
        assert isinstance(day, date) and isinstance(bucket, int)
        yield day, bucket, part.drop("_day", "_bucket")


def merge_partition(
    folder: Path, rows: pl.DataFrame, schema: dict[str, pl.DataType], key: Sequence[str]
) -> tuple[int, Path | None]:
    """Add the rows of ``rows`` whose key is new to the partition ``folder`` (table lock held)."""
    for stray in folder.glob(".*.tmp"):  # left by a killed writer; the lock says none is writing now
        stray.unlink(missing_ok=True)
    existing = _existing_keys(folder, key, schema)
    if existing is not None:
        rows = rows.join(existing, on=list(key), how="anti", nulls_equal=True)
    if rows.height == 0:
        return 0, None
    target = _atomic_parquet(rows, folder)
    if len(list(folder.glob("*.parquet"))) > MAX_FILES:
        compact_partition(folder, schema, key)
    return rows.height, target


def write_rows(
    root: Path, frame: pl.DataFrame, schema: dict[str, pl.DataType], key: Sequence[str]
) -> WriteResult:
    """Append the rows of ``frame`` that are new to the table at ``root``; returns the counts.

    Rows without ``mmsi`` or ``ts`` cannot be partitioned and must be filtered out before. The
    table is locked while its keys are compared and the new files written.
    """
    schema = {**schema, **STORED_EXTRA}
    data = conform(frame, schema)
    offered = data.height
    if offered == 0:
        return WriteResult(0, 0, ())
    data = data.unique(subset=list(key), keep="first", maintain_order=True)
    written: list[Path] = []
    added = 0
    with table_lock(root):
        for day, bucket, part in partitions(data):
            n, target = merge_partition(_partition_dir(root, day, bucket), part, schema, key)
            added += n
            if target is not None:
                written.append(target)
    return WriteResult(offered, added, tuple(written))


MAX_FILES = 8
"""A partition with more files than this is compacted into one after a write."""


def compact_partition(folder: Path, schema: dict[str, pl.DataType], key: Sequence[str]) -> Path | None:
    """Rewrite the files of one partition as a single file, deduplicated on ``key``.

    The new file is in place before the old ones are removed, so a crash in between leaves
    duplicates (removed by the next compaction), never a loss.
    """
    files = sorted(folder.glob("*.parquet"))
    if len(files) < 2:
        return None
    schema = {**schema, **STORED_EXTRA}
    data = _scan(files, schema).collect().unique(subset=list(key), keep="first", maintain_order=True)
    target = _atomic_parquet(data, folder)
    for old in files:
        old.unlink()
    return target


def write_positions(ws: HasTablesDir, frame: pl.DataFrame) -> WriteResult:
    """Append vessel positions (deduplicated on mmsi, ts, lat, lon)."""
    return write_rows(positions_path(ws), frame, POSITION_SCHEMA, POSITION_KEY)


def write_base_stations(ws: HasTablesDir, frame: pl.DataFrame) -> WriteResult:
    """Append base station reports (type 4), same schema and key as positions."""
    return write_rows(base_stations_path(ws), frame, POSITION_SCHEMA, POSITION_KEY)


def write_statics(ws: HasTablesDir, frame: pl.DataFrame) -> WriteResult:
    """Append static / voyage reports (deduplicated on :data:`STATIC_KEY`)."""
    return write_rows(statics_path(ws), frame, STATIC_SCHEMA, STATIC_KEY)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day_files(root: Path, start: datetime | None, end: datetime | None) -> list[Path]:
    lo = as_utc(start).date() if start is not None else None
    hi = as_utc(end).date() if end is not None else None
    files: list[Path] = []
    for day_dir in sorted(root.glob("day=*")):
        try:
            day = date.fromisoformat(day_dir.name.removeprefix("day="))
        except ValueError:
            continue
        if (lo is not None and day < lo) or (hi is not None and day > hi):
            continue
        files.extend(sorted(day_dir.glob("bucket=*/*.parquet")))
    return files


def scan_table(
    root: Path,
    schema: dict[str, pl.DataType],
    start: datetime | None = None,
    end: datetime | None = None,
    mmsi: Sequence[int] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    time_source: bool = False,
) -> pl.LazyFrame:
    """Lazy scan of one AIS table, restricted to ``start <= ts < end``, the given MMSIs and
    ``bbox`` = (min_lon, min_lat, max_lon, max_lat) in degrees (inclusive); with ``time_source``
    also the stored :data:`~armswatch.maritime.schema.TIME_SOURCE` column."""
    if time_source:
        schema = {**schema, **STORED_EXTRA}
    files = _day_files(root, start, end)
    if not files:
        return pl.LazyFrame(schema=schema)
    lf = _scan(files, schema)
    if start is not None:
        lf = lf.filter(pl.col("ts") >= as_utc(start))
    if end is not None:
        lf = lf.filter(pl.col("ts") < as_utc(end))
    if mmsi is not None:
        lf = lf.filter(pl.col("mmsi").is_in(list(mmsi)))
    if bbox is not None and "lat" in schema:
        min_lon, min_lat, max_lon, max_lat = bbox
        lf = lf.filter(
            pl.col("lon").is_between(min_lon, max_lon) & pl.col("lat").is_between(min_lat, max_lat)
        )
    return lf


def scan_positions(
    ws: HasTablesDir,
    start: datetime | None = None,
    end: datetime | None = None,
    mmsi: Sequence[int] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    time_source: bool = False,
) -> pl.LazyFrame:
    """Vessel positions (:data:`POSITION_SCHEMA`) with ``start <= ts < end``, lazily; optionally only
    the given MMSIs and those inside ``bbox`` = (min_lon, min_lat, max_lon, max_lat); with
    ``time_source`` also the ``time_source`` column (null: the time came from the record)."""
    return scan_table(positions_path(ws), POSITION_SCHEMA, start, end, mmsi, bbox, time_source)


def scan_statics(
    ws: HasTablesDir,
    start: datetime | None = None,
    end: datetime | None = None,
    mmsi: Sequence[int] | None = None,
) -> pl.LazyFrame:
    """Static / voyage reports (:data:`STATIC_SCHEMA`) with ``start <= ts < end``, lazily."""
    return scan_table(statics_path(ws), STATIC_SCHEMA, start, end, mmsi)


def scan_base_stations(
    ws: HasTablesDir, start: datetime | None = None, end: datetime | None = None
) -> pl.LazyFrame:
    """Base station reports (type 4), position schema."""
    return scan_table(base_stations_path(ws), POSITION_SCHEMA, start, end)
