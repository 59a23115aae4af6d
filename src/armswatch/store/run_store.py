"""Runs, as part of the workspace facade: start, lease, close (with their writes) or fail.

A run is inserted as "running" together with its input links and a lease naming the process that
runs it (:mod:`armswatch.provenance.liveness`); a thread renews the lease while the run works. The
run closes in one transaction with what it writes to the database (its findings, and any writes it
registered with :meth:`~armswatch.provenance.recorder.RunRecorder.on_commit`), so a run killed
before that commit has written nothing there; opening the workspace later closes it as failed.
"""

from __future__ import annotations

import contextlib
import fcntl
import secrets
import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from armswatch import __version__
from armswatch.errors import NotFoundError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.liveness import LEASE, RENEW_SECONDS, this_process
from armswatch.provenance.model import Run
from armswatch.provenance.recorder import RunRecorder
from armswatch.store import records
from armswatch.store import schema as t
from armswatch.store.facade import Facade

#: Tools whose runs of one workspace never overlap (they write shared tables): a second one waits.
EXCLUSIVE_TOOLS: set[str] = {"ais.ingest", "entities.import"}
_HELD: set[tuple[str, str]] = set()  # locks this process holds (a flock is not re-entrant)


def run_links(recorder: RunRecorder) -> list[tuple[str, str, str]]:
    return [(recorder.id, a, "input") for a in recorder.inputs] + [
        (recorder.id, a, "output") for a in recorder.outputs
    ]


class RunStore(Facade):
    current_run: str | None = None

    def resolve_artifact_id(self, ref: str) -> str:
        raise NotImplementedError

    def _reconcile_tables(self, conn: Connection, run_id: str) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def tool_lock(self, tool: str) -> Iterator[None]:
        """Hold the workspace's lock for ``tool`` (released by the kernel if the process dies)."""
        key = (str(self.root.resolve()), tool)
        if tool not in EXCLUSIVE_TOOLS or key in _HELD:
            yield
            return
        folder = self.root / ".locks"
        folder.mkdir(exist_ok=True)
        with open(folder / f"{tool}.lock", "a") as fh, self._shared_lock(tool):
            fcntl.flock(fh, fcntl.LOCK_EX)
            _HELD.add(key)
            try:
                yield
            finally:
                _HELD.discard(key)

    @contextlib.contextmanager
    def _shared_lock(self, tool: str) -> Iterator[None]:
        """On PostgreSQL the lock also holds across clients of a shared case (a session advisory
        lock, released by the server when the client's connection dies)."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        key = zlib.crc32(tool.encode()) & 0x7FFFFFFF
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock(7274728, {key})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock(7274728, {key})")
                conn.commit()

    @contextlib.contextmanager
    def run(
        self, tool: str, *, parameters: Mapping[str, Any] | None = None, inputs: Sequence[str] = ()
    ) -> Iterator[RunRecorder]:
        """Record one execution of an analysis; see :mod:`armswatch.provenance.recorder`."""
        with self.tool_lock(tool):
            started = utcnow()
            run_id = f"run-{started:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
            recorder = RunRecorder(id=run_id, tool=tool, parameters=dict(parameters or {}))
            for ref in inputs:
                recorder.add_input(self.resolve_artifact_id(ref))
            self._start_run(recorder, started)
            stop = threading.Event()
            beat = threading.Thread(target=self._renew_lease, args=(run_id, stop), daemon=True)
            beat.start()
            self.current_run = run_id
            try:
                yield recorder
                with self.transaction() as conn:
                    for hook in recorder.commit_hooks:
                        hook(conn)
                    self._link_artifacts(conn, recorder, role="output")
                    self._reconcile_tables(conn, run_id)
                    from armswatch.provenance.commit import commit_run

                    commit_run(self, conn, recorder)
                    conn.execute(delete(t.run_lease).where(t.run_lease.c.run_id == run_id))
            except BaseException as exc:
                self._fail_run(recorder, str(exc) or type(exc).__name__)
                raise
            finally:
                self.current_run = None
                stop.set()
                beat.join()

    def _start_run(self, recorder: RunRecorder, started: datetime) -> None:
        me = this_process()
        with self.transaction() as conn:
            conn.execute(
                insert(t.run).values(
                    id=recorder.id,
                    tool=recorder.tool,
                    version=__version__,
                    parameters=recorder.parameters,
                    started_at=to_iso(started),
                    status="running",
                    analyst=self.analyst,
                    summary={},
                    simulated=False,
                )
            )
            conn.execute(
                insert(t.run_lease).values(
                    run_id=recorder.id,
                    pid=me.pid,
                    host=me.host,
                    boot_id=me.boot_id,
                    proc_start=me.start,
                    lease_until=to_iso(utcnow() + LEASE),
                )
            )
            self._link_artifacts(conn, recorder, role="input")
            self._audit(
                conn,
                "run.start",
                "run",
                recorder.id,
                {"tool": recorder.tool, "parameters": recorder.parameters},
                seal=[("run", [(recorder.id,)]), ("run_artifact", run_links(recorder))],
            )

    def _renew_lease(self, run_id: str, stop: threading.Event) -> None:
        while not stop.wait(RENEW_SECONDS):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(t.run_lease)
                        .where(t.run_lease.c.run_id == run_id)
                        .values(lease_until=to_iso(utcnow() + LEASE))
                    )
            except Exception:  # a busy database: try again at the next beat
                continue

    def _fail_run(self, recorder: RunRecorder, message: str) -> None:
        with self.transaction() as conn:
            with contextlib.suppress(NotFoundError):
                self._link_artifacts(conn, recorder, role="output")
            conn.execute(
                update(t.run)
                .where(t.run.c.id == recorder.id)
                .values(status="failed", error=message, ended_at=to_iso(utcnow()), summary=recorder.summary)
            )
            conn.execute(delete(t.run_lease).where(t.run_lease.c.run_id == recorder.id))
            self._audit(
                conn,
                "run.fail",
                "run",
                recorder.id,
                {"error": message},
                seal=[("run", [(recorder.id,)]), ("run_artifact", run_links(recorder))],
            )

    def _link_artifacts(self, conn: Connection, recorder: RunRecorder, role: str) -> None:
        ids = recorder.inputs if role == "input" else recorder.outputs
        if not ids:
            return
        known = set(conn.execute(select(t.artifact.c.id).where(t.artifact.c.id.in_(ids))).scalars())
        linked = set(
            conn.execute(
                select(t.run_artifact.c.artifact_id).where(
                    (t.run_artifact.c.run_id == recorder.id) & (t.run_artifact.c.role == role)
                )
            ).scalars()
        )
        for artifact_id in ids:
            if artifact_id not in known:
                raise NotFoundError(
                    f"run {recorder.id}: {role} artifact {artifact_id} was never added to the workspace"
                )
            if artifact_id not in linked:
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
