"""Findings: the review queue, the finding page, and ``/api/v1/findings`` (list, one, reviews)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from armswatch.auth.review import review_as
from armswatch.errors import InputError
from armswatch.provenance.clock import parse_when
from armswatch.provenance.confidence import WORDS
from armswatch.provenance.model import FINDING_STATUSES
from armswatch.web.annotations import add_annotation, annotations_of
from armswatch.web.deps import Principal, analyst, reviewer, viewer
from armswatch.web.models import (
    AnnotationIn,
    BulkReviewIn,
    FindingOut,
    FindingPageOut,
    ReviewIn,
    ReviewOut,
    finding_out,
    review_out,
)
from armswatch.web.query import findings as fq
from armswatch.web.query.entities import list_entries
from armswatch.web.templating import render

router = APIRouter(tags=["findings"])
MAX_UPLOAD = 50 * 1024 * 1024


def finding_filter(
    kind: Annotated[
        str | None, Query(max_length=200, description="Kind prefix, e.g. ais or imagery.change")
    ] = None,
    status: Annotated[str | None, Query(description="new, confirmed or rejected")] = None,
    site: Annotated[str | None, Query(max_length=120, description="Site id")] = None,
    subject: Annotated[str | None, Query(max_length=300, description="e.g. vessel:mmsi:273123450")] = None,
    confidence: Annotated[str | None, Query(description="ICD 203 word, e.g. likely")] = None,
    start: Annotated[
        str | None, Query(description="Findings whose interval ends on/after (ISO date)")
    ] = None,
    end: Annotated[str | None, Query(description="Findings whose interval starts before (ISO date)")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the title")] = None,
    run: Annotated[str | None, Query(max_length=80)] = None,
    day: Annotated[
        str | None, Query(max_length=10, description="YYYY-MM-DD: findings the timeline puts on that day")
    ] = None,
) -> fq.FindingFilter:
    return fq.FindingFilter(
        kind=kind or None,
        status=status or None,
        site=site or None,
        subject=subject or None,
        confidence=confidence or None,
        start=parse_when(start) if start else None,
        end=parse_when(end) if end else None,
        text=q or None,
        run=run or None,
        day=day or None,
    ).checked()


Filter = Annotated[fq.FindingFilter, Depends(finding_filter)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=fq.MAX_LIMIT)]


# ------------------------------------------------------------------ API
@router.get("/api/v1/findings", response_model=FindingPageOut)
def api_findings(
    me: Annotated[Principal, Depends(viewer)],
    f: Filter,
    offset: Offset = 0,
    limit: Limit = 50,
    sort: str = "newest",
) -> FindingPageOut:
    """Findings, filtered and paginated (newest first by default)."""
    page = fq.list_findings(me.ws, f, offset=offset, limit=limit, sort=sort)
    return FindingPageOut(
        items=[finding_out(x) for x in page.items], total=page.total, offset=offset, limit=limit
    )


@router.get("/api/v1/findings/{finding_id}", response_model=FindingOut)
def api_finding(finding_id: str, me: Annotated[Principal, Depends(viewer)]) -> FindingOut:
    """One finding with its evidence ids and review history."""
    return finding_out(fq.get(me.ws, finding_id))


@router.post("/api/v1/findings/{finding_id}/reviews", response_model=ReviewOut, status_code=201)
def api_review(finding_id: str, body: ReviewIn, me: Annotated[Principal, Depends(reviewer)]) -> ReviewOut:
    """Confirm or reject a finding (reviewer; not a finding you created)."""
    return review_out(review_as(me.ws, me.user, finding_id, body.status, body.note))


@router.post("/api/v1/reviews", response_model=list[ReviewOut], status_code=201)
def api_bulk_review(body: BulkReviewIn, me: Annotated[Principal, Depends(reviewer)]) -> list[ReviewOut]:
    """Review several findings with one status and note (each is its own review)."""
    return [review_out(review_as(me.ws, me.user, i, body.status, body.note)) for i in body.ids]


@router.post("/api/v1/findings/{finding_id}/annotations", status_code=201)
def api_annotate(
    finding_id: str, body: AnnotationIn, me: Annotated[Principal, Depends(analyst)]
) -> dict[str, Any]:
    """Add an analyst's note to a finding."""
    a = add_annotation(me.ws, body.body, finding_id=finding_id)
    return {"id": a.id, "finding_id": a.finding_id, "analyst": a.analyst, "at": a.at.isoformat()}


