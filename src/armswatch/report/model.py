"""What a report shows, as plain frozen values (no workspace, no database).

``report.build`` fills these from a workspace; tests and other tools may build them directly. The
same :class:`ReportFinding` feeds the findings export (``armswatch.export.finding``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from armswatch.report.section import ReportSection
from armswatch.sites.model import Site


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence artifact of a finding; ``thumbnail_png`` is shown inline when given."""

    artifact_id: str
    name: str
    media_type: str
    thumbnail_png: bytes | None = None


@dataclass(frozen=True)
class RunInfo:
    """The analysis run that produced a finding (its provenance)."""

    id: str
    tool: str
    version: str
    parameters: Mapping[str, Any]
    inputs: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class ReviewEntry:
    """One analyst review: a status change with a note."""

    at: datetime
    analyst: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class ReportFinding:
    """A finding as shown in a report or exported; ``geometry`` is a GeoJSON geometry dict or None."""

    id: str
    kind: str
    title: str
    summary: str
    status: str
    confidence: str
    simulated: bool
    geometry: Mapping[str, Any] | None = None
    start: datetime | None = None
    end: datetime | None = None
    subjects: tuple[str, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    run: RunInfo | None = None
    reviews: tuple[ReviewEntry, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportData:
    """Everything :func:`armswatch.report.render.render_report` needs."""

    title: str
    generated_at: datetime
    workspace: str
    version: str
    sites: tuple[Site, ...] = ()
    findings: tuple[ReportFinding, ...] = ()
    sections: tuple[ReportSection, ...] = ()
    simulated_note: str = ""
    scope: str = ""
    """What was selected, in words (``confirmed findings of kind imagery …``)."""
    statuses: tuple[str, ...] = ("new", "confirmed")
    """The live statuses shown (columns of the summary table)."""
    appendix: tuple[ReportFinding, ...] = ()
    """Rejected findings listed in the review appendix (never as results, never on the map)."""
    rejected_not_shown: int = 0
    """Rejected findings matching the other filters that the report leaves out entirely."""
