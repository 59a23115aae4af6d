"""The map: its page, base layers, findings, AIS tracks (aggregated server-side) and AIS events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from armswatch.errors import InputError
from armswatch.maritime.event import EVENT_TYPES
from armswatch.provenance.clock import parse_when
from armswatch.web import basemap
from armswatch.web.deps import Principal, viewer
from armswatch.web.query import events as eq
from armswatch.web.query import findings as fq
from armswatch.web.query import tracks as tq
from armswatch.web.query import vessel_list as vl
from armswatch.web.query import vessels as vq
from armswatch.web.routes.findings import Filter
from armswatch.web.templating import render

router = APIRouter(tags=["map"])
BBox = Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat (degrees)")]


def _when(text: str | None) -> Any:
    return parse_when(text) if text else None


def _at(text: str | None) -> str:
    """``lat,lon`` to open the map on (a place on the events page), checked; empty when absent."""
    if not text:
        return ""
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"at must be lat,lon in degrees, got {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"at must be lat,lon in degrees, got {text!r}")
    return f"{lat:.5f},{lon:.5f}"


@router.get("/map", include_in_schema=False)
def map_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    lo, hi = tq.time_range(me.ws)
    box = tq.extent(me.ws)
    return render(
        request,
        "map.html",
        {
            "track_start": lo,
            "track_end": hi,
            "focus": request.query_params.get("finding"),
            "at": _at(request.query_params.get("at")),
            "ais_extent": ",".join(f"{x:.5f}" for x in box) if box else "",
        },
    )


@router.get("/api/v1/basemap/countries")
async def api_countries(
    me: Annotated[Principal, Depends(viewer)], detail: Literal["low", "high"] = "low"
) -> Response:
    """Natural Earth 1:10m country outlines (public domain), simplified for the map (GeoJSON)."""
    data = await run_in_threadpool(basemap.countries_geojson, detail)
    return Response(
        data, media_type="application/geo+json", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/api/v1/basemap/ports")
async def api_ports(me: Annotated[Principal, Depends(viewer)]) -> Response:
    """World Port Index reference points (public domain, GeoJSON)."""
    data = await run_in_threadpool(basemap.ports_geojson)
    return Response(
        data, media_type="application/geo+json", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/api/v1/map/findings")
def api_map_findings(
    me: Annotated[Principal, Depends(viewer)], f: Filter, limit: Annotated[int, Query(ge=1, le=20_000)] = 2000
) -> Response:
    """Findings with a geometry (GeoJSON), filtered like ``/api/v1/findings``, newest first."""
    doc = {"type": "FeatureCollection", "features": fq.with_geometry(me.ws, f, limit)}
    return Response(tq.dumps(doc), media_type="application/geo+json")


@router.get("/api/v1/map/tracks")
def api_tracks(
    me: Annotated[Principal, Depends(viewer)],
    bbox: BBox = None,
    start: str | None = None,
    end: str | None = None,
    mmsi: int | None = None,
    max_vessels: Annotated[int, Query(ge=1, le=2000)] = 300,
) -> Response:
    """AIS tracks as one point per vessel and hour (never every position), with dark legs (no fix for
    6 h or more) as separate features; the busiest ``max_vessels`` vessels in ``bbox``."""
    doc = tq.tracks(
        me.ws,
        bbox=eq.parse_bbox(bbox),
        start=_when(start),
        end=_when(end),
        mmsi=mmsi,
        max_vessels=max_vessels,
    )
    return Response(tq.dumps(doc), media_type="application/geo+json")


@router.get("/api/v1/events")
def api_events(
    me: Annotated[Principal, Depends(viewer)],
    event_type: Annotated[
        str | None, Query(alias="type", description="port_call, gap, encounter, loitering, spoofing")
    ] = None,
    mmsi: int | None = None,
    start: str | None = None,
    end: str | None = None,
    bbox: BBox = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=eq.MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """AIS events of the latest detection run started from the workbench, filtered and paginated."""
    f = eq.EventFilter(event_type or None, mmsi, _when(start), _when(end), eq.parse_bbox(bbox))
    return eq.page(me.ws, f, offset, limit)


@router.get("/events", include_in_schema=False)
def events_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    event_type: Annotated[str | None, Query(alias="type")] = None,
    mmsi: Annotated[str | None, Query(max_length=20)] = None,
    start: str | None = None,
    end: str | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """AIS events as a table (50 a page), with the vessels' names; filters by type, MMSI and time."""
    number = vq.clean_mmsi(mmsi) if mmsi else None
    f = eq.EventFilter(event_type or None, number, _when(start), _when(end))
    page = eq.page(me.ws, f, offset, 50)
    names = vl.names(me.ws, [e["mmsi"] for e in page["items"]] + [e["other_mmsi"] for e in page["items"]])
    for e in page["items"]:
        e["name"] = names.get(e["mmsi"])
        e["other_name"] = names.get(e["other_mmsi"]) if e["other_mmsi"] is not None else None
        e["facts"] = eq.facts(e)
    args = {k: v for k, v in request.query_params.items() if k != "offset"}
    return render(
        request,
        "events.html",
        {
            "page": page,
            "types": EVENT_TYPES,
            "filters": request.query_params,
            "args": args,
            "stored": eq.has_events(me.ws),
        },
    )
