"""The violations mapper in a workspace: gather the case's facts, run the rules, record the candidates.

``map_violations`` reads the latest succeeded run of every tool (a re-run supersedes its older run),
leaves rejected findings out, and records one ``violations.map`` run with a ``violations.candidate``
finding per (fact, rule). The candidate's title says "may engage" and counts the elements met; the
analyst confirms or rejects it with the ordinary review (``armswatch findings review``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from typing import Any, Final

from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.model import Finding
from armswatch.violations.element import Candidate
from armswatch.violations.provision import get_provision, provisions
from armswatch.violations.rule import RULES, UN_DATASET, CaseFacts, SiteFact, map_findings
from armswatch.workspace import Workspace

TOOL: Final = "violations.map"
KIND: Final = "violations.candidate"
ARMS_CARGO_KINDS: Final = ("munitions.", "imagery.count", "vessel.sighting", "voyage.")


def provisions_digest() -> str:
    """sha256 of the shipped provisions file, recorded with every mapping run."""
    data = resources.files("armswatch.violations").joinpath("data", "provisions.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()


def latest_findings(ws: Workspace) -> list[Finding]:
    """Findings of the latest succeeded run of each tool (mapping runs themselves left out)."""
    latest: dict[str, str] = {}
    for run in ws.list_runs(status="succeeded"):
        if run.tool != TOOL:
            latest[run.tool] = run.id  # runs come oldest first
    keep = set(latest.values())
    return [f for f in ws.list_findings() if f.run_id in keep and f.kind != KIND]


def case_facts(ws: Workspace, findings: Sequence[Finding]) -> CaseFacts:
    """Sites, UN designations of vessels and confirmed arms-cargo links, from the workspace."""
    sites = {s.id: SiteFact(s.id, s.name, s.country, s.kind) for s in ws.list_sites()}
    designated: dict[str, list[str]] = defaultdict(list)
    cargo: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        vessels = [s for s in f.subjects if s.startswith("vessel:mmsi:")]
        if (
            f.kind == "sanctions.vessel_activity"
            and f.details.get("dataset") == UN_DATASET
            and f.details.get("listing_status") == "listed"
        ):
            for v in vessels:
                designated[v].append(f.id)
        if f.status == "confirmed" and f.kind.startswith(ARMS_CARGO_KINDS):
            for v in vessels:
                cargo[v].append(f.id)
    return CaseFacts(
        sites=sites,
        un_designated={k: tuple(v) for k, v in designated.items()},
        arms_cargo={k: tuple(v) for k, v in cargo.items()},
    )


def candidate_title(c: Candidate) -> str:
    cites = "; ".join(get_provision(p).citation for p in c.provisions)
    return f"May engage {cites}: {c.finding_title} ({c.tally})"


def candidate_details(c: Candidate, fact: Finding | None = None) -> dict[str, Any]:
    when = (fact.details.get("recovered_at") if fact is not None else None) or None
    return {
        "fact_when": when,
        "rule": c.rule,
        "fact_finding": c.finding_id,
        "fact_kind": c.finding_kind,
        "provisions": [get_provision(p).to_dict() for p in c.provisions],
        "elements": [e.to_dict() for e in c.elements],
        "tally": {s: c.count(s) for s in ("met", "unmet", "unknown")},
        "reading": "proposed by a rule; not a legal conclusion until an analyst confirms it",
    }


def map_violations(ws: Workspace, progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    """Run every rule over the case and record the candidates; returns a summary."""
    progress.phase("reading the case's findings")
    findings = latest_findings(ws)
    progress.phase("applying the rules")
    candidates = map_findings(findings, case_facts(ws, findings))
    by_id = {f.id: f for f in findings}
    by_provision: dict[str, int] = defaultdict(int)
    parameters = {
        "rules": sorted(RULES),
        "provisions_sha256": provisions_digest(),
        "provisions": len(provisions()),
    }
    with ws.run(TOOL, parameters=parameters) as run:
        for c in steps(progress, "recording candidates", candidates):
            run.add_finding(
                kind=KIND,
                title=candidate_title(c),
                summary=(
                    f"Rule {c.rule} reads finding {c.finding_id} against "
                    + ", ".join(c.provisions)
                    + f": {c.tally}. A proposal for review, not a legal conclusion."
                ),
                subjects=[*c.subjects, f"finding:{c.finding_id}"],
                geometry=c.geometry,
                start=c.start,
                end=c.end,
                confidence=c.confidence,
                evidence=c.evidence,
                details=candidate_details(c, by_id.get(c.finding_id)),
            )
            for p in c.provisions:
                by_provision[p] += 1
        summary = {
            "facts read": len(findings),
            "candidates": len(candidates),
            "by provision": dict(by_provision),
        }
        run.summary.update(summary)
    return summary


def latest_candidates(ws: Workspace, status: str | None = None) -> list[Finding]:
    """Candidates of the latest mapping run (optionally of one review status)."""
    runs = ws.list_runs(tool=TOOL, status="succeeded")
    if not runs:
        return []
    return ws.list_findings(kind=KIND, run_id=runs[-1].id, status=status)
