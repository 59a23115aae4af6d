"""The case timeline: findings per day and kind, and the latest activity from the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from armswatch.web.deps import Principal, viewer
from armswatch.web.query import timeline as tl
from armswatch.web.templating import render

router = APIRouter(tags=["timeline"])


@router.get("/api/v1/timeline")
def api_timeline(me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """Findings per day and kind (by the start of their interval)."""
    return {"findings_per_day": tl.findings_per_day(me.ws)}


@router.get("/timeline", include_in_schema=False)
def timeline_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    days = tl.findings_per_day(me.ws)
    per_day: dict[str, dict[str, int]] = {}
    for row in days:
        per_day.setdefault(row["day"], {})[row["kind"]] = row["n"]
    top = max((sum(v.values()) for v in per_day.values()), default=1)
    return render(
        request,
        "timeline.html",
        {"per_day": per_day, "top": top, "activity": tl.recent_activity(me.ws)},
    )
