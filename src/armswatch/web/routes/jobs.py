"""Analyses started from the workbench (analyst): start one, watch its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from armswatch.web.deps import Principal, analyst, viewer
from armswatch.web.jobs import ANALYSES, JobRunner
from armswatch.web.templating import render

router = APIRouter(tags=["jobs"])


class JobIn(BaseModel):
    analysis: str


def runner(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


@router.post("/api/v1/jobs", status_code=202)
def api_start(body: JobIn, request: Request, me: Annotated[Principal, Depends(analyst)]) -> dict[str, Any]:
    """Start an analysis (``ais.events``, ``ais.screen``, ``munitions.assess`` or ``violations.map``) in the
    background; poll its progress (phase, steps ``done`` of ``total``, ``percent``)."""
    return runner(request).start(me.ws, body.analysis).as_dict()


@router.get("/api/v1/jobs")
def api_jobs(request: Request, me: Annotated[Principal, Depends(viewer)]) -> list[dict[str, Any]]:
    """Jobs started since the server started, newest first."""
    return [j.as_dict() for j in runner(request).all()]


@router.get("/api/v1/jobs/{job_id}")
def api_job(job_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """One job: state (queued, running, succeeded, failed), phase, steps done of total (and percent),
    elapsed seconds, result."""
    return runner(request).get(job_id).as_dict()


@router.get("/jobs", include_in_schema=False)
def jobs_page(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    from armswatch.web.query.runs import latest_runs

    return render(
        request,
        "jobs.html",
        {"jobs": runner(request).all(), "analyses": ANALYSES, "runs": latest_runs(me.ws)},
    )


@router.post("/jobs", include_in_schema=False)
def jobs_start(
    request: Request, me: Annotated[Principal, Depends(analyst)], analysis: Annotated[str, Form()]
) -> Response:
    runner(request).start(me.ws, analysis)
    return RedirectResponse("/jobs", status_code=303)
