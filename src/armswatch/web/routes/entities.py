"""Entities: ``/api/v1/entities/{id}`` and the entity page (owners, operators, links, designations).

``{id}`` is a list record's id or a resolved entity's ``res-…`` id; a record an analyst resolved with
others shows the resolved entity (see :mod:`armswatch.web.query.entities`).
"""

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
MAX_FINDINGS = 200


@router.get("/api/v1/entities/{entity_id}")
def api_entity(entity_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """An entity as the latest lists describe it, its listings, its graph neighbourhood (2 hops) and
    the shortest paths to designated parties (up to 4 hops). For a resolved entity (its ``res-…`` id or
    any member record's id): every member record with its lists and designations, names by script,
    identifiers and the judgements that joined them (analyst, time, note)."""
    return entity(me.ws, entity_id)


def _findings(me: Principal, subjects: list[str]) -> fq.FindingPage:
    """Findings naming any of the entity's ids (each member record, the res- id), newest first."""
    seen: dict[str, Any] = {}
    for subject in subjects:
        page = fq.list_findings(me.ws, fq.FindingFilter(subject=f"entity:{subject}"), limit=MAX_FINDINGS)
        for f in page.items:
            seen.setdefault(f.id, f)
    items = sorted(seen.values(), key=lambda f: (f.created_at, f.id), reverse=True)
    return fq.FindingPage(items[:MAX_FINDINGS], len(items), 0, MAX_FINDINGS)


@router.get("/entities/{entity_id}", include_in_schema=False)
def entity_page(entity_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    e = entity(me.ws, entity_id)
    notes = sorted(
        (a for s in e["subjects"] for a in annotations_of(me.ws, subject=f"entity:{s}")),
        key=lambda a: (a.at, a.id),
    )
    return render(
        request, "entity.html", {"e": e, "page": _findings(me, e["subjects"]), "annotations": notes}
    )
