"""All-or-nothing, idempotent AIS writes: an ingest stages its rows, then publishes them at once.

An ingest writes its validated rows to a private staging folder (``<tables>/.staging/<pid>-<id>/``,
which readers never see). Only when the whole file has been read does :meth:`Staging.publish` move
them into the tables, one table at a time under the table's lock (:func:`~.store.table_lock`): the
rows whose key is already stored are dropped, the rest are written atomically (temporary file, then
rename). So

* a file that fails (``--strict``, an unreadable file, a crash) stores nothing;
* two ingests of the same file at the same moment store its rows once (the second one publishes
  after the first and finds every row already there);
* a re-ingest of the same file records a run and adds no rows.

A staging folder left by a killed process is removed by :func:`clean_stale_staging` (the process id
in its name is no longer alive).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from armswatch.maritime import store
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

STAGING_DIR: Final = ".staging"


@dataclass(frozen=True)
class TableSpec:
    """Where a logical AIS table lives, its schema and deduplication key."""

    folder: str
    schema: dict[str, pl.DataType]
    key: tuple[str, ...]


TABLES: Final[dict[str, TableSpec]] = {
    "positions": TableSpec(POSITIONS_TABLE, POSITION_SCHEMA, POSITION_KEY),
    "base_stations": TableSpec(BASE_STATIONS_TABLE, POSITION_SCHEMA, POSITION_KEY),
    "statics": TableSpec(STATICS_TABLE, STATIC_SCHEMA, STATIC_KEY),
}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_staging(tables_dir: Path) -> list[Path]:
    """Remove staging folders whose process is gone (a killed ingest); returns what was removed."""
    removed: list[Path] = []
    root = Path(tables_dir) / STAGING_DIR
    if not root.is_dir():
        return removed
    for folder in sorted(root.iterdir()):
        pid_text = folder.name.split("-", 1)[0]
        if (pid_text.isascii() and pid_text.isdigit()) and not _pid_alive(int(pid_text)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class Staging:
    """Rows of one ingest, held aside until :meth:`publish` (or dropped by :meth:`discard`)."""

    def __init__(self, tables_dir: Path, root: Path | None = None) -> None:
        """``root``: where to stage (default a private folder of this process under ``.staging``;
        the Dask engine gives each file task its own folder on shared storage)."""
        self.tables_dir = Path(tables_dir)
        self.root = root or self.tables_dir / STAGING_DIR / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.offered: Counter[str] = Counter()
        self._files = 0

    def add(self, table: str, frame: pl.DataFrame) -> None:
        """Stage rows of ``table`` (``positions``, ``base_stations`` or ``statics``)."""
        spec = TABLES[table]
        data = conform(frame, {**spec.schema, **STORED_EXTRA})
        if data.height == 0:
            return
        self.offered[table] += data.height
        data = data.unique(subset=list(spec.key), keep="first", maintain_order=True)
        for day, bucket, part in store.partitions(data):
            folder = self.root / table / f"day={day.isoformat()}" / f"bucket={bucket:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            self._files += 1
            part.write_parquet(
                folder / f"part-{self._files:06d}.parquet", compression="lz4", statistics=False
            )

    def publish(self) -> dict[str, store.WriteResult]:
        """Merge every staged table into the workspace tables (deduplicated, under each table's lock)."""
        results: dict[str, store.WriteResult] = {}
        try:
            for table, spec in TABLES.items():
                results[table] = self._publish_table(table, spec)
        finally:
            self.discard()
        return results

    def _publish_table(self, table: str, spec: TableSpec) -> store.WriteResult:
        staged = self.root / table
        offered = self.offered[table]
        if not staged.is_dir():
            return store.WriteResult(offered, 0, ())
        schema = {**spec.schema, **STORED_EXTRA}
        target_root = self.tables_dir / spec.folder
        added = 0
        written: list[Path] = []
        with store.table_lock(target_root):
            for part_dir in sorted(staged.glob("day=*/bucket=*")):
                files: Sequence[Path] = sorted(part_dir.glob("*.parquet"))
                rows = pl.read_parquet(list(files), schema=schema).unique(
                    subset=list(spec.key), keep="first", maintain_order=True
                )
                dest = target_root / part_dir.parent.name / part_dir.name
                n, target = store.merge_partition(dest, rows, schema, spec.key)
                added += n
                if target is not None:
                    written.append(target)
        return store.WriteResult(offered, added, tuple(written))

    def discard(self) -> None:
        """Drop everything staged (a failed or strict-stopped ingest stores nothing)."""
        shutil.rmtree(self.root, ignore_errors=True)
        parent = self.root.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
