"""Vessels: ``/api/v1/vessels/{mmsi}`` (identity history, designations), its simplified track, the page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from armswatch.provenance.clock import parse_when
from armswatch.web.annotations import annotations_of
from armswatch.web.deps import Principal, viewer
from armswatch.web.query import findings as fq
from armswatch.web.query import vessel_list as vl
from armswatch.web.query import vessels as vq
from armswatch.web.query.events import EventFilter, page
from armswatch.web.templating import render

router = APIRouter(tags=["vessels"])
Q_HELP = "Name part, or first digits of an MMSI or IMO"
Sort = Annotated[str, Query(description="last_seen, positions, events, name or mmsi")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/api/v1/vessels")
def api_vessels(
    me: Annotated[Principal, Depends(viewer)],
    q: Annotated[str | None, Query(max_length=200, description=Q_HELP)] = None,
    sort: Sort = "last_seen",
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=vl.MAX_LIMIT)] = 50,
) -> dict[str, Any]:
    """Every AIS vessel of the case: latest name, IMO, call sign and ship type, positions, first and last
    seen (hour), stored events, the list entities carrying its MMSI or IMO (``listed``); paginated."""
    return vl.vessel_page(me.ws, vl.VesselFilter(q or None, sort), offset, limit)


@router.get("/vessels", include_in_schema=False)
def vessels_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    q: Annotated[str | None, Query(max_length=200, description=Q_HELP)] = None,
    sort: Sort = "last_seen",
    offset: Offset = 0,
) -> Response:
    found = vl.vessel_page(me.ws, vl.VesselFilter(q or None, sort), offset, 50)
    args = {k: v for k, v in request.query_params.items() if k != "offset"}
    return render(
        request,
        "vessels.html",
        {"page": found, "q": q or "", "sort": sort, "sorts": list(vl.SORTS), "args": args},
    )


@router.get("/api/v1/vessels/{mmsi}")
def api_vessel(mmsi: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """A vessel by MMSI: the identities it broadcast (first/last seen), its list entries, its findings."""
    number = vq.clean_mmsi(mmsi)
    out = vq.vessel(me.ws, number)
    found = fq.list_findings(me.ws, fq.FindingFilter(subject=f"vessel:mmsi:{number}"), limit=200)
    out["findings"] = [
        {"id": f.id, "kind": f.kind, "title": f.title, "status": f.status} for f in found.items
    ]
    return out


@router.get("/api/v1/vessels/{mmsi}/track")
def api_vessel_track(
    mmsi: str, me: Annotated[Principal, Depends(viewer)], start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """The vessel's track thinned server-side to at most 2,000 points (GeoJSON feature)."""
    return vq.track(
        me.ws, vq.clean_mmsi(mmsi), parse_when(start) if start else None, parse_when(end) if end else None
    )


@router.get("/vessels/{mmsi}", include_in_schema=False)
def vessel_page(mmsi: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    number = vq.clean_mmsi(mmsi)
    v = vq.vessel(me.ws, number)
    found = fq.list_findings(me.ws, fq.FindingFilter(subject=f"vessel:mmsi:{number}"), limit=200)
    events = page(me.ws, EventFilter(mmsi=number), limit=500)
    notes = annotations_of(me.ws, subject=f"vessel:mmsi:{number}")
    return render(request, "vessel.html", {"v": v, "page": found, "events": events, "annotations": notes})
