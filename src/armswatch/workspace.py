"""The case workspace: one folder holding a database, a blob store and Parquet tables.

``Workspace`` is the facade every interface (CLI, report, notebooks) calls. Everything that changes
the workspace goes through it, inside a transaction, and leaves an entry in the audit log.
"""

from __future__ import annotations

import contextlib
import getpass
import mimetypes
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
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
from armswatch.errors import ArmswatchError, InputError, NotFoundError, WorkspaceError
from armswatch.provenance.audit import GENESIS, AuditEntry, ChainProblem, entry_hash, verify_chain
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.model import Artifact, Finding, Review, Run, Source, clean_reliability, clean_status
from armswatch.provenance.recorder import RunRecorder
from armswatch.sites.model import Site
from armswatch.store import database, records
from armswatch.store import schema as t
from armswatch.store.blob import BlobStore

_MEDIA_TYPES = {
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".geojson": "application/geo+json",
    ".parquet": "application/vnd.apache.parquet",
    ".nmea": "text/plain",
    ".ais": "text/plain",
    ".jsonl": "application/jsonl",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".csv": "text/csv",
    ".xml": "application/xml",
}


def guess_media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "source"


class Workspace:
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

    # ---------------------------------------------------------------- sources
    def add_source(
        self,
        name: str,
        *,
        publisher: str | None = None,
        url: str | None = None,
        licence: str | None = None,
        reliability: str = "F",
        id: str | None = None,
    ) -> str:
        """Register who published something; idempotent on the id (a slug of the name by default)."""
        source_id = id or slug(name)
        grade = clean_reliability(reliability)
        with self.transaction() as conn:
            if conn.execute(select(t.source.c.id).where(t.source.c.id == source_id)).first() is None:
                values = {
                    "id": source_id,
                    "name": name,
                    "publisher": publisher,
                    "url": url,
                    "licence": licence,
                    "reliability": grade,
                    "created_at": to_iso(utcnow()),
                }
                conn.execute(insert(t.source).values(**values))
                self._audit(conn, "source.add", "source", source_id, values)
        return source_id

    def list_sources(self) -> list[Source]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.source).order_by(t.source.c.id)).mappings().all()
        return [records.source_from_row(r) for r in rows]

    # ---------------------------------------------------------------- artifacts
    def add_artifact(
        self,
        data: bytes | Path,
        *,
        name: str | None = None,
        media_type: str | None = None,
        source: str | None = None,
        captured_at: datetime | None = None,
        url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        simulated: bool = False,
    ) -> Artifact:
        """Store immutable bytes; the same bytes added twice give the same artifact."""
        if isinstance(data, bytes):
            stored = self.blobs.put_bytes(data)
            name = name or "bytes"
        else:
            stored = self.blobs.put_file(Path(data))
            name = name or Path(data).name
        artifact_id = f"sha256:{stored.sha256}"
        with self.transaction() as conn:
            existing = (
                conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().first()
            )
            if existing is not None:
                return records.artifact_from_row(existing)
            if (
                source is not None
                and conn.execute(select(t.source.c.id).where(t.source.c.id == source)).first() is None
            ):
                raise NotFoundError(f"unknown source {source!r}; add it first")
            values = {
                "id": artifact_id,
                "sha256": stored.sha256,
                "media_type": media_type or guess_media_type(name),
                "size": stored.size,
                "name": name,
                "url": url,
                "captured_at": to_iso(captured_at),
                "added_at": to_iso(utcnow()),
                "source_id": source,
                "meta": dict(metadata or {}),
                "simulated": simulated,
            }
            conn.execute(insert(t.artifact).values(**values))
            self._audit(
                conn,
                "artifact.add",
                "artifact",
                artifact_id,
                {k: values[k] for k in ("name", "size", "media_type", "source_id", "simulated")},
            )
            row = conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().one()
        return records.artifact_from_row(row)

    def resolve_artifact_id(self, ref: str) -> str:
        """Accept ``sha256:<hex>``, the bare hex, or a unique prefix of at least 8 hex digits."""
        hexpart = ref.removeprefix("sha256:").lower()
        if len(hexpart) < 8:
            raise NotFoundError(f"artifact reference too short (give at least 8 hex digits): {ref!r}")
        with self.engine.connect() as conn:
            ids = (
                conn.execute(select(t.artifact.c.id).where(t.artifact.c.sha256.startswith(hexpart)).limit(2))
                .scalars()
                .all()
            )
        if not ids:
            raise NotFoundError(f"no artifact {ref!r}")
        if len(ids) > 1:
            raise NotFoundError(f"artifact reference {ref!r} is ambiguous; give more digits")
        return str(ids[0])

    def get_artifact(self, ref: str) -> Artifact:
        artifact_id = self.resolve_artifact_id(ref)
        with self.engine.connect() as conn:
            row = conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().one()
        return records.artifact_from_row(row)

    def list_artifacts(self, media_type: str | None = None) -> list[Artifact]:
        query = select(t.artifact).order_by(t.artifact.c.added_at, t.artifact.c.id)
        if media_type:
            query = query.where(t.artifact.c.media_type == media_type)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [records.artifact_from_row(r) for r in rows]

    def artifact_path(self, ref: str) -> Path:
        return self.blobs.path(self.resolve_artifact_id(ref).removeprefix("sha256:"))

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
            links = conn.execute(select(t.run_artifact)).mappings().all()
        by_run: dict[str, list[Mapping[Any, Any]]] = {}
        for link in links:
            by_run.setdefault(link["run_id"], []).append(link)
        return [records.run_from_row(r, by_run.get(r["id"], [])) for r in rows]

    # ---------------------------------------------------------------- findings
    def list_findings(
        self,
        kind: str | None = None,
        status: str | None = None,
        subject: str | None = None,
        run_id: str | None = None,
    ) -> list[Finding]:
        query = select(t.finding).order_by(t.finding.c.created_at, t.finding.c.id)
        if kind:
            query = query.where(t.finding.c.kind.startswith(kind))
        if status:
            query = query.where(t.finding.c.status == clean_status(status))
        if run_id:
            query = query.where(t.finding.c.run_id == run_id)
        if subject:
            sub = select(t.finding_subject.c.finding_id).where(t.finding_subject.c.subject == subject)
            query = query.where(t.finding.c.id.in_(sub))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            evidence = conn.execute(select(t.finding_evidence)).mappings().all()
            reviews = conn.execute(select(t.review).order_by(t.review.c.id)).mappings().all()
        ev: dict[str, list[str]] = {}
        for e in evidence:
            ev.setdefault(e["finding_id"], []).append(e["artifact_id"])
        rv: dict[str, list[Review]] = {}
        for r in reviews:
            rv.setdefault(r["finding_id"], []).append(records.review_from_row(r))
        return [records.finding_from_row(r, ev.get(r["id"], []), rv.get(r["id"], [])) for r in rows]

    def get_finding(self, finding_id: str) -> Finding:
        with self.engine.connect() as conn:
            ids = (
                conn.execute(select(t.finding.c.id).where(t.finding.c.id.startswith(finding_id)).limit(2))
                .scalars()
                .all()
            )
        if len(ids) != 1:
            raise NotFoundError(
                f"no finding {finding_id!r}" if not ids else f"finding id {finding_id!r} is ambiguous"
            )
        found = [f for f in self.list_findings() if f.id == ids[0]]
        return found[0]

    def review_finding(self, finding_id: str, status: str, note: str = "") -> Review:
        """Change a finding's status; the review is kept in its history and in the audit log."""
        new_status = clean_status(status)
        current = self.get_finding(finding_id)
        at = utcnow()
        with self.transaction() as conn:
            conn.execute(update(t.finding).where(t.finding.c.id == current.id).values(status=new_status))
            conn.execute(
                insert(t.review).values(
                    finding_id=current.id,
                    status_from=current.status,
                    status_to=new_status,
                    note=note,
                    analyst=self.analyst,
                    at=to_iso(at),
                )
            )
            self._audit(
                conn,
                "finding.review",
                "finding",
                current.id,
                {"from": current.status, "to": new_status, "note": note},
            )
        return Review(current.id, current.status, new_status, note, self.analyst, at)

    # ---------------------------------------------------------------- sites
    def get_site(self, site_id: str) -> Site:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.site).where(t.site.c.id == site_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no site {site_id!r} (see 'armswatch sites list')")
        return records.site_from_row(row)

    def list_sites(self, kind: str | None = None) -> list[Site]:
        query = select(t.site).order_by(t.site.c.id)
        if kind:
            query = query.where(t.site.c.kind == kind)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [records.site_from_row(r) for r in rows]

    def save_sites(self, sites: Sequence[Site], *, replace: bool = True) -> dict[str, int]:
        """Add or update sites in one transaction; unchanged sites are left alone (idempotent import).

        With ``replace=False`` an existing id is an error instead of an update.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        seen: set[str] = set()
        now = to_iso(utcnow())
        with self.transaction() as conn:
            for site in sites:
                if site.id in seen:
                    raise InputError(f"site id {site.id!r} appears twice in the input")
                seen.add(site.id)
                row = records.site_to_row(site)
                old = conn.execute(select(t.site).where(t.site.c.id == site.id)).mappings().first()
                if old is None:
                    conn.execute(insert(t.site).values(**row, created_at=now, updated_at=now))
                    self._audit(conn, "site.add", "site", site.id, row)
                    counts["added"] += 1
                elif records.site_to_row(records.site_from_row(old)) == row:
                    counts["unchanged"] += 1
                elif not replace:
                    raise InputError(f"site {site.id!r} already exists (use 'sites edit' to change it)")
                else:
                    conn.execute(update(t.site).where(t.site.c.id == site.id).values(**row, updated_at=now))
                    before = {k: old[k] for k in row}
                    self._audit(conn, "site.update", "site", site.id, {"before": before, "after": row})
                    counts["updated"] += 1
        return counts

    def remove_site(self, site_id: str) -> Site:
        site = self.get_site(site_id)
        with self.transaction() as conn:
            conn.execute(delete(t.site).where(t.site.c.id == site_id))
            self._audit(conn, "site.remove", "site", site_id, records.site_to_row(site))
        return site

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
