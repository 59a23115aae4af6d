"""Recording one run: inputs, outputs, summary and the findings it produced.

A :class:`RunRecorder` buffers findings in memory; the workspace writes them together with the finished
run in one transaction, so a failed run leaves no findings behind, only its own failed record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from armswatch.errors import InputError
from armswatch.provenance.audit import canonical_json
from armswatch.provenance.clock import to_iso
from armswatch.provenance.confidence import clean_confidence


@dataclass(frozen=True, slots=True)
class FindingDraft:
    """A finding before it is stored: checked on creation."""

    kind: str
    title: str
    summary: str
    subjects: tuple[str, ...]
    geometry: dict[str, Any] | None
    start: datetime | None
    end: datetime | None
    confidence: str
    evidence: tuple[str, ...]
    details: dict[str, Any]

    def finding_id(self, run_id: str) -> str:
        body = canonical_json(
            [
                run_id,
                self.kind,
                self.title,
                list(self.subjects),
                self.geometry,
                to_iso(self.start),
                to_iso(self.end),
            ]
        )
        return "fnd-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]


def check_geometry(geometry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    from shapely.geometry import shape  # only when a finding has a geometry (keeps start-up light)

    try:
        geom = shape(geometry)
    except Exception as exc:
        raise InputError(f"finding geometry is not valid GeoJSON: {exc}") from exc
    if geom.is_empty:
        raise InputError("finding geometry is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(f"finding geometry is outside WGS84 longitude/latitude ranges: {geom.bounds}")
    return dict(geometry)


@dataclass(slots=True)
class RunRecorder:
    """Handed out by ``Workspace.run``; collects what the analysis produced."""

    id: str
    tool: str
    parameters: dict[str, Any]
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    drafts: list[FindingDraft] = field(default_factory=list)
    commit_hooks: list[Callable[[Connection], None]] = field(default_factory=list)

    def on_commit(self, write: Callable[[Connection], None]) -> None:
        """Run ``write(conn)`` inside the transaction that closes the run successfully: what it
        writes is committed together with the run's success, or not at all."""
        self.commit_hooks.append(write)

    def add_input(self, artifact_id: str) -> None:
        if artifact_id not in self.inputs:
            self.inputs.append(artifact_id)

    def add_output(self, artifact_id: str) -> None:
        if artifact_id not in self.outputs:
            self.outputs.append(artifact_id)

    def add_finding(
        self,
        *,
        kind: str,
        title: str,
        summary: str = "",
        subjects: Sequence[str] = (),
        geometry: Mapping[str, Any] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        confidence: str = "roughly even chance",
        evidence: Sequence[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> str:
        """Add a finding to this run and return its id (deterministic for the run and content)."""
        if not kind or not title:
            raise InputError("a finding needs a kind and a title")
        if start is not None and end is not None and end < start:
            raise InputError(f"finding {title!r} ends before it starts")
        draft = FindingDraft(
            kind=kind,
            title=title,
            summary=summary,
            subjects=tuple(dict.fromkeys(subjects)),
            geometry=check_geometry(geometry),
            start=start,
            end=end,
            confidence=clean_confidence(confidence),
            evidence=tuple(dict.fromkeys(evidence)),
            details=dict(details or {}),
        )
        fid = draft.finding_id(self.id)
        if any(d.finding_id(self.id) == fid for d in self.drafts):
            return fid
        self.drafts.append(draft)
        return fid
