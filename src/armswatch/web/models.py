"""API models (pydantic, only at the boundary) and their conversion from the spine's records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from armswatch.provenance.model import Finding, Review


class ReviewOut(BaseModel):
    status_from: str
    status_to: str
    note: str
    analyst: str
    at: datetime


class FindingOut(BaseModel):
    id: str
    run_id: str
    kind: str
    title: str
    summary: str
    subjects: list[str]
    geometry: dict[str, Any] | None
    start: datetime | None
    end: datetime | None
    confidence: str
    status: str
    simulated: bool
    details: dict[str, Any]
    created_at: datetime
    evidence: list[str]
    reviews: list[ReviewOut]


class FindingPageOut(BaseModel):
    items: list[FindingOut]
    total: int
    offset: int
    limit: int


class ReviewIn(BaseModel):
    status: Literal["new", "confirmed", "rejected"]
    note: str = Field(default="", max_length=20_000)


class BulkReviewIn(ReviewIn):
    ids: list[str] = Field(min_length=1, max_length=500)


class AnnotationIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)


def review_out(r: Review) -> ReviewOut:
    return ReviewOut(
        status_from=r.status_from, status_to=r.status_to, note=r.note, analyst=r.analyst, at=r.at
    )


def finding_out(f: Finding) -> FindingOut:
    return FindingOut(
        id=f.id,
        run_id=f.run_id,
        kind=f.kind,
        title=f.title,
        summary=f.summary,
        subjects=list(f.subjects),
        geometry=f.geometry,
        start=f.start,
        end=f.end,
        confidence=f.confidence,
        status=f.status,
        simulated=f.simulated,
        details=f.details,
        created_at=f.created_at,
        evidence=list(f.evidence),
        reviews=[review_out(r) for r in f.reviews],
    )
