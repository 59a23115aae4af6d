"""The case timeline: findings per day and kind, and what happened in the case (runs and reviews)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from armswatch.store import schema as t
from armswatch.web.query.cache import cached, case_version
from armswatch.workspace import Workspace


def findings_per_day(ws: Workspace) -> list[dict[str, Any]]:
    """Findings per day and kind (kept until the case changes)."""
    c = t.finding.c
    day = func.substr(func.coalesce(c.start_at, c.created_at), 1, 10)
    query = select(day.label("day"), c.kind, func.count().label("n")).group_by(day, c.kind).order_by(day)

    def compute() -> list[dict[str, Any]]:
        with ws.engine.connect() as conn:
            return [{"day": r.day, "kind": r.kind, "n": int(r.n)} for r in conn.execute(query)]

    return cached(str(ws.root), "per-day", case_version(ws), compute)


def recent_activity(ws: Workspace, limit: int = 100, scan: int = 2000) -> list[dict[str, Any]]:
    """The latest audit entries, newest first, a run of the same action by the same person on the same
    kind of object as one row with its ``count`` (an AIS ingest writes a table file per day and bucket:
    on the real NOAA files 80 of the latest 100 entries were ``table_file.add``)."""
    a = t.audit_log.c
    query = (
        select(a.seq, a.at, a.analyst, a.action, a.object_type, a.object_id)
        .order_by(a.seq.desc())
        .limit(scan)
    )
    with ws.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    out: list[dict[str, Any]] = []
    for r in rows:
        last = out[-1] if out else None
        key = (r["analyst"], r["action"], r["object_type"])
        if last is not None and (last["analyst"], last["action"], last["object_type"]) == key:
            last["count"] += 1
            last["first_seq"], last["first_at"] = r["seq"], r["at"]
            continue
        if len(out) == limit:
            break
        out.append({**r, "count": 1, "first_seq": r["seq"], "first_at": r["at"]})
    return out