# ------------------------------------------------------------------ pages
@router.get("/", include_in_schema=False)
def home(me: Annotated[Principal, Depends(viewer)]) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue", include_in_schema=False)
def queue_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    f: Filter,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Response:
    page = fq.list_findings(me.ws, f, offset=offset, limit=limit)
    args = {k: v for k, v in request.query_params.items() if k not in ("offset",)}
    return render(
        request,
        "queue.html",
        {
            "page": page,
            "filters": request.query_params,
            "args": args,
            "statuses": FINDING_STATUSES,
            "confidences": WORDS,
            "kinds": fq.kinds(me.ws),
            "counts": fq.status_counts(me.ws),
        },
    )


@router.post("/queue/review", include_in_schema=False)
def queue_review(
    request: Request,
    me: Annotated[Principal, Depends(reviewer)],
    status: Annotated[str, Form()],
    ids: Annotated[list[str], Form()],
    note: Annotated[str, Form(max_length=20_000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/queue",
) -> Response:
    if len(ids) > 500:
        raise InputError("at most 500 findings at once")
    for i in ids:
        review_as(me.ws, me.user, i, status, note)
    return RedirectResponse(back if back.startswith("/queue") else "/queue", status_code=303)


@router.get("/findings/{finding_id}", include_in_schema=False)
def finding_page(finding_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    ws = me.ws
    finding = fq.get(ws, finding_id)
    run = ws.get_run(finding.run_id)
    evidence = [ws.get_artifact(a) for a in finding.evidence]
    chips = [a for a in evidence if a.media_type.startswith("image/") and a.media_type != "image/svg+xml"]
    before = [a for a in chips if a.metadata.get("role") == "before" or a.name.endswith("_before.png")]
    after = [a for a in chips if a.metadata.get("role") == "after" or a.name.endswith("_after.png")]
    inputs = [ws.get_artifact(a) for a in run.inputs]
    return render(
        request,
        "finding.html",
        {
            "f": finding,
            "run": run,
            "creator": run.analyst,
            "evidence": evidence,
            "chips": chips,
            "pair": (before[-1], after[-1]) if before and after else None,
            "inputs": inputs,
            "annotations": annotations_of(ws, finding_id=finding.id),
            "statuses": FINDING_STATUSES,
            "entries": list_entries(ws, list(finding.subjects)),
        },
    )


@router.post("/findings/{finding_id}/review", include_in_schema=False)
def finding_review(
    finding_id: str,
    me: Annotated[Principal, Depends(reviewer)],
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    review = review_as(me.ws, me.user, finding_id, status, note)
    return RedirectResponse(f"/findings/{review.finding_id}", status_code=303)


@router.post("/findings/{finding_id}/annotate", include_in_schema=False)
async def finding_annotate(
    finding_id: str,
    me: Annotated[Principal, Depends(analyst)],
    body: Annotated[str, Form(max_length=20_000)] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    artifact_id = None
    if evidence is not None and evidence.filename:
        data = await evidence.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InputError(f"evidence file too large (at most {MAX_UPLOAD // 1024 // 1024} MB)")
        name = evidence.filename.replace("/", "_").replace("\\", "_")[:200]
        art = await run_in_threadpool(me.ws.add_artifact, data, name=name, metadata={"uploaded_by": me.name})
        artifact_id = art.id
    a = await run_in_threadpool(add_annotation, me.ws, body, finding_id=finding_id, artifact_id=artifact_id)
    return RedirectResponse(f"/findings/{a.finding_id}", status_code=303)


class SubjectNoteIn(AnnotationIn):
    subject: str = Field(
        max_length=300, description="site:<id>, vessel:mmsi:<n>, vessel:imo:<n> or entity:<id>"
    )


@router.post("/api/v1/annotations", status_code=201)
def api_annotate_subject(body: SubjectNoteIn, me: Annotated[Principal, Depends(analyst)]) -> dict[str, Any]:
    """Add an analyst's note (a hint, a lead) to a site, vessel or entity."""
    a = add_annotation(me.ws, body.body, subject=body.subject)
    return {"id": a.id, "subject": a.subject, "analyst": a.analyst, "at": a.at.isoformat()}


@router.post("/notes", include_in_schema=False)
def subject_note(
    me: Annotated[Principal, Depends(analyst)],
    subject: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=20_000)],
    back: Annotated[str, Form(max_length=2000)] = "/queue",
) -> Response:
    add_annotation(me.ws, body, subject=subject)
    return RedirectResponse(
        back if back.startswith("/") and not back.startswith("//") else "/queue", status_code=303
    )
