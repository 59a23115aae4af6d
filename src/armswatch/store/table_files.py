"""The registry of Parquet files under ``tables/``: every file with its SHA-256, size and run.

Writers call :meth:`TableFileStore.record_table_file` right after a file is in place; a run that
closes also registers any file that appeared in the tables it tracks (and retires files that a
compaction replaced in a folder where it wrote). ``armswatch verify`` re-hashes every registered file
and names files edited, deleted or added outside armswatch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select

from armswatch.errors import InputError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.store import schema as t
from armswatch.store.blob import BlobStore, sha256_file
from armswatch.store.facade import Facade
from armswatch.store.table_sync import share_table_file

#: Table folders under ``tables/`` whose files are always tracked (others once a file is recorded).
TRACKED_TABLES: set[str] = {"ais_positions", "ais_statics", "ais_base_stations"}


def track_table(name: str) -> None:
    """Declare a folder of ``tables/`` whose Parquet files are evidence (tracked and verified)."""
    TRACKED_TABLES.add(name)


def disk_files(tables_dir: Path, roots: Iterable[str]) -> dict[str, Path]:
    """Parquet files under the given table folders, by path relative to ``tables_dir``."""
    out: dict[str, Path] = {}
    for root in sorted(set(roots)):
        folder = tables_dir / root
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.parquet"):
            if path.is_file() and not any(
                part.startswith(".") for part in path.relative_to(tables_dir).parts
            ):
                out[path.relative_to(tables_dir).as_posix()] = path
    return out


class TableFileStore(Facade):
    tables_dir: Path
    blobs: BlobStore
    current_run: str | None

    def _relative_table_path(self, path: Path) -> str:
        full = Path(path).resolve()
        base = self.tables_dir.resolve()
        if not full.is_relative_to(base):
            raise InputError(f"not a file of the workspace tables folder: {path}")
        return full.relative_to(base).as_posix()

    def record_table_file(self, path: Path, *, run_id: str | None = None) -> str:
        """Register (or re-register after a rewrite) one Parquet file with its hash; returns the
        path relative to ``tables/``. The file belongs to ``run_id`` (default: this process's run)."""
        rel = self._relative_table_path(path)
        with self.transaction() as conn:
            self._register(conn, rel, run_id or self.current_run, "table.file.add")
        return rel

    def _register(self, conn: Connection, rel: str, run_id: str | None, action: str) -> None:
        full = self.tables_dir / rel
        digest, size = sha256_file(full), full.stat().st_size
        old = conn.execute(select(t.table_file.c.sha256).where(t.table_file.c.path == rel)).scalar()
        if old == digest:
            return
        conn.execute(delete(t.table_file).where(t.table_file.c.path == rel))
        conn.execute(
            insert(t.table_file).values(
                path=rel, sha256=digest, size=size, run_id=run_id, recorded_at=to_iso(utcnow())
            )
        )
        self._audit(conn, action, "table_file", rel, {"sha256": digest, "size": size, "run": run_id})
        share_table_file(self.blobs, full, digest)  # an object store keeps it before this commits

    def tracked_roots(self, conn: Connection) -> set[str]:
        registered = conn.execute(select(t.table_file.c.path)).scalars()
        return set(TRACKED_TABLES) | {p.split("/", 1)[0] for p in registered}

    def _reconcile_tables(self, conn: Connection, run_id: str) -> None:
        """Register files of tracked tables that appeared (written by ``run_id``), and retire
        registered files that a compaction replaced in a folder where a file appeared or where
        the run recorded one."""
        rows = conn.execute(select(t.table_file.c.path, t.table_file.c.run_id)).all()
        registered = {r.path: r.run_id for r in rows}
        on_disk = disk_files(self.tables_dir, self.tracked_roots(conn))
        new = sorted(set(on_disk) - set(registered))
        for rel in new:
            self._register(conn, rel, run_id, "table.file.add")
        touched = {rel.rsplit("/", 1)[0] for rel in new}
        touched |= {p.rsplit("/", 1)[0] for p, r in registered.items() if r == run_id}
        for rel in sorted(set(registered) - set(on_disk)):
            if rel.rsplit("/", 1)[0] in touched:
                conn.execute(delete(t.table_file).where(t.table_file.c.path == rel))
                self._audit(
                    conn, "table.file.retire", "table_file", rel, {"run": run_id, "reason": "compacted"}
                )
