"""Which vessels seen in AIS are listed vessels: candidates by name and identifiers, then corroboration.

The AIS side of each vessel is everything its static reports said (every name, IMO, call sign, its
latest type and length, the flag of its MMSI's MID); the list side is the listed Vessel entity
(names, former names, IMO, MMSI, call sign, flag and former flags, type, gross tonnage). Candidates
come from the name/identifier index (:class:`~armswatch.matching.index.CandidateIndex`); each pair
is then judged by :func:`armswatch.matching.vessel.compare_vessels`: exact IMO or MMSI, or a name
corroborated by another attribute is *listed*; a name alone is at most *possible*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from followthemoney.proxy import EntityProxy

from armswatch.matching.index import CandidateIndex
from armswatch.matching.score import DEFAULT_THRESHOLD, best_name
from armswatch.matching.subject import Subject
from armswatch.matching.vessel import (
    NO_MATCH,
    NameEvidence,
    VesselFacts,
    VesselMatch,
    ais_type_class,
    compact_callsign,
    compact_name,
    compare_vessels,
    listed_type_class,
)
from armswatch.types.imo import clean_imo
from armswatch.types.mmsi import NOT_A_NUMBER, flag_of, mmsi_problem

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

CANDIDATES = 20
MIN_NAME_SCORE = 0.5
"""Name comparisons below this are not name evidence at all."""


@dataclass(frozen=True)
class ScreenRow:
    """One AIS vessel against one listed vessel, as printed by ``ais screen``."""

    mmsi: int
    vessel: str
    entity_id: str
    listed: str
    dataset: str
    match: VesselMatch

    def as_row(self) -> dict[str, Any]:
        m = self.match
        return {
            "mmsi": self.mmsi, "vessel": self.vessel, "listed": self.listed, "entity_id": self.entity_id,
            "dataset": self.dataset, "status": m.status, "score": m.score, "confidence": m.confidence,
            "basis": m.basis, "agreed": "; ".join(m.agreed), "disagreed": "; ".join(m.disagreed),
        }  # fmt: skip

    @property
    def explanation(self) -> str:
        m = self.match
        text = f"{m.status} ({m.basis}); agreed: {'; '.join(m.agreed) or 'nothing'}"
        return text + (f"; disagreed: {'; '.join(m.disagreed)}" if m.disagreed else "")


def _ordered(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if v is not None and str(v).strip()))


def ais_vessel_facts(statics: pl.DataFrame, mmsis: Iterable[int] = ()) -> list[VesselFacts]:
    """What AIS says about each MMSI: its names (latest first; the others as former names), IMOs, call
    signs, latest type and length, and the MID's flag. ``mmsis``: vessels seen only in positions."""
    out: dict[int, VesselFacts] = {}
    if statics.height:
        frame = statics.sort("ts", descending=True).with_columns(
            (pl.col("to_bow").cast(pl.Int32) + pl.col("to_stern").fill_null(0).cast(pl.Int32)).alias("_len")
        )
        grouped = frame.group_by("mmsi", maintain_order=True).agg(
            pl.col("name").drop_nulls(), pl.col("imo").drop_nulls(), pl.col("callsign").drop_nulls(),
            pl.col("ship_type").drop_nulls().first(), pl.col("_len").filter(pl.col("_len") > 0).first(),
        )  # fmt: skip
        for r in grouped.iter_rows(named=True):
            names = _ordered(n.strip() for n in r["name"])
            out[int(r["mmsi"])] = VesselFacts(
                id=f"vessel:mmsi:{r['mmsi']}", names=names[:1], former_names=names[1:],
                imo=frozenset(i for i in (clean_imo(v) for v in r["imo"]) if i),
                mmsi=frozenset([str(r["mmsi"])]),
                callsigns=frozenset(c for c in (compact_callsign(v) for v in r["callsign"]) if c),
                flags=frozenset([f.lower()]) if (f := flag_of(r["mmsi"])) else frozenset(),
                type_class=ais_type_class(r["ship_type"]), length_m=float(r["_len"]) if r["_len"] else None,
            )  # fmt: skip
    for m in mmsis:
        out.setdefault(int(m), VesselFacts(id=f"vessel:mmsi:{m}", names=(), mmsi=frozenset([str(m)])))
    return [out[k] for k in sorted(out)]


