"""Export a whole case to one zip: database rows as JSON lines per table, blobs, Parquet tables,
the audit chain with its head, and a manifest of every file's SHA-256 and size.

The rows are written as read through the schema (JSON columns as JSON, booleans as booleans), so
the same records, digests and chain come back in a SQLite or a PostgreSQL workspace.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, select

from armswatch.errors import IntegrityError
from armswatch.io.atomic import atomic_write
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.seal import key_columns, table_for
from armswatch.store import database

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

FORMAT = "armswatch-case/1"
#: Tables not carried: the schema version (written by migrations) and volatile run leases.
SKIPPED = {"alembic_version", "run_lease"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    files: int
    rows: int


def table_rows(conn: Connection, name: str) -> Iterator[dict[str, Any]]:
    table = table_for(conn, name)
    names = [c.name for c in table.columns]
    order = [table.c[c] for c in key_columns(table)]
    for row in conn.execute(select(table).order_by(*order)):
        yield dict(zip(names, row, strict=True))


def _add_file(zf: zipfile.ZipFile, path: Path, arcname: str, files: dict[str, dict[str, Any]]) -> None:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as src, zf.open(arcname, "w", force_zip64=True) as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    files[arcname] = {"sha256": digest.hexdigest(), "size": size}


def _add_table(zf: zipfile.ZipFile, conn: Connection, name: str, files: dict[str, dict[str, Any]]) -> int:
    """Stream one table into ``db/<name>.jsonl`` (one JSON object per line); returns the row count."""
    arcname = f"db/{name}.jsonl"
    digest = hashlib.sha256()
    size = rows = 0
    with zf.open(arcname, "w", force_zip64=True) as dst:
        for row in table_rows(conn, name):
            line = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
            digest.update(line)
            size += len(line)
            rows += 1
            dst.write(line)
    files[arcname] = {"sha256": digest.hexdigest(), "size": size}
    return rows


def export_case(ws: Workspace, output: Path, progress: Progress = NO_PROGRESS) -> Manifest:
    """Verify the case, then write it to ``output`` (atomically)."""
    from armswatch.provenance.verify import verify_workspace
    from armswatch.store.table_files import disk_files

    report = verify_workspace(ws, progress=progress)
    if not report.ok:
        raise IntegrityError(
            f"the case does not verify ({report.problems[0].line()}; {len(report.problems)} problem(s)); "
            "run 'armswatch verify'"
        )
    files: dict[str, dict[str, Any]] = {}
    tables: dict[str, int] = {}
    with atomic_write(Path(output), "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        with ws.engine.connect() as conn:
            names = sorted(n for n in inspect(conn).get_table_names() if n not in SKIPPED)
            for name in steps(progress, "writing tables", names):
                tables[name] = _add_table(zf, conn, name, files)
            registered = [r[0] for r in conn.execute(select(table_for(conn, "table_file").c.path))]
            blobs = [r[0] for r in conn.execute(select(table_for(conn, "artifact").c.sha256))]
            revisions = sorted(database.current_revisions(ws.engine))
        for digest in steps(progress, "writing blobs", sorted(blobs)):
            _add_file(zf, ws.blobs.path(digest), f"blobs/sha256/{digest[:2]}/{digest}", files)
        on_disk = disk_files(ws.tables_dir, {p.split("/", 1)[0] for p in registered})
        for rel in steps(progress, "writing Parquet files", sorted(registered)):
            _add_file(zf, on_disk[rel], f"tables/{rel}", files)
        head = ws.audit_head()
        manifest = {
            "format": FORMAT,
            "name": ws.name,
            "created": ws.config.created,
            "revisions": revisions,
            "head": None if head is None else {"seq": head[0], "hash": head[1]},
            "tables": tables,
            "files": files,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    return Manifest(files=len(files), rows=sum(tables.values()))
