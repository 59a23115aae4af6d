"""Creating, joining and checking a shared case (see :mod:`armswatch.store.shared_case`).

``init`` refuses a database that already holds a case and a store that already belongs to one;
``join`` writes a local ``armswatch.toml`` for a case that lives in a shared database, after checking
that this client sees the case's store; every open checks the store again (cheaply: the marker and a
sample of blobs).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from armswatch import __version__
from armswatch.config import CONFIG_NAME, WorkspaceConfig, resolve_database_url
from armswatch.errors import WorkspaceError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.store import database
from armswatch.store import schema as t
from armswatch.store.shared_case import (
    MARKER,
    SharedCase,
    audit_entries,
    case_name,
    check_store,
    marker_bytes,
    new_record,
    open_blob_store,
    read_record,
    sample_digests,
    store_location,
    write_record,
)
from armswatch.store.shared_case import refuse_foreign_store as _refuse_foreign

if TYPE_CHECKING:
    from armswatch.workspace import Workspace


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database"


def refuse_used_database(root: Path, config: WorkspaceConfig) -> None:
    """``init`` never writes a second case into a database that holds one."""
    url = resolve_database_url(root, config.database_url)
    engine = database.make_engine(url)
    try:
        held = audit_entries(engine)
    finally:
        engine.dispose()
    if held:
        raise WorkspaceError(
            f"the database {_shown(url)} already holds a case ({held} audit entries); to work on it "
            f"from this folder run: armswatch join --database-url URL {root}"
        )


def claim_store(root: Path, config: WorkspaceConfig) -> SharedCase:
    """Before ``init`` writes anything: refuse a store that belongs to a case, and put the new
    case's marker in it (which also proves the store is reachable and writable)."""
    blobs = open_blob_store(root, config)
    store = store_location(root, config)
    _refuse_foreign(blobs, store)
    record = new_record(config.name, store)
    blobs.write_object(MARKER, marker_bytes(record))
    return record


def release_store(root: Path, config: WorkspaceConfig) -> None:
    """Undo :func:`claim_store` after a failed ``init`` (best effort)."""
    with contextlib.suppress(Exception):
        open_blob_store(root, config).delete_object(MARKER)


def share(ws: Workspace, record: SharedCase | None = None) -> SharedCase:
    """Record the case store in the database (and put the case marker in the store)."""
    if record is None:
        record = new_record(ws.name, store_location(ws.root, ws.config))
        ws.blobs.write_object(MARKER, marker_bytes(record))
    with ws.transaction() as conn:
        write_record(conn, record)
        payload = {"case": record.case_id, "store": record.store}
        ws._audit(conn, "case.share", "workspace", record.name, payload)
    return record


def join_config(root: Path, database_url: str, blobs: str | None) -> WorkspaceConfig:
    """The armswatch.toml of a client joining the case held by ``database_url``."""
    url = resolve_database_url(root, database_url)
    engine = database.make_engine(url)
    try:
        if not audit_entries(engine):
            raise WorkspaceError(
                f"the database {_shown(url)} holds no case to join; create one with 'armswatch init'"
            )
        with engine.connect() as conn:
            record = read_record(conn)
            name = record.name if record is not None else case_name(conn)
    except WorkspaceError:
        raise
    except Exception as exc:
        raise WorkspaceError(f"cannot read the database {_shown(url)}: {exc}") from exc
    finally:
        engine.dispose()
    if record is None and blobs is None:
        raise WorkspaceError(
            f"the case in {_shown(url)} names no shared case store (it was created before armswatch "
            "recorded one): give --blobs with the folder or s3:// store that holds all its blobs"
        )
    return WorkspaceConfig(
        name=name or root.resolve().name,
        created=to_iso(utcnow()) or "",
        database_url=database_url,
        blobs=blobs if blobs is not None else record.store if record is not None else None,
    )


def joined(ws: Workspace) -> None:
    """After a join: adopt the store for a case that had none recorded, and audit the join."""
    with ws.engine.connect() as conn:
        record = read_record(conn)
        digests = [str(d) for d in conn.execute(select(t.artifact.c.sha256)).scalars()]
    if record is None:  # a case from before shared stores: the store must hold every blob
        missing = [d for d in digests if not ws.blobs.exists(d)]
        if missing:
            raise WorkspaceError(
                f"case store {store_location(ws.root, ws.config)} lacks {len(missing)} of the case's "
                f"{len(digests)} blobs (e.g. sha256:{missing[0]}); copy them there first"
            )
        record = share(ws)
    with ws.transaction() as conn:
        payload = {"store": store_location(ws.root, ws.config), "armswatch": __version__}
        ws._audit(conn, "workspace.join", "workspace", record.name, payload)


def undo_folders(root: Path, created: bool) -> None:
    """A failed join leaves nothing behind."""
    if created:
        shutil.rmtree(root, ignore_errors=True)
    else:
        (root / CONFIG_NAME).unlink(missing_ok=True)


def check_shared_store(ws: Workspace) -> None:
    """On open: this client's store must be the case's (marker and a sample of blobs)."""
    with ws.engine.connect() as conn:
        record = read_record(conn)
        if record is None:
            return
        digests = sample_digests(conn)
    check_store(record, ws.blobs, store_location(ws.root, ws.config), digests)
