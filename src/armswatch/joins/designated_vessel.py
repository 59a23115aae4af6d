"""Designated vessels in the AIS picture: the join between movements and entities.

Every vessel seen in the workspace's AIS tables is screened by IMO, MMSI and name against the
workspace's sanctions lists, and each candidate pair is judged with corroboration
(:mod:`armswatch.joins.vessel_screen`): *listed* on an exact IMO or MMSI or a corroborated name,
*possible* on a name alone. For each vessel that is (possibly) a listed Vessel entity, every maritime
finding about it (port call, dark port call, gap, encounter, loitering, shuttle) becomes a
``sanctions.vessel_activity`` finding whose evidence is the maritime finding's own evidence plus the
designation: the list file it was imported from and a JSON extract of what the list said on the day
of the activity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from armswatch.entities.history import entity_at, snapshots
from armswatch.errors import InputError
from armswatch.joins.vessel_screen import ScreenRow, ais_vessel_facts, screen_facts, workspace_listed_vessels
from armswatch.maritime.store import scan_positions, scan_statics
from armswatch.matching.score import DEFAULT_THRESHOLD
from armswatch.matching.vessel import LISTED, POSSIBLE
from armswatch.provenance.confidence import WORDS
from armswatch.provenance.model import Finding
from armswatch.workspace import Workspace

ACTIVITY_KINDS = ("ais.",)
KIND = "sanctions.vessel_activity"


@dataclass(frozen=True, slots=True)
class Designation:
    """What the lists said about a matched entity on the day of an activity."""

    entity_id: str
    entity_name: str
    dataset: str
    status: str
    since: date | None
    artifact_id: str | None
    extract: dict[str, Any]


def lower_confidence(a: str, b: str) -> str:
    """The less confident of two ICD 203 words: a chain is no stronger than its weakest link."""
    return WORDS[min(WORDS.index(a), WORDS.index(b))]


def designation_on(ws: Workspace, match: ScreenRow, day: date | None) -> Designation:
    view = entity_at(ws, match.entity_id, as_of=day)
    listing = next((item for item in view.listings if item.dataset == match.dataset), None)
    snap = next((s for s in snapshots(ws, match.dataset) if listing and s.id == listing.snapshot_id), None)
    extract = {
        "entity_id": match.entity_id,
        "dataset": match.dataset,
        "as_of": day.isoformat() if day else None,
        "listing": None
        if listing is None
        else {
            "status": listing.status,
            "since": listing.since.isoformat() if listing.since else None,
            "delisted_on": listing.delisted_on.isoformat() if listing.delisted_on else None,
        },
        "entity": None if view.entity is None else view.entity.to_dict(),
        "match": match.as_row(),
    }
    return Designation(
        entity_id=match.entity_id,
        entity_name=match.listed,
        dataset=match.dataset,
        status=listing.status if listing else "not listed",
        since=listing.since if listing else None,
        artifact_id=snap.artifact_id if snap else None,
        extract=extract,
    )


def latest_activity(ws: Workspace) -> list[Finding]:
    """Maritime findings of the most recent successful run of each maritime tool (re-runs do not repeat)."""
    latest: dict[str, str] = {}
    for run in ws.list_runs(status="succeeded"):
        latest[run.tool] = run.id  # runs come oldest first
    keep = set(latest.values())
    return [f for f in ws.list_findings(kind="ais") if f.run_id in keep]


def activity_for(findings: Sequence[Finding], mmsi: str) -> list[Finding]:
    subject = f"vessel:mmsi:{mmsi}"
    return [f for f in findings if f.kind.startswith(ACTIVITY_KINDS) and subject in f.subjects]


def _title(d: Designation, activity: Finding, m: ScreenRow) -> str:
    state = "designated" if d.status == "listed" else f"{d.status} on that day"
    who = d.entity_name if m.match.status == LISTED else f"possibly {d.entity_name} (name only)"
    return f"{who} ({d.dataset}, {state}): {activity.title}"


def _screen_rows(ws: Workspace, threshold: float) -> tuple[int, list[ScreenRow]]:
    statics = scan_statics(ws).collect()
    seen = scan_positions(ws).select("mmsi").unique().collect()["mmsi"].to_list()
    facts = ais_vessel_facts(statics, seen)
    listed = workspace_listed_vessels(ws)
    return len(facts), (screen_facts(facts, listed, threshold) if facts and listed else [])


def screen_ais_vessels(ws: Workspace, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Screen AIS vessels and record one run with a finding per listed or possibly listed vessel's
    activity; returns the run summary plus ``matches`` (one row per match, see :class:`ScreenRow`)."""
    if not 0.0 <= threshold <= 1.0:  # also refuses NaN; a negative threshold would match everything
        raise InputError(f"--threshold must be between 0 and 1 (got {threshold})")
    screened, rows = _screen_rows(ws, threshold)
    activity = latest_activity(ws)
    summary: dict[str, Any] = {
        "vessels screened": screened,
        "listed matches": sum(r.match.status == LISTED for r in rows),
        "possible matches": sum(r.match.status == POSSIBLE for r in rows),
        "findings": 0,
    }
    with ws.run(KIND, parameters={"threshold": threshold, "activity kinds": list(ACTIVITY_KINDS)}) as run:
        for m in rows:
            for act in activity_for(activity, str(m.mmsi)):
                _record(ws, run, m, act)
                summary["findings"] += 1
        run.summary.update(summary)
        run.summary["matches"] = [r.as_row() for r in rows[:MAX_SUMMARY_MATCHES]]
    return {**summary, "run": str(run.id), "matches": [r.as_row() for r in rows]}


MAX_SUMMARY_MATCHES = 200
"""The run summary keeps the first this many match rows (all are returned to the caller)."""


def _record(ws: Workspace, run: Any, m: ScreenRow, act: Finding) -> None:
    day = act.start.date() if act.start else None
    d = designation_on(ws, m, day)
    extract = ws.add_artifact(
        json.dumps(d.extract, indent=2, ensure_ascii=False, default=str).encode("utf-8"),
        name=f"designation-{d.dataset}-{m.mmsi}-{day}.json",
        media_type="application/json",
    )
    run.add_output(extract.id)
    evidence = [*act.evidence, extract.id, *([d.artifact_id] if d.artifact_id else [])]
    run.add_finding(
        kind=KIND,
        title=_title(d, act, m),
        summary=(
            f"Match {m.explanation}. List status on {day}: {d.status}"
            + (f" since {d.since}" if d.since else "")
            + f". Activity: {act.summary}"
        ),
        subjects=[*act.subjects, f"entity:{d.entity_id}"],
        geometry=act.geometry,
        start=act.start,
        end=act.end,
        confidence=lower_confidence(m.match.confidence, act.confidence),
        evidence=evidence,
        details=_details(m, act, d),
    )


def _details(m: ScreenRow, act: Finding, d: Designation) -> Mapping[str, Any]:
    return {
        "activity_finding": act.id,
        "activity_kind": act.kind,
        "entity_id": d.entity_id,
        "dataset": d.dataset,
        "listing_status": d.status,
        "listed_since": d.since.isoformat() if d.since else None,
        "match_status": m.match.status,
        "match_basis": m.match.basis,
        "match_score": m.match.score,
        "match_agreed": list(m.match.agreed),
        "match_disagreed": list(m.match.disagreed),
        "match_explanation": m.explanation,
    }
