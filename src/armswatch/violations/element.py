"""What a provision needs, and whether the case's evidence shows it: the elements of a candidate.

The mapper never concludes that a provision was violated. It lists the *elements* a reading of the
provision needs (a DPRK port call, a UN designation on the day, arms in the cargo …), and for each
one says ``met`` (the case holds evidence for it, named), ``unmet`` (the evidence contradicts it) or
``unknown`` (nothing in the case says either way). An analyst confirms or rejects the candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from armswatch.provenance.confidence import WORDS

Status = Literal["met", "unmet", "unknown"]
STATUSES: Final[tuple[Status, ...]] = ("met", "unmet", "unknown")


@dataclass(frozen=True, slots=True)
class Element:
    """One thing a provision needs, and what the case shows about it."""

    id: str
    needs: str
    status: Status
    reason: str
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "needs": self.needs,
            "status": self.status,
            "reason": self.reason,
            "evidence": list(self.evidence),
        }


def met(eid: str, needs: str, reason: str, evidence: tuple[str, ...] = ()) -> Element:
    return Element(eid, needs, "met", reason, evidence)


def unmet(eid: str, needs: str, reason: str, evidence: tuple[str, ...] = ()) -> Element:
    return Element(eid, needs, "unmet", reason, evidence)


def unknown(eid: str, needs: str, reason: str) -> Element:
    return Element(eid, needs, "unknown", reason)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fact in the case (one finding) read against provisions by one rule: a proposal, not a conclusion."""

    rule: str
    finding_id: str
    finding_title: str
    finding_kind: str
    finding_confidence: str
    provisions: tuple[str, ...]
    elements: tuple[Element, ...]
    subjects: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    geometry: dict[str, Any] | None = None
    evidence: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        return sum(1 for e in self.elements if e.status == status)

    @property
    def tally(self) -> str:
        """``2 of 4 elements met, 2 unknown`` (unmet named when there are any)."""
        parts = [f"{self.count('met')} of {len(self.elements)} elements met"]
        parts += [f"{self.count(s)} {s}" for s in ("unmet", "unknown") if self.count(s)]
        return ", ".join(parts)

    @property
    def confidence(self) -> str:
        """How far the evidence carries the elements, on the ICD 203 scale, never above the fact's own.

        Any element contradicted: ``unlikely``. All met: the fact's confidence, at most ``likely`` (a
        legal reading stays with the analyst). Some unknown: at most ``roughly even chance``.
        """
        cap = (
            "unlikely"
            if self.count("unmet")
            else ("likely" if not self.count("unknown") else "roughly even chance")
        )
        own = self.finding_confidence if self.finding_confidence in WORDS else "roughly even chance"
        return min(own, cap, key=WORDS.index)
