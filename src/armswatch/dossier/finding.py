"""Findings about a dossier's subject as statements: every finding naming it, whatever its kind.

A finding is *about* the subject when one of its subjects is one of the subject's keys
(``vessel:mmsi:N``, ``vessel:imo:N``, ``entity:ID``, ``site:ID``). Findings of kinds added later
(a dark-voyage reconstruction, a rail count) therefore appear without any change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from armswatch.dossier.model import Provenance, Statement
from armswatch.provenance.model import Finding, Run

if TYPE_CHECKING:
    from armswatch.workspace import Workspace


def findings_about(ws: Workspace, subjects: Iterable[str]) -> list[Finding]:
    """Findings naming any of ``subjects``, oldest first, each once."""
    seen: dict[str, Finding] = {}
    for subject in dict.fromkeys(subjects):
        for f in ws.list_findings(subject=subject):
            seen.setdefault(f.id, f)
    return sorted(seen.values(), key=lambda f: (f.start or f.created_at, f.id))


def review_text(f: Finding) -> str:
    """``confirmed by ana on 2024-05-01: note`` / ``new (not reviewed)``."""
    if not f.reviews:
        return f"{f.status} (not reviewed)"
    last = f.reviews[-1]
    note = f": {last.note}" if last.note else ""
    return f"{f.status} by {last.analyst} on {last.at:%Y-%m-%d}{note}"


def finding_provenance(f: Finding, run: Run | None) -> Provenance:
    inputs = run.inputs if run is not None else ()
    tool = f"{run.tool} {run.version}" if run is not None else "unknown run"
    return Provenance(
        source=f"finding of run {tool}",
        artifacts=tuple(dict.fromkeys([*f.evidence, *inputs])),
        run=f.run_id,
        review=review_text(f),
        finding=f.id,
        detail=f"confidence: {f.confidence}",
    )


def finding_statement(f: Finding, runs: Mapping[str, Run], section: str = "finding") -> Statement:
    return Statement(
        section=section,
        kind=f.kind,
        text=f"{f.title}. {f.summary}".strip(),
        provenance=(finding_provenance(f, runs.get(f.run_id)),),
        start=f.start,
        end=f.end,
        geometry=f.geometry,
        status=f.status,
        simulated=f.simulated,
        ref=f.id,
    )
