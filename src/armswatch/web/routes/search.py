"""Search: a name in any script (the entity matcher), an IMO or MMSI number, a site name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from armswatch.web.deps import Principal, viewer
from armswatch.web.query.search import search
from armswatch.web.templating import render

router = APIRouter(tags=["search"])
Q = Annotated[
    str, Query(max_length=200, description="A name (Latin, Hangul, Cyrillic...), an IMO or an MMSI")
]


@router.get("/api/v1/search")
def api_search(me: Annotated[Principal, Depends(viewer)], q: Q = "") -> dict[str, Any]:
    """Entities (scored by the screening matcher), AIS vessels, sites, munition items (markings in any
    script) and evidence files matching ``q``."""
    return search(me.ws, q)


@router.get("/search", include_in_schema=False)
def search_page(request: Request, me: Annotated[Principal, Depends(viewer)], q: Q = "") -> Response:
    return render(request, "search.html", {"q": q, "results": search(me.ws, q) if q.strip() else None})
