"""The violations annex: which Security Council provisions the facts in the case may engage, element by
element, as ``armswatch violations map|list|show|annex`` produce it (:mod:`armswatch.violations`).

A candidate is a finding of kind ``violations.candidate``: the mapper proposes it, a reviewer confirms or
rejects it (the ordinary review, with the same second-pair-of-eyes rule). Nothing here states a legal
conclusion; each row shows which elements the evidence meets, contradicts or leaves unknown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from armswatch.auth.review import review_as
from armswatch.errors import NotFoundError
from armswatch.provenance.model import FINDING_STATUSES, Finding, clean_status
from armswatch.violations.annex import annex_rows
from armswatch.violations.mapper import KIND, TOOL, latest_candidates
from armswatch.violations.provision import provisions
from armswatch.web.deps import Principal, reviewer, viewer
from armswatch.web.templating import render

router = APIRouter(tags=["violations"])
Status = Annotated[str | None, Query(description="new, confirmed or rejected")]
ProvisionId = Annotated[str | None, Query(max_length=40, description="Provision id, e.g. 1718-8b")]


def _candidates(me: Principal, status: str | None, provision: str | None) -> list[Finding]:
    if status:
        clean_status(status)
    found = latest_candidates(me.ws, status or None)
    if provision:
        found = [f for f in found if any(p.get("id") == provision for p in f.details.get("provisions") or [])]
    return found


def _candidate(me: Principal, candidate_id: str) -> Finding:
    f = me.ws.get_finding(candidate_id)
    if f.kind != KIND:
        raise NotFoundError(f"{f.id} is a {f.kind} finding, not a violations candidate")
    return f


def _out(f: Finding, row: dict[str, Any]) -> dict[str, Any]:
    d = f.details
    return {
        **row,
        "title": f.title,
        "rule": d.get("rule"),
        "provisions": d.get("provisions") or [],
        "elements": d.get("elements") or [],
        "tally": d.get("tally") or {},
        "reading": d.get("reading"),
        "simulated": f.simulated,
    }


def _site_names(me: Principal) -> dict[str, str]:
    return {s.id: s.name for s in me.ws.list_sites()}


@router.get("/api/v1/violations")
def api_candidates(
    me: Annotated[Principal, Depends(viewer)], status: Status = None, provision: ProvisionId = None
) -> dict[str, Any]:
    """Candidates of the latest mapping run as annex rows, each with its provisions and elements."""
    found = _candidates(me, status, provision)
    runs = me.ws.list_runs(tool=TOOL, status="succeeded")
    rows = annex_rows(found, _site_names(me))
    return {
        "run": runs[-1].id if runs else None,
        "items": [_out(f, r) for f, r in zip(found, rows, strict=True)],
        "total": len(found),
    }


@router.get("/api/v1/violations/{candidate_id}")
def api_candidate(candidate_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """One candidate: its fact, provisions, and each element met, unmet or unknown with its evidence."""
    f = _candidate(me, candidate_id)
    return {**_out(f, annex_rows([f], _site_names(me))[0]), "status": f.status, "confidence": f.confidence}


@router.get("/api/v1/provisions")
def api_provisions(me: Annotated[Principal, Depends(viewer)]) -> list[dict[str, Any]]:
    """The provisions the mapper knows (paragraph numbers only where a source confirms them)."""
    return [p.to_dict() for p in provisions().values()]


@router.get("/violations", include_in_schema=False)
def annex_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    status: Status = None,
    provision: ProvisionId = None,
) -> Response:
    found = _candidates(me, status, provision)
    rows = annex_rows(found, _site_names(me))
    runs = me.ws.list_runs(tool=TOOL, status="succeeded")
    return render(
        request,
        "violations.html",
        {
            "rows": list(zip(found, rows, strict=True)),
            "run": runs[-1] if runs else None,
            "statuses": FINDING_STATUSES,
            "provisions": provisions(),
            "status": status or "",
            "provision": provision or "",
        },
    )


@router.get("/violations/provisions", include_in_schema=False)
def provisions_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    return render(request, "provisions.html", {"provisions": provisions().values()})


@router.get("/violations/{candidate_id}", include_in_schema=False)
def candidate_page(
    candidate_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]
) -> Response:
    f = _candidate(me, candidate_id)
    fact_id = f.details.get("fact_finding")
    try:
        fact = me.ws.get_finding(str(fact_id)) if fact_id else None
    except NotFoundError:
        fact = None
    run = me.ws.get_run(f.run_id)
    return render(
        request,
        "violation.html",
        {"c": f, "row": annex_rows([f], _site_names(me))[0], "fact": fact, "creator": run.analyst},
    )


@router.post("/violations/{candidate_id}/review", include_in_schema=False)
def candidate_review(
    candidate_id: str,
    me: Annotated[Principal, Depends(reviewer)],
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    f = _candidate(me, candidate_id)
    review_as(me.ws, me.user, f.id, status, note)
    return RedirectResponse(f"/violations/{f.id}", status_code=303)
