"""Parquet table files of a case whose store is an object store (S3): each client keeps its own
``tables/`` folder, and the store keeps every registered file by its SHA-256.

A client puts each file it registers into the store before the registration commits (so a
registered file is always in the store), and on open fetches the registered files it lacks
(hash checked). Files that another client retired (a compaction) stay on disk here until removed;
``armswatch verify`` names them as added outside armswatch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select

from armswatch.store import schema as t
from armswatch.store.remote_blob import RemoteBlobStore

if TYPE_CHECKING:
    from armswatch.store.blob import BlobStore


def share_table_file(blobs: BlobStore, path: Path, sha256: str) -> None:
    """Called when a table file is registered."""
    if isinstance(blobs, RemoteBlobStore):
        blobs.upload(path, sha256)


def fetch_missing_tables(blobs: BlobStore, tables_dir: Path, engine: Engine) -> int:
    """Fetch registered files this client lacks; returns how many were fetched."""
    if not isinstance(blobs, RemoteBlobStore):
        return 0
    with engine.connect() as conn:
        rows = conn.execute(select(t.table_file.c.path, t.table_file.c.sha256)).all()
    base = tables_dir.resolve()
    fetched = 0
    for rel, digest in rows:
        target = tables_dir / str(rel)
        if target.exists() or not target.resolve().is_relative_to(base):
            continue  # present (verify re-hashes it), or a path that would leave the folder
        fetched += blobs.download(str(digest), target)
    return fetched
