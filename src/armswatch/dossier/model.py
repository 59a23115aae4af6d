"""What a dossier shows, as plain frozen values: statements, each with its evidence and provenance.

A *statement* is one thing the dossier asserts ("broadcast the name SIM OCEAN STAR from … to …",
"listed by OFAC since 2016-03-16", "port call at Rajin 2026-02-02 09:00–13:00"). Each carries one or
more :class:`Provenance` records naming where it comes from: the source, the artifact hashes, the
run, and the review state (a finding's status; ``list entry``, ``register entry`` or ``computed``
for what is read or derived, not reviewed). Rendering (HTML, PDF, JSON) never adds facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final

from armswatch.sites.model import Site

SECTIONS: Final[dict[str, str]] = {
    "identity": "Identity over time",
    "registry": "Ship register: owners, managers, operators",
    "designation": "Designations",
    "ownership": "Ownership chain to designated parties",
    "location": "Location",
    "description": "What sources say it does",
    "imagery": "Imagery time series",
    "event": "Movements (computed from AIS for this dossier)",
    "movement": "Vessel and rail movements",
    "munition": "Munition items traced to it",
    "entity": "Linked entities",
    "finding": "Findings",
}
"""Section keys in display order, with their titles."""

COMPUTED: Final = "computed (not reviewed)"
"""Review state of a statement derived by the dossier itself from stored data (not a recorded finding)."""


@dataclass(frozen=True)
class Provenance:
    """Where a statement comes from."""

    source: str
    artifacts: tuple[str, ...] = ()
    run: str | None = None
    review: str = COMPUTED
    finding: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Statement:
    """One assertion of the dossier; ``start``/``end`` place it on the timeline, ``geometry`` on the map."""

    section: str
    kind: str
    text: str
    provenance: tuple[Provenance, ...]
    start: datetime | None = None
    end: datetime | None = None
    geometry: Mapping[str, Any] | None = None
    status: str = ""
    simulated: bool = False
    ref: str = ""

    @property
    def rejected(self) -> bool:
        return self.status == "rejected"


@dataclass(frozen=True)
class Chart:
    """A small trusted SVG chart built by armswatch code (its inputs escaped) with a caption."""

    title: str
    svg: str


@dataclass(frozen=True)
class Dossier:
    """Everything the renderers need."""

    subject: str  # "vessel" | "site"
    id: str
    title: str
    generated_at: datetime
    workspace: str
    version: str
    facts: tuple[tuple[str, str], ...] = ()
    statements: tuple[Statement, ...] = ()
    track: Mapping[str, Any] | None = None
    sites: tuple[Site, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    simulated_note: str = ""
    stats: Mapping[str, Any] = field(default_factory=dict)

    def section(self, key: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.section == key)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def statement_json(s: Statement) -> dict[str, Any]:
    return {
        "section": s.section,
        "kind": s.kind,
        "text": s.text,
        "start": _iso(s.start),
        "end": _iso(s.end),
        "status": s.status or None,
        "simulated": s.simulated,
        "geometry": dict(s.geometry) if s.geometry else None,
        "provenance": [asdict(p) | {"artifacts": list(p.artifacts)} for p in s.provenance],
    }


def dossier_json(d: Dossier) -> dict[str, Any]:
    """The dossier as JSON-ready data (schema: ``armswatch.dossier.json_schema.SCHEMA``)."""
    return {
        "schema": "armswatch.dossier/1",
        "subject": d.subject,
        "id": d.id,
        "title": d.title,
        "generated_at": _iso(d.generated_at),
        "workspace": d.workspace,
        "armswatch": d.version,
        "facts": [{"label": k, "value": v} for k, v in d.facts],
        "statements": [statement_json(s) for s in d.statements],
        "track": dict(d.track) if d.track else None,
        "sites": [s.id for s in d.sites],
        "notes": list(d.notes),
        "simulated_note": d.simulated_note or None,
        "stats": dict(d.stats),
    }
