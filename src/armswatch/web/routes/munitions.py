"""Munition items: the registry (filters; markings searched in any script), one item with its markings,
attribution, assessment and evidence, and linking an item to sites, shipments, entities and evidence.

The same library calls as ``armswatch munitions list|show|link`` (:mod:`armswatch.munitions.store`);
groups of items sharing a lot, factory code or marking come from :mod:`armswatch.munitions.group`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from armswatch.errors import InputError
from armswatch.munitions.group import ItemGroup, group_items
from armswatch.munitions.item import ITEM_TYPES, MunitionItem
from armswatch.munitions.store import get_item, link_item, list_items
from armswatch.provenance.model import Artifact
from armswatch.web.deps import Principal, analyst, viewer
from armswatch.web.query import findings as fq
from armswatch.web.query.evidence import thumbnailable
from armswatch.web.templating import render

router = APIRouter(tags=["munitions"])
LINKS = ("sites", "shipments", "entities", "findings", "evidence")


def _items(
    me: Principal,
    marking: str | None,
    item_type: str | None,
    site: str | None,
    origin: str | None,
    recovered: str | None,
) -> list[MunitionItem]:
    if item_type and item_type not in ITEM_TYPES:
        raise InputError(f"type must be one of {', '.join(ITEM_TYPES)}; got {item_type!r}")
    items = list_items(me.ws, marking=marking or None, item_type=item_type or None, site=site or None)
    if origin:
        items = [i for i in items if i.origin_country == origin.upper()]
    if recovered:
        items = [i for i in items if i.recovered_country == recovered.upper()]
    return items


def item_filter(
    me: Annotated[Principal, Depends(viewer)],
    marking: Annotated[str | None, Query(max_length=200, description="Any script: 방-122 = bang-122")] = None,
    item_type: Annotated[
        str | None, Query(alias="type", max_length=40, description="missile, rocket, shell, …")
    ] = None,
    site: Annotated[str | None, Query(max_length=120, description="Linked site id")] = None,
    origin: Annotated[str | None, Query(max_length=2, description="Attributed origin, ISO alpha-2")] = None,
    recovered: Annotated[str | None, Query(max_length=2, description="Recovered in, ISO alpha-2")] = None,
) -> list[MunitionItem]:
    return _items(me, marking, item_type, site, origin, recovered)


def _groups_of(items: list[MunitionItem], item_id: str | None = None) -> list[ItemGroup]:
    groups = group_items(items)
    return [g for g in groups if item_id is None or item_id in g.items]


def _group_dict(g: ItemGroup) -> dict[str, Any]:
    return {
        "title": g.title,
        "basis": g.basis,
        "key": g.key,
        "items": list(g.items),
        "sites": list(g.sites),
        "shipments": list(g.shipments),
        "origin_country": g.origin_country,
        "recovered_country": g.recovered_country,
        "first_recovered": g.first_recovered,
        "confidence": g.confidence,
    }


def _evidence(me: Principal, item: MunitionItem) -> list[Artifact]:
    from armswatch.errors import NotFoundError

    out = []
    for ref in item.evidence:
        try:
            out.append(me.ws.get_artifact(ref))
        except NotFoundError:
            continue  # a link to an artifact this workspace does not hold (imported from elsewhere)
    return out


def _detail(me: Principal, item_id: str) -> dict[str, Any]:
    item = get_item(me.ws, item_id)
    assessed = fq.list_findings(me.ws, fq.FindingFilter(subject=f"munition:{item.id}"), limit=100)
    return {
        "item": item,
        "groups": _groups_of(list_items(me.ws), item.id),
        "assessment": assessed.items,
        "evidence": _evidence(me, item),
        "sites": {s.id: s.name for s in me.ws.list_sites()},
    }


# ------------------------------------------------------------------ API
@router.get("/api/v1/munitions")
def api_items(
    me: Annotated[Principal, Depends(viewer)], items: Annotated[list[MunitionItem], Depends(item_filter)]
) -> dict[str, Any]:
    """Munition items (markings matched in Hangul, Cyrillic or romanised forms) and the groups among them."""
    return {
        "items": [i.to_dict() for i in items],
        "total": len(items),
        "groups": [_group_dict(g) for g in _groups_of(items)],
    }


@router.get("/api/v1/munitions/{item_id}")
def api_item(item_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """One item with every property, the groups it belongs to and the findings about it."""
    d = _detail(me, item_id)
    return {
        **d["item"].to_dict(),
        "groups": [_group_dict(g) for g in d["groups"]],
        "findings": [
            {"id": f.id, "kind": f.kind, "title": f.title, "status": f.status, "confidence": f.confidence}
            for f in d["assessment"]
        ],
    }


class LinksIn(BaseModel):
    sites: list[str] = Field(default_factory=list, max_length=50)
    shipments: list[str] = Field(default_factory=list, max_length=50)
    entities: list[str] = Field(default_factory=list, max_length=50)
    findings: list[str] = Field(default_factory=list, max_length=50)
    evidence: list[str] = Field(default_factory=list, max_length=50)


@router.post("/api/v1/munitions/{item_id}/links")
def api_link(item_id: str, body: LinksIn, me: Annotated[Principal, Depends(analyst)]) -> dict[str, Any]:
    """Link an item to sites (plants), shipments (findings), entities, findings and evidence (analyst)."""
    return link_item(me.ws, item_id, **body.model_dump()).to_dict()


# ------------------------------------------------------------------ pages
@router.get("/munitions", include_in_schema=False)
def items_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    items: Annotated[list[MunitionItem], Depends(item_filter)],
) -> Response:
    thumbs = {}
    for item in items:
        photo = next((a for a in _evidence(me, item) if thumbnailable(a)), None)
        if photo is not None:
            thumbs[item.id] = photo
    return render(
        request,
        "munitions.html",
        {
            "items": items,
            "groups": _groups_of(items),
            "types": ITEM_TYPES,
            "filters": request.query_params,
            "thumbs": thumbs,
            "sites": {s.id: s.name for s in me.ws.list_sites()},
        },
    )


@router.get("/munitions/{item_id}", include_in_schema=False)
def item_page(item_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    return render(request, "munition.html", _detail(me, item_id))


@router.post("/munitions/{item_id}/link", include_in_schema=False)
def link_form(
    item_id: str,
    me: Annotated[Principal, Depends(analyst)],
    link: Annotated[str, Form(description="sites, shipments, entities, findings or evidence")],
    target: Annotated[str, Form(max_length=200)],
) -> Response:
    if link not in LINKS:
        raise InputError(f"link must be one of {', '.join(LINKS)}; got {link!r}")
    if not target.strip():
        raise InputError("give the id to link")
    item = link_item(me.ws, item_id, **{link: [target.strip()]})
    return RedirectResponse(f"/munitions/{item.id}", status_code=303)
