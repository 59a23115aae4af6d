"""A shared case: one database (PostgreSQL) and one case store that every analyst's client sees.

The *case store* holds the artifact blobs (``<store>/blobs/sha256/…``) and, when it is a folder, the
Parquet tables (``<store>/tables/…``). It is a folder every analyst mounts, or an S3-compatible
bucket prefix (``s3://bucket/prefix``, blobs only; see :mod:`armswatch.store.remote_blob`). A case
workspace on its own machine uses its own folder as its store.

The database records the store (``meta`` row ``shared_case``: case id, name, store, plus an audit
entry), and the store holds a marker object (``blobs/armswatch-case.json``) naming the same case id.
Every client checks on open that its store carries the marker of the database's case and holds a
sample of the case's blobs, so a client pointed at another folder or bucket fails with one clear
error naming both locations instead of finding blobs missing later.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from armswatch.config import WorkspaceConfig
from armswatch.errors import WorkspaceError
from armswatch.store import schema as t
from armswatch.store.blob import BlobStore
from armswatch.store.remote_blob import RemoteBlobStore, is_remote

RECORD_KEY = "shared_case"
MARKER = "armswatch-case.json"
MARKER_FORMAT = "armswatch-case-store/1"
SAMPLE = 4  # oldest and newest blobs checked on open


@dataclass(frozen=True, slots=True)
class SharedCase:
    case_id: str
    name: str
    store: str  # a folder (absolute) or an fsspec URL


def store_location(root: Path, config: WorkspaceConfig) -> str:
    """This client's case store: the configured one, else the workspace folder itself."""
    if config.blobs is None:
        return str(root.resolve())
    if is_remote(config.blobs):
        return config.blobs.rstrip("/")
    path = Path(config.blobs.removeprefix("file://")).expanduser()
    return str((path if path.is_absolute() else root / path).resolve())


def open_blob_store(root: Path, config: WorkspaceConfig) -> BlobStore:
    location = store_location(root, config)
    if is_remote(location):
        return RemoteBlobStore(location + "/blobs", root / "blobs")
    return BlobStore(Path(location) / "blobs")


def tables_folder(root: Path, config: WorkspaceConfig) -> Path:
    """Parquet tables live in a folder store; with an object store each client keeps its own."""
    location = store_location(root, config)
    return root / "tables" if is_remote(location) else Path(location) / "tables"


# ---------------------------------------------------------------------- the database side
def audit_entries(engine: Engine) -> int:
    """How many audit entries the database holds (0 for an empty or new database)."""
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.audit_log)).scalar() or 0)
    except SQLAlchemyError:
        return 0


def case_name(conn: Connection) -> str | None:
    row = conn.execute(
        select(t.audit_log.c.object_id).where(t.audit_log.c.action == "workspace.init").limit(1)
    ).first()
    return None if row is None else str(row[0])


def read_record(conn: Connection) -> SharedCase | None:
    value = conn.execute(select(t.meta.c.value).where(t.meta.c.key == RECORD_KEY)).scalar()
    if value is None:
        return None
    try:
        return SharedCase(str(value["case"]), str(value["name"]), str(value["store"]))
    except (TypeError, KeyError) as exc:
        raise WorkspaceError("the shared-case record in the database is malformed") from exc


def write_record(conn: Connection, record: SharedCase) -> None:
    conn.execute(delete(t.meta).where(t.meta.c.key == RECORD_KEY))
    value = {"case": record.case_id, "name": record.name, "store": record.store}
    conn.execute(insert(t.meta).values(key=RECORD_KEY, value=value))


def new_record(name: str, store: str) -> SharedCase:
    return SharedCase(uuid.uuid4().hex, name, store)


# ---------------------------------------------------------------------- the store side
def marker_bytes(record: SharedCase) -> bytes:
    body = {"format": MARKER_FORMAT, "case": record.case_id, "name": record.name}
    return (json.dumps(body, sort_keys=True) + "\n").encode()


def read_marker(blobs: BlobStore) -> dict[str, str] | None:
    raw = blobs.read_object(MARKER)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return {"case": str(data["case"]), "name": str(data.get("name", ""))}
    except (ValueError, TypeError, KeyError) as exc:
        raise WorkspaceError(f"the case marker in blob store {blobs.location} is malformed") from exc


def refuse_foreign_store(blobs: BlobStore, store: str) -> None:
    """A new case may not take over a store that already belongs to a case."""
    marker = read_marker(blobs)
    if marker is not None:
        raise WorkspaceError(
            f"case store {store} already belongs to case {marker['name']!r} ({marker['case']}); "
            "join that case with 'armswatch join', or give the new case its own store"
        )


def sample_digests(conn: Connection) -> list[str]:
    a = t.artifact.c
    oldest = conn.execute(select(a.sha256).order_by(a.added_at, a.id).limit(SAMPLE)).scalars().all()
    newest = conn.execute(select(a.sha256).order_by(a.added_at.desc(), a.id.desc()).limit(SAMPLE)).scalars()
    return list(dict.fromkeys([*map(str, oldest), *map(str, newest)]))


def check_store(record: SharedCase, blobs: BlobStore, here: str, digests: list[str]) -> None:
    """This client's store must carry the case's marker and hold the sampled blobs."""
    names = f"this client uses {here}; the database names {record.store}"
    marker = read_marker(blobs)
    if marker is None:
        raise WorkspaceError(
            f"this client does not see the case's blob store: no case marker ({MARKER}) in "
            f"{blobs.location} ({names}); mount that store or run 'armswatch join --blobs …'"
        )
    if marker["case"] != record.case_id:
        raise WorkspaceError(
            f"this client's blob store belongs to another case ({marker['name']!r}, {marker['case']}), "
            f"not {record.name!r} ({record.case_id}): {names}"
        )
    if digests and not any(blobs.exists(d) for d in digests):  # a few missing: verify names them
        raise WorkspaceError(
            f"this client's blob store holds none of the {len(digests)} sampled blobs of the case "
            f"(e.g. sha256:{digests[0]}): {names}"
        )


def forget_record(conn: Connection) -> None:
    """A case copied elsewhere (``case import``) keeps its blobs in its own folder, not the
    original's store."""
    conn.execute(delete(t.meta).where(t.meta.c.key == RECORD_KEY))
