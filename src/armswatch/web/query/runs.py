"""The latest runs recorded in the case (from the command line or the workbench): what was done, by whom,
when and with what result. The Analyses page lists them under its jobs, which live only as long as the
server process: after a restart the page said "No analyses started" over a case full of runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from armswatch.store import schema as t
from armswatch.workspace import Workspace


def latest_runs(ws: Workspace, limit: int = 30) -> dict[str, Any]:
    """``items`` (newest first: id, tool, status, analyst, started_at, ended_at, summary, error) and
    ``total``."""
    r = t.run.c
    query = (
        select(r.id, r.tool, r.status, r.analyst, r.started_at, r.ended_at, r.summary, r.error, r.simulated)
        .order_by(r.started_at.desc(), r.id.desc())
        .limit(limit)
    )
    with ws.engine.connect() as conn:
        items = [dict(row._mapping) for row in conn.execute(query)]
        total = int(conn.execute(select(func.count()).select_from(t.run)).scalar_one())
    for item in items:  # the scalar parts of the summary, as (name, text) pairs for one table cell
        summary = item["summary"] if isinstance(item["summary"], dict) else {}
        item["facts"] = [
            (str(k).replace("_", " "), str(v)[:80])
            for k, v in summary.items()
            if isinstance(v, (int, float, str)) and not isinstance(v, bool)
        ]
    return {"items": items, "total": total}
