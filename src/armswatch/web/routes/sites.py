"""Sites: ``/api/v1/sites`` and the site page (findings at the site, its precision ring on the map)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from armswatch.munitions.store import list_items
from armswatch.web.annotations import annotations_of
from armswatch.web.deps import Principal, viewer
from armswatch.web.query import findings as fq
from armswatch.web.query import imagery as iq
from armswatch.web.query.sites import site_feature
from armswatch.web.templating import render

router = APIRouter(tags=["sites"])


@router.get("/api/v1/sites")
def api_sites(me: Annotated[Principal, Depends(viewer)], kind: str | None = None) -> dict[str, Any]:
    """The watchlist as GeoJSON, each site with its precision and the radius of its precision ring."""
    return {"type": "FeatureCollection", "features": [site_feature(s) for s in me.ws.list_sites(kind)]}


@router.get("/api/v1/sites/{site_id}")
def api_site(site_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """One site as a GeoJSON feature."""
    return site_feature(me.ws.get_site(site_id))


@router.get("/sites", include_in_schema=False)
def sites_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    return render(request, "sites.html", {"sites": me.ws.list_sites()})


@router.get("/sites/{site_id}", include_in_schema=False)
def site_page(site_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    site = me.ws.get_site(site_id)
    page = fq.list_findings(me.ws, fq.FindingFilter(site=site.id), limit=200)
    return render(
        request,
        "site.html",
        {
            "site": site,
            "feature": site_feature(site),
            "page": page,
            "annotations": annotations_of(me.ws, subject=f"site:{site.id}"),
            "items": list_items(me.ws, site=site.id),
            "imagery": iq.site_imagery(me.ws, site.id),
        },
    )


@router.get("/api/v1/sites/{site_id}/imagery")
def api_site_imagery(site_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """The site's stored scenes (usable share, cloud, haze, shadow, co-registration, used by the change
    series) and the change series of the latest ``imagery monitor`` run."""
    return iq.site_imagery(me.ws, me.ws.get_site(site_id).id)


@router.get("/api/v1/scenes/{artifact_id}/quicklook")
def api_scene_quicklook(
    artifact_id: str,
    me: Annotated[Principal, Depends(viewer)],
    px: Annotated[int | None, Query(ge=32, le=4096, description="At most this many pixels a side")] = None,
) -> Response:
    """A true-colour PNG of a stored imagery scene (404 for any other artifact)."""
    data = iq.quicklook_png(me.ws, artifact_id, px)
    return Response(
        data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400, immutable"}
    )
