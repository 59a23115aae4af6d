"""Entities: ``/api/v1/entities/{id}`` and the entity page (owners, operators, links, designations)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from armswatch.web.annotations import annotations_of
from armswatch.web.deps import Principal, viewer
from armswatch.web.query import findings as fq
from armswatch.web.query.entities import entity
from armswatch.web.templating import render

router = APIRouter(tags=["entities"])


@router.get("/api/v1/entities/{entity_id}")
def api_entity(entity_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """An entity as the latest lists describe it, its listings, its graph neighbourhood (2 hops) and
    the shortest paths to designated parties (up to 4 hops)."""
    return entity(me.ws, entity_id)


@router.get("/entities/{entity_id}", include_in_schema=False)
def entity_page(entity_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    e = entity(me.ws, entity_id)
    found = fq.list_findings(me.ws, fq.FindingFilter(subject=f"entity:{entity_id}"), limit=200)
    notes = annotations_of(me.ws, subject=f"entity:{entity_id}")
    return render(request, "entity.html", {"e": e, "page": found, "annotations": notes})
