"""Vessel identifiers: IMO number, MMSI and registration as match evidence.

An IMO number stays with a hull for life (IMO Resolution A.1078(28)), so two valid, identical IMO
numbers identify the same ship whatever its current name, and two valid, different ones rule it out.
An MMSI belongs to the ship's radio licence: it changes with the flag and is sometimes spoofed or
reused, so an identical MMSI is strong but not conclusive evidence and a different one proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from armswatch.matching.subject import Subject

IMO_SAME_SCORE = 0.95
IMO_DIFFERENT_CAP = 0.3
MMSI_SAME_SCORE = 0.8
REGISTRATION_SAME_SCORE = 0.85


@dataclass(frozen=True)
class IdentifierEvidence:
    """What the identifiers say: a floor or a cap for the score, and why."""

    floor: float = 0.0
    cap: float = 1.0
    reasons: tuple[str, ...] = ()


def imo_evidence(query: Subject, candidate: Subject) -> IdentifierEvidence:
    """IMO numbers identical (same hull) or different (different hulls)."""
    if not query.imo or not candidate.imo:
        return IdentifierEvidence()
    same = sorted(query.imo & candidate.imo)
    if same:
        return IdentifierEvidence(floor=IMO_SAME_SCORE, reasons=(f"IMO {same[0]} identical",))
    q, c = sorted(query.imo)[0], sorted(candidate.imo)[0]
    return IdentifierEvidence(cap=IMO_DIFFERENT_CAP, reasons=(f"IMO numbers differ ({q} vs {c})",))


def mmsi_evidence(query: Subject, candidate: Subject) -> IdentifierEvidence:
    """MMSI identical (same radio licence; strong but not conclusive)."""
    same = sorted(query.mmsi & candidate.mmsi)
    if same:
        return IdentifierEvidence(floor=MMSI_SAME_SCORE, reasons=(f"MMSI {same[0]} identical",))
    return IdentifierEvidence()


def registration_evidence(query: Subject, candidate: Subject) -> IdentifierEvidence:
    """Registration number identical."""
    q = {r.replace(" ", "").upper() for r in query.registration}
    c = {r.replace(" ", "").upper() for r in candidate.registration}
    same = sorted(q & c)
    if same:
        return IdentifierEvidence(
            floor=REGISTRATION_SAME_SCORE, reasons=(f"registration {same[0]} identical",)
        )
    return IdentifierEvidence()


def identifier_evidence(query: Subject, candidate: Subject) -> list[IdentifierEvidence]:
    """All identifier evidence for a pair."""
    return [
        imo_evidence(query, candidate),
        mmsi_evidence(query, candidate),
        registration_evidence(query, candidate),
    ]
