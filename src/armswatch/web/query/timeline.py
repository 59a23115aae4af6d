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


def recent_activity(ws: Workspace, limit: int = 100) -> list[dict[str, Any]]:
    a = t.audit_log.c
    query = (
        select(a.seq, a.at, a.analyst, a.action, a.object_type, a.object_id)
        .order_by(a.seq.desc())
        .limit(limit)
    )
    with ws.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
