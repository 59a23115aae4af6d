"""The map: its page, base layers, findings, AIS tracks (aggregated server-side) and AIS events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from armswatch.provenance.clock import parse_when
from armswatch.web import basemap
from armswatch.web.deps import Principal, viewer
from armswatch.web.query import events as eq
from armswatch.web.query import findings as fq
from armswatch.web.query import tracks as tq
from armswatch.web.routes.findings import Filter
from armswatch.web.templating import render

router = APIRouter(tags=["map"])
BBox = Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat (degrees)")]


def _when(text: str | None) -> Any:
    return parse_when(text) if text else None


@router.get("/map", include_in_schema=False)
def map_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    lo, hi = tq.time_range(me.ws)
    return render(
        request,
        "map.html",
        {"track_start": lo, "track_end": hi, "focus": request.query_params.get("finding")},
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
