"""Recovery on open: runs left "running" by a dead process are closed as failed, what they left
behind is rolled back, and stray temporary files are removed.

A run's database writes commit together with its success (:mod:`armswatch.store.run_store`), so a
killed run normally left nothing in the database. What it may have left: Parquet files written
before it died (deleted, unless a compaction already merged them with older rows, in which case
they are kept, registered as the failed run's and the rows stay deduplicated), list snapshots of
runs from older armswatch versions that wrote before closing (deleted with their statements), and
temporary files (``*.tmp``; blob temporaries of dead processes).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, inspect, select, update

from armswatch.provenance.clock import from_iso, to_iso, utcnow
from armswatch.provenance.liveness import ProcessIdentity, is_dead, pid_alive
from armswatch.provenance.seal import is_protected, key_columns, table_for
from armswatch.store import schema as t
from armswatch.store.table_files import disk_files

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

STRAY_AGE_SECONDS = 600
"""A temporary file outside the run-written tables is stray once this old (and no run is alive)."""


def running_runs(ws: Workspace) -> list[tuple[str, str | None]]:
    """(run id, reason it is dead or None if it may be alive) for every run marked running."""
    query = select(t.run.c.id, t.run_lease).select_from(
        t.run.outerjoin(t.run_lease, t.run_lease.c.run_id == t.run.c.id)
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(query.where(t.run.c.status == "running")).mappings().all()
    now = utcnow()
    out: list[tuple[str, str | None]] = []
    for r in rows:
        owner = None
        if r["pid"] is not None:
            owner = ProcessIdentity(int(r["pid"]), r["host"], r["boot_id"], r["proc_start"])
        out.append((r["id"], is_dead(owner, from_iso(r["lease_until"]), now)))
    return out


def recover(ws: Workspace) -> list[str]:
    """Close dead runs as failed and clean up after them; returns the ids of runs closed."""
    runs = running_runs(ws)
    dead = [(run_id, reason) for run_id, reason in runs if reason is not None]
    closed: list[str] = []
    for run_id, reason in dead:
        if fail_dead_run(ws, run_id, reason or ""):
            closed.append(run_id)
    if len(dead) == len(runs):  # nothing is running any more: leftovers belong to no one
        remove_stray_files(ws, closed[-1] if closed else None)
    remove_dead_blob_temporaries(ws.root / "blobs" / "tmp")
    return closed


def fail_dead_run(ws: Workspace, run_id: str, reason: str) -> bool:
    message = f"interrupted: {reason} (found on {socket.gethostname()} at {to_iso(utcnow())})"
    with ws.transaction() as conn:
        status = conn.execute(select(t.run.c.status).where(t.run.c.id == run_id)).scalar()
        if status != "running":
            return False  # another process closed it meanwhile
        conn.execute(
            update(t.run)
            .where(t.run.c.id == run_id)
            .values(status="failed", error=message, ended_at=to_iso(utcnow()))
        )
        conn.execute(delete(t.run_lease).where(t.run_lease.c.run_id == run_id))
        links = [
            (r.run_id, r.artifact_id, r.role)
            for r in conn.execute(select(t.run_artifact).where(t.run_artifact.c.run_id == run_id))
        ]
        ws._audit(
            conn,
            "run.fail",
            "run",
            run_id,
            {"error": message},
            seal=[("run", [(run_id,)]), ("run_artifact", links)],
        )
        rollback_snapshots(ws, conn, run_id)
    return True


def rollback_snapshots(ws: Workspace, conn: Connection, run_id: str) -> None:
    """Delete list snapshots written by a run that did not succeed (older armswatch wrote them
    before closing the run), with their presence, absences and the statements only they carried."""
    from armswatch.entities.schema import entity_absence, entity_presence, entity_snapshot, entity_statement

    snaps = conn.execute(select(entity_snapshot).where(entity_snapshot.c.run_id == run_id)).mappings().all()
    for snap in snaps:
        sid = snap["id"]
        presence = [(sid, e) for e in conn.execute(
            select(entity_presence.c.entity_id).where(entity_presence.c.snapshot_id == sid)
        ).scalars()]  # fmt: skip
        absence = [(s, sid) for s in conn.execute(
            select(entity_absence.c.statement_id).where(entity_absence.c.snapshot_id == sid)
        ).scalars()]  # fmt: skip
        only_here = (
            (entity_statement.c.run_id == run_id)
            & (entity_statement.c.first_seen == snap["list_date"])
            & (entity_statement.c.last_seen == snap["list_date"])
        )
        statements = [(i,) for i in conn.execute(select(entity_statement.c.id).where(only_here)).scalars()]
        conn.execute(delete(entity_presence).where(entity_presence.c.snapshot_id == sid))
        conn.execute(delete(entity_absence).where(entity_absence.c.snapshot_id == sid))
        conn.execute(delete(entity_statement).where(only_here))
        conn.execute(delete(entity_snapshot).where(entity_snapshot.c.id == sid))
        ws._audit(
            conn,
            "entities.rollback",
            "entity_snapshot",
            sid,
            {"run": run_id, "statements": len(statements)},
            seal=[
                ("entity_snapshot", [(sid,)]),
                ("entity_presence", presence),
                ("entity_absence", absence),
                ("entity_statement", statements),
            ],
        )


def remove_stray_files(ws: Workspace, dead_run: str | None) -> None:
    """Remove temporary files, and roll back Parquet files a dead run left unregistered."""
    with ws.engine.connect() as conn:
        tracked = ws.tracked_roots(conn)
    now = time.time()
    candidates = [*ws.tables_dir.rglob("*.tmp"), *ws.root.glob(".*.tmp")]
    for path in candidates:
        parts = path.relative_to(ws.root).parts
        in_run_table = len(parts) > 2 and parts[0] == "tables" and parts[1] in tracked
        with contextlib.suppress(OSError):
            # tracked tables are written only by runs (none alive now); other temporaries (atomic
            # writes of caches and of the head file) may belong to a live command: only old ones go
            if in_run_table or now - path.stat().st_mtime > STRAY_AGE_SECONDS:
                path.unlink()
    if dead_run is None:
        return
    with ws.transaction() as conn:
        registered = {
            r.path: r.run_id for r in conn.execute(select(t.table_file.c.path, t.table_file.c.run_id))
        }
        on_disk = disk_files(ws.tables_dir, ws.tracked_roots(conn))
        folders: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"new": [], "gone": [], "own": []})
        for rel in set(on_disk) - set(registered):
            folders[rel.rsplit("/", 1)[0]]["new"].append(rel)
        for rel, owner in registered.items():
            folder = rel.rsplit("/", 1)[0]
            if rel not in on_disk:
                folders[folder]["gone"].append(rel)
            elif owner == dead_run:
                folders[folder]["own"].append(rel)
        for _folder, f in sorted(folders.items()):
            if not f["new"] and not f["own"]:
                continue
            if not f["gone"]:  # nothing older was merged in: roll the files back
                for rel in f["new"] + f["own"]:
                    with contextlib.suppress(OSError):
                        (ws.tables_dir / rel).unlink()
                    if rel in registered:
                        conn.execute(delete(t.table_file).where(t.table_file.c.path == rel))
                        ws._audit(conn, "table.file.rollback", "table_file", rel, {"run": dead_run})
                continue
            for rel in sorted(f["new"]):  # compacted with older rows: keep, as the failed run's
                ws._register(conn, rel, dead_run, "table.file.adopt")
            for rel in sorted(f["gone"]):
                conn.execute(delete(t.table_file).where(t.table_file.c.path == rel))
                ws._audit(
                    conn, "table.file.retire", "table_file", rel, {"run": dead_run, "reason": "compacted"}
                )


def remove_dead_blob_temporaries(folder: Path) -> None:
    """Blob temporaries are named ``<pid>-…``: remove those of processes that are gone."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        pid = path.name.split("-", 1)[0]
        if (pid.isascii() and pid.isdigit()) and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def seal_existing(ws: Workspace) -> None:
    """Seal every record of a workspace written before seals existed (on its upgrade)."""
    with ws.transaction() as conn:
        names = [n for n in inspect(conn).get_table_names() if is_protected(n)]
        targets: list[tuple[str, list[tuple[Any, ...]]]] = []
        for name in sorted(names):
            table = table_for(conn, name)
            cols = [table.c[c] for c in key_columns(table)]
            targets.append((name, [tuple(r) for r in conn.execute(select(*cols))]))
        ws._audit(
            conn, "integrity.seal-existing", "workspace", ws.name, {"tables": sorted(names)}, seal=targets
        )
