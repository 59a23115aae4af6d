"""Records of the provenance spine: sources, artifacts, runs, findings, reviews.

All records are immutable values. A finding's status changes only through a review, which is itself
recorded; a re-run adds a new run and new findings and never rewrites old ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from armswatch.errors import InputError

#: Admiralty (NATO AJP-2.1) source reliability grades.
RELIABILITY: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}

FINDING_STATUSES: tuple[str, ...] = ("new", "confirmed", "rejected")
RUN_STATUSES: tuple[str, ...] = ("running", "succeeded", "failed")


def clean_reliability(grade: str) -> str:
    g = grade.strip().upper()
    if g not in RELIABILITY:
        raise InputError(f"reliability must be one of A-F (Admiralty code), got {grade!r}")
    return g


def clean_status(status: str) -> str:
    s = status.strip().lower()
    if s not in FINDING_STATUSES:
        raise InputError(f"status must be one of {', '.join(FINDING_STATUSES)}, got {status!r}")
    return s


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    publisher: str | None
    url: str | None
    licence: str | None
    reliability: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Artifact:
    id: str
    sha256: str
    media_type: str
    size: int
    name: str
    url: str | None
    captured_at: datetime | None
    added_at: datetime
    source_id: str | None
    metadata: dict[str, Any]
    simulated: bool


@dataclass(frozen=True, slots=True)
class Run:
    id: str
    tool: str
    version: str
    parameters: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    status: str
    error: str | None
    analyst: str
    summary: dict[str, Any]
    simulated: bool
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Review:
    finding_id: str
    status_from: str
    status_to: str
    note: str
    analyst: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    run_id: str
    kind: str
    title: str
    summary: str
    subjects: tuple[str, ...]
    geometry: dict[str, Any] | None
    start: datetime | None
    end: datetime | None
    confidence: str
    status: str
    simulated: bool
    details: dict[str, Any]
    created_at: datetime
    evidence: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = field(default=())
