"""The case workspace: one folder holding a database, a blob store and Parquet tables.

``Workspace`` is the facade every interface (CLI, report, notebooks) calls. Everything that changes
the workspace goes through it, inside a transaction, and leaves an entry in the audit log.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import OperationalError

from armswatch import __version__
from armswatch.config import (
    CONFIG_NAME,
    DEFAULT_DB_URL,
    WorkspaceConfig,
    find_workspace,
    read_config,
    resolve_database_url,
    write_config,
)
from armswatch.errors import ArmswatchError, IntegrityError, WorkspaceError
from armswatch.provenance.audit import GENESIS, AuditEntry, ChainProblem, entry_hash, verify_chain
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.head import write_head
from armswatch.provenance.seal import default_targets, seal_summary
from armswatch.provenance.seal import seal as seal_records
from armswatch.store import database
from armswatch.store import schema as t
from armswatch.store.artifact_store import ArtifactStore
from armswatch.store.blob import BlobStore
from armswatch.store.finding_store import FindingStore
from armswatch.store.run_store import RunStore
from armswatch.store.shared_case import open_blob_store, tables_folder
from armswatch.store.site_store import SiteStore
from armswatch.store.table_files import TableFileStore
from armswatch.store.table_sync import fetch_missing_tables

FOLDERS = ("blobs", "tables", "reports")


def check_folders(root: Path) -> None:
    """Workspace folders must lie inside the workspace (a symlink out of it is refused)."""
    base = root.resolve()
    for sub in FOLDERS:
        target = root / sub
        if (target.is_symlink() or target.exists()) and not target.resolve().is_relative_to(base):
            raise WorkspaceError(
                f"folder {sub}/ points outside the workspace (symlink refused)", path=str(root)
            )


class Workspace(ArtifactStore, FindingStore, SiteStore, TableFileStore, RunStore):
    """An open case workspace. Use :meth:`init` or :meth:`open`."""

    def __init__(
        self,
        root: Path,
        config: WorkspaceConfig,
        engine: Engine,
        analyst: str,
        blobs: BlobStore | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self.engine = engine
        self.analyst = analyst
        self.blobs = blobs if blobs is not None else open_blob_store(root, config)
        self.tables_dir = tables_folder(root, config)
        self.current_run: str | None = None

    # ---------------------------------------------------------------- opening
    @classmethod
    def init(
        cls,
        root: str | Path,
        *,
        name: str | None = None,
        database_url: str | None = None,
        analyst: str | None = None,
        blobs: str | None = None,
    ) -> Workspace:
        """Create a case. ``blobs`` names a shared case store (a folder every analyst mounts, or
        ``s3://bucket/prefix``); a database that already holds a case is refused (join it instead)."""
        from armswatch.store import joining

        root = Path(root).expanduser()  # "~/cases/rajin" works as in a shell
        if (root / CONFIG_NAME).exists():
            raise WorkspaceError("a workspace already exists here", path=str(root))
        if root.exists() and not root.is_dir():
            raise WorkspaceError("not a folder", path=str(root))
        config = WorkspaceConfig(
            name=name or root.resolve().name,
            created=to_iso(utcnow()) or "",
            database_url=database_url or DEFAULT_DB_URL,
            blobs=blobs,
        )
        joining.refuse_used_database(root, config)
        claimed = joining.claim_store(root, config) if blobs is not None else None
        created = not root.exists()
        try:
            cls._create_folders(root, config)
            ws = cls.open(root, analyst=analyst)
        except BaseException:
            if claimed is not None:
                joining.release_store(root, config)
            joining.undo_folders(root, created)
            raise
        with ws.transaction() as conn:
            ws._audit(conn, "workspace.init", "workspace", config.name, {"armswatch": __version__})
        if claimed is not None or ws.engine.dialect.name != "sqlite":
            joining.share(ws, claimed)
        return ws

    @classmethod
    def join(
        cls,
        root: str | Path,
        *,
        database_url: str,
        blobs: str | None = None,
        analyst: str | None = None,
    ) -> Workspace:
        """A local workspace folder for a case that already lives in a shared database: its
        ``armswatch.toml`` names the database and the case store (``blobs``, default: the store
        the database names). Checks that this client sees the case's blobs before it is kept."""
        from armswatch.store import joining

        root = Path(root).expanduser()
        if (root / CONFIG_NAME).exists():
            raise WorkspaceError("a workspace already exists here", path=str(root))
        created = not root.exists()
        config = joining.join_config(root, database_url, blobs)
        cls._create_folders(root, config)
        try:
            ws = cls.open(root, analyst=analyst)
            try:
                joining.joined(ws)
            except BaseException:
                ws.close()
                raise
        except BaseException:
            joining.undo_folders(root, created)
            raise
        return ws

    @staticmethod
    def _create_folders(root: Path, config: WorkspaceConfig) -> None:
        root.mkdir(parents=True, exist_ok=True)
        check_folders(root)
        for sub in FOLDERS:
            (root / sub).mkdir(exist_ok=True)
        write_config(root, config)

    @classmethod
    def open(
        cls, root: str | Path | None = None, *, analyst: str | None = None, recover_runs: bool = True
    ) -> Workspace:
        """Open a workspace: upgrade its schema, then close runs left running by dead processes
        (:mod:`armswatch.provenance.recovery`)."""
        root = Path(root).expanduser() if root is not None else find_workspace()
        config = read_config(root)
        check_folders(root)
        engine = database.make_engine(resolve_database_url(root, config.database_url))
        try:
            before = database.current_revisions(engine)
            database.migrate(engine)
        except ArmswatchError:
            engine.dispose()
            raise
        except Exception as exc:
            engine.dispose()
            busy = database.busy_error(exc)
            raise busy or WorkspaceError(
                f"cannot open the workspace database: {exc}", path=str(root)
            ) from exc
        from armswatch.provenance.recovery import recover, seal_existing
        from armswatch.store.joining import check_shared_store

        try:
            ws = cls(root, config, engine, analyst or default_analyst())
            check_shared_store(ws)  # this client sees the case's blob store
        except BaseException:
            engine.dispose()
            raise
        if before and "0003_integrity" not in database.ancestors(before):
            seal_existing(ws)
        if recover_runs:
            recover(ws)
        fetch_missing_tables(ws.blobs, ws.tables_dir, ws.engine)  # object store: tables are per client
        return ws

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return self.config.name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction. Writers are serialised (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL
        advisory lock), so every read inside sees the state it changes; the head file beside the
        database follows the chain after the commit."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(armswatch_write=True)
                conn.info.pop("armswatch_head", None)
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7274726)")
                    yield conn
                head = conn.info.pop("armswatch_head", None)
        except OperationalError as exc:
            raise database.busy_error(exc) or exc from exc
        if head is not None:
            write_head(self.root, *head)

    # ---------------------------------------------------------------- audit
    def _audit(
        self,
        conn: Connection,
        action: str,
        object_type: str,
        object_id: str,
        payload: Mapping[str, Any],
        seal: Iterable[tuple[str, Sequence[tuple[Any, ...]]]] | None = None,
    ) -> int:
        """Append an audit entry that seals the records it wrote (``seal``: table and keys; by
        default the record named, when ``object_type`` is a table); returns its sequence number."""
        last = conn.execute(
            select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (1, GENESIS) if last is None else (int(last.seq) + 1, str(last.hash))
        at = to_iso(utcnow()) or ""
        body = dict(payload)
        if seal is None:
            seal = default_targets(action, object_type, object_id, payload)
        count, total = seal_records(conn, seq, seal)
        if count:
            body["_seal"] = seal_summary(count, total)
        digest = entry_hash(prev, seq, at, self.analyst, action, object_type, object_id, body)
        conn.execute(
            insert(t.audit_log).values(
                seq=seq,
                at=at,
                analyst=self.analyst,
                action=action,
                object_type=object_type,
                object_id=object_id,
                payload=body,
                prev_hash=prev,
                hash=digest,
            )
        )
        head = {"seq": seq, "hash": digest}
        if conn.execute(update(t.meta).where(t.meta.c.key == "audit_head").values(value=head)).rowcount == 0:
            conn.execute(insert(t.meta).values(key="audit_head", value=head))
        conn.info["armswatch_head"] = (seq, digest)
        return seq

    def audit_entries(self) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)).mappings().all()
        return [AuditEntry(**{k: row[k] for k in row}) for row in rows]

    def audit_head(self) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "audit_head")).scalar()
        if value is None:
            return None
        try:
            return int(value["seq"]), str(value["hash"])
        except (TypeError, KeyError, ValueError) as exc:
            raise IntegrityError("the audit head row is malformed; run 'armswatch verify'") from exc

    def verify_audit(self) -> list[ChainProblem]:
        return verify_chain(self.audit_entries(), self.audit_head())

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in (
                    ("sites", t.site),
                    ("sources", t.source),
                    ("artifacts", t.artifact),
                    ("runs", t.run),
                    ("findings", t.finding),
                    ("audit entries", t.audit_log),
                )
            }


def default_analyst() -> str:
    import os

    env = os.environ.get("ARMSWATCH_ANALYST")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