def _number(values: Sequence[str]) -> float | None:
    for v in values:
        digits = re.sub(r"[^0-9.]", "", v.replace(",", ""))
        try:
            return float(digits) if digits else None
        except ValueError:
            continue
    return None


def listed_vessel_facts(entity: EntityProxy) -> VesselFacts:
    """What a listed Vessel entity says (FtM properties). A listed MMSI is kept even when it is not a
    valid ITU identity: a false identity on a list is exactly what to look for in AIS."""

    def get(prop: str) -> list[str]:
        return list(entity.get(prop, quiet=True))

    return VesselFacts(
        id=str(entity.id), names=_ordered(get("name") + get("alias")),
        former_names=_ordered(get("previousName") + get("formerName")),
        imo=frozenset(i for i in (clean_imo(v) for v in get("imoNumber")) if i),
        mmsi=frozenset(str(int(v.strip())) for v in get("mmsi") if mmsi_problem(v) != NOT_A_NUMBER),
        callsigns=frozenset(c for c in (compact_callsign(v) for v in get("callSign")) if c),
        flags=frozenset(f.lower() for f in get("flag")), past_flags=frozenset(f.lower() for f in get("pastFlags")),
        type_class=next((c for c in map(listed_type_class, get("type")) if c), None),
        gross_tonnage=_number(get("grossRegisteredTonnage")),
    )  # fmt: skip


def _subject(facts: VesselFacts, dataset: str = "") -> Subject:
    return Subject(
        id=facts.id, schema="Vessel", names=facts.names, former_names=facts.former_names, imo=facts.imo,
        mmsi=facts.mmsi, dataset=dataset, caption=facts.names[0] if facts.names else "",
    )  # fmt: skip


def name_evidence(
    ais: VesselFacts, listed: VesselFacts, ais_subject: Subject, listed_subject: Subject
) -> NameEvidence | None:
    """The best name evidence of a pair: identical after :func:`compact_name` (current names first),
    else the matcher's name score, labelled ``variant`` (transliteration) or ``fuzzy`` (spelling)."""
    listed_names = [(n, False) for n in listed.names] + [(n, True) for n in listed.former_names]
    for a in (*ais.names, *ais.former_names):
        for n, former in listed_names:
            if compact_name(a) and compact_name(a) == compact_name(n):
                return NameEvidence(a, n, "identical", 1.0, former)
    best, former = best_name(ais_subject, listed_subject)
    if best is None or best.score < MIN_NAME_SCORE:
        return None
    level = "variant" if any("transliteration" in r for r in best.reasons) else "fuzzy"
    return NameEvidence(best.query, best.candidate, level, best.score, former)


def screen_facts(
    ais: Sequence[VesselFacts],
    listed: Sequence[tuple[VesselFacts, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ScreenRow]:
    """Every (AIS vessel, listed vessel) pair that is *listed* or *possible*, best first per vessel."""
    subjects = [_subject(f, ds) for f, ds in listed]
    index = CandidateIndex(subjects)
    rows: list[ScreenRow] = []
    for vessel in ais:
        query = _subject(vessel)
        for i in index.candidates(query, CANDIDATES):
            facts, dataset = listed[i]
            match = compare_vessels(
                vessel, facts, name_evidence(vessel, facts, query, subjects[i]), threshold
            )
            if match.status != NO_MATCH:
                rows.append(ScreenRow(int(next(iter(vessel.mmsi))), vessel.names[0] if vessel.names else "",
                                      facts.id, facts.names[0] if facts.names else facts.id, dataset, match))  # fmt: skip
    return sorted(rows, key=lambda r: (r.mmsi, -r.match.score, r.entity_id))


def workspace_listed_vessels(ws: Workspace) -> list[tuple[VesselFacts, str]]:
    """Listed vessels of the current snapshot of every dataset in the workspace, with the dataset."""
    from armswatch.entities.history import entities_at, snapshots

    out: list[tuple[VesselFacts, str]] = []
    for name in sorted({s.dataset for s in snapshots(ws)}):
        out += [(listed_vessel_facts(e), name) for e in entities_at(ws, datasets=[name], schema="Vessel")]
    return out
