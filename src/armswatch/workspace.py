"""The case workspace: one folder holding a database, a blob store and Parquet tables.

``Workspace`` is the facade every interface (CLI, report, notebooks) calls. Everything that changes
the workspace goes through it, inside a transaction, and leaves an entry in the audit log.
"""

from __future__ import annotations

import contextlib
import getpass
import secrets
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

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
from armswatch.errors import ArmswatchError, NotFoundError, WorkspaceError
from armswatch.provenance.audit import GENESIS, AuditEntry, ChainProblem, entry_hash, verify_chain
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.model import Run
from armswatch.provenance.recorder import RunRecorder
from armswatch.store import database, records
from armswatch.store import schema as t
from armswatch.store.artifact_store import ArtifactStore
from armswatch.store.blob import BlobStore
from armswatch.store.finding_store import FindingStore
from armswatch.store.site_store import SiteStore


class Workspace(ArtifactStore, FindingStore, SiteStore):
    """An open case workspace. Use :meth:`init` or :meth:`open`."""

    def __init__(self, root: Path, config: WorkspaceConfig, engine: Engine, analyst: str) -> None:
        self.root = root
        self.config = config
        self.engine = engine
        self.analyst = analyst
        self.blobs = BlobStore(root / "blobs")
        self.tables_dir = root / "tables"

    # ---------------------------------------------------------------- opening
    @classmethod
    def init(
        cls,
        root: Path,
        *,
        name: str | None = None,
        database_url: str | None = None,
        analyst: str | None = None,
    ) -> Workspace:
        root = Path(root)
        if (root / CONFIG_NAME).exists():
            raise WorkspaceError("a workspace already exists here", path=str(root))
        if root.exists() and not root.is_dir():
            raise WorkspaceError("not a folder", path=str(root))
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("blobs", "tables", "reports"):
            (root / sub).mkdir(exist_ok=True)
        config = WorkspaceConfig(
            name=name or root.resolve().name,
            created=to_iso(utcnow()) or "",
            database_url=database_url or DEFAULT_DB_URL,
        )
        write_config(root, config)
        ws = cls.open(root, analyst=analyst)
        with ws.transaction() as conn:
            ws._audit(conn, "workspace.init", "workspace", config.name, {"armswatch": __version__})
        return ws

    @classmethod
    def open(cls, root: Path | None = None, *, analyst: str | None = None) -> Workspace:
        root = Path(root) if root is not None else find_workspace()
        config = read_config(root)
        engine = database.make_engine(resolve_database_url(root, config.database_url))
        try:
            database.migrate(engine)
        except ArmswatchError:
            engine.dispose()
            raise
        except Exception as exc:
            engine.dispose()
            raise WorkspaceError(f"cannot open the workspace database: {exc}", path=str(root)) from exc
        return cls(root, config, engine, analyst or default_analyst())

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
        with self.engine.begin() as conn:
            yield conn

    # ---------------------------------------------------------------- audit
    def _audit(
        self, conn: Connection, action: str, object_type: str, object_id: str, payload: Mapping[str, Any]
    ) -> None:
        last = conn.execute(
            select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (1, GENESIS) if last is None else (int(last.seq) + 1, str(last.hash))
        at = to_iso(utcnow()) or ""
        body = dict(payload)
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
        conn.execute(delete(t.meta).where(t.meta.c.key == "audit_head"))
        conn.execute(insert(t.meta).values(key="audit_head", value={"seq": seq, "hash": digest}))

    def audit_entries(self) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)).mappings().all()
        return [AuditEntry(**{k: row[k] for k in row}) for row in rows]

    def audit_head(self) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "audit_head")).scalar()
        return None if value is None else (int(value["seq"]), str(value["hash"]))

    def verify_audit(self) -> list[ChainProblem]:
        return verify_chain(self.audit_entries(), self.audit_head())

    # ---------------------------------------------------------------- runs
    @contextlib.contextmanager
    def run(
        self, tool: str, *, parameters: Mapping[str, Any] | None = None, inputs: Sequence[str] = ()
    ) -> Iterator[RunRecorder]:
        """Record one execution of an analysis; see :mod:`armswatch.provenance.recorder`."""
        started = utcnow()
        run_id = f"run-{started:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        recorder = RunRecorder(id=run_id, tool=tool, parameters=dict(parameters or {}))
        for ref in inputs:
            recorder.add_input(self.resolve_artifact_id(ref))
        with self.transaction() as conn:
            conn.execute(
                insert(t.run).values(
                    id=run_id,
                    tool=tool,
                    version=__version__,
                    parameters=recorder.parameters,
                    started_at=to_iso(started),
                    status="running",
                    analyst=self.analyst,
                    summary={},
                    simulated=False,
                )
            )
            self._audit(conn, "run.start", "run", run_id, {"tool": tool, "parameters": recorder.parameters})
        from armswatch.provenance.commit import commit_run

        try:
            yield recorder
            with self.transaction() as conn:
                self._link_artifacts(conn, recorder)
                commit_run(self, conn, recorder)
        except BaseException as exc:
            message = str(exc) or type(exc).__name__
            with self.transaction() as conn:
                with contextlib.suppress(NotFoundError):
                    self._link_artifacts(conn, recorder)
                conn.execute(
                    update(t.run)
                    .where(t.run.c.id == run_id)
                    .values(
                        status="failed",
                        error=message,
                        ended_at=to_iso(utcnow()),
                        summary=recorder.summary,
                    )
                )
                self._audit(conn, "run.fail", "run", run_id, {"error": message})
            raise

    def _link_artifacts(self, conn: Connection, recorder: RunRecorder) -> None:
        wanted = set(recorder.inputs) | set(recorder.outputs)
        known = (
            set(conn.execute(select(t.artifact.c.id).where(t.artifact.c.id.in_(wanted))).scalars())
            if wanted
            else set()
        )
        for role, ids in (("input", recorder.inputs), ("output", recorder.outputs)):
            for artifact_id in ids:
                if artifact_id not in known:
                    raise NotFoundError(
                        f"run {recorder.id}: {role} artifact {artifact_id} was never added to the workspace"
                    )
                conn.execute(
                    insert(t.run_artifact).values(run_id=recorder.id, artifact_id=artifact_id, role=role)
                )

    def get_run(self, run_id: str) -> Run:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.run).where(t.run.c.id == run_id)).mappings().first()
            if row is None:
                raise NotFoundError(f"no run {run_id!r}")
            links = (
                conn.execute(select(t.run_artifact).where(t.run_artifact.c.run_id == run_id)).mappings().all()
            )
        return records.run_from_row(row, links)

    def list_runs(self, tool: str | None = None, status: str | None = None) -> list[Run]:
        query = select(t.run).order_by(t.run.c.started_at, t.run.c.id)
        if tool:
            query = query.where(t.run.c.tool == tool)
        if status:
            query = query.where(t.run.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            ids = query.with_only_columns(t.run.c.id).order_by(None)
            links = (
                conn.execute(select(t.run_artifact).where(t.run_artifact.c.run_id.in_(ids))).mappings().all()
            )
        by_run: dict[str, list[Mapping[Any, Any]]] = {}
        for link in links:
            by_run.setdefault(link["run_id"], []).append(link)
        return [records.run_from_row(r, by_run.get(r["id"], [])) for r in rows]

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
