"""Cross-referencing lists: candidate pairs of records that may be the same person, company or ship.

Pure core (no database): :func:`xref_records` reduces FtM entities to :class:`XrefRecord` (the
matcher's :class:`~armswatch.matching.subject.Subject` plus identifiers, listing references, cited
references and street addresses); :func:`xref` proposes and scores pairs.

Blocking, as nomenklatura's ``xref`` does it: never every pair. A pair is scored only when

* the name index (:class:`~armswatch.matching.index.CandidateIndex`, the screening index: tokens,
  transliteration and Korean keys, trigrams, IMO/MMSI) puts one among the other's ``limit`` best
  candidates, or
* the two share an identifier key (passport, national id, registration, IMO, MMSI; keys held by more
  than :data:`MAX_BLOCK` records are skipped as uninformative), or
* a remark of one cites the other's listing reference.

Scoring: the screening score (:func:`~armswatch.matching.score.score_pair`: names in any script, IMO,
MMSI, registration, birth dates, countries), taken in both directions (the matcher asks every *query*
token to be matched, so the shorter name is tried as the query too), then the cross-list evidence of
:func:`xref_evidence`. Every pair keeps the reasons in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from followthemoney.proxy import EntityProxy

from armswatch.entities.identifier import address_key, cited_references, entity_identifiers
from armswatch.matching.index import CandidateIndex
from armswatch.matching.score import DEFAULT_THRESHOLD as MATCHER_THRESHOLD
from armswatch.matching.score import MatchScore, schemata_compatible, score_pair
from armswatch.matching.subject import Subject, subject_from_entity

DEFAULT_THRESHOLD = 0.71
"""Pairs scoring this or more are proposed. Chosen (best F1) on one half of the UN↔OFAC pairs whose
records both carry passports or IMO numbers, scored with identifiers hidden, and checked on the
other half (docs/benchmarks/entities.md)."""
DEFAULT_TOP = 3
DEFAULT_LIMIT = 10
MAX_BLOCK = 30
ID_SAME_SCORE = 0.95
ID_SAME_NAMES_DIFFER = 0.75
NAME_AGREES = 0.5
RELATED_CAP = 0.6
GENERATION_YEARS = 10
GENERATION_CAP = 0.5
ADDRESS_BONUS = 0.05
_SUBJECTS = frozenset(
    {"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane", "Vehicle"}
)


@dataclass(frozen=True)
class XrefRecord:
    """One listed record with what cross-referencing compares."""

    subject: Subject
    identifiers: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()
    cites: frozenset[str] = frozenset()
    cites_same: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.subject.id

    @property
    def name(self) -> str:
        s = self.subject
        return s.caption or (s.names[0] if s.names else s.id)


@dataclass(frozen=True)
class Candidate:
    """A proposed pair with its score and reasons (one row of ``candidates.csv``)."""

    left_id: str
    left_name: str
    left_dataset: str
    right_id: str
    right_name: str
    right_dataset: str
    score: float
    reasons: tuple[str, ...]

    def as_row(self) -> dict[str, str | float]:
        return {
            "left_id": self.left_id,
            "left_name": self.left_name,
            "left_dataset": self.left_dataset,
            "right_id": self.right_id,
            "right_name": self.right_name,
            "right_dataset": self.right_dataset,
            "score": self.score,
            "reasons": "; ".join(self.reasons),
        }


CANDIDATE_COLUMNS = (
    "left_id",
    "left_name",
    "left_dataset",
    "right_id",
    "right_name",
    "right_dataset",
    "score",
    "reasons",
)


def xref_records(entities: Iterable[EntityProxy], dataset: str = "") -> list[XrefRecord]:
    """Records of the subjects among ``entities`` (sanctions give each subject its listing references)."""
    subjects: list[EntityProxy] = []
    references: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        if entity.schema.name == "Sanction":
            refs = entity.get("unscId", quiet=True)
            for target in entity.get("entity"):
                references[target].update(refs)
        elif entity.schema.name in _SUBJECTS and entity.id:
            subjects.append(entity)
    out: list[XrefRecord] = []
    for entity in subjects:
        subject = _canonical_order(subject_from_entity(entity, dataset))
        if not (subject.names or subject.imo or subject.mmsi):
            continue
        cites, same = cited_references(entity.get("notes", quiet=True))
        own = frozenset(references.get(str(entity.id), ()))
        addresses = {k for a in entity.get("address", quiet=True) if (k := address_key(a))}
        out.append(
            XrefRecord(
                subject=subject,
                identifiers=entity_identifiers(entity),
                references=own,
                cites=cites - own,
                cites_same=same - own,
                addresses=frozenset(addresses),
            )
        )
    return out


def _canonical_order(subject: Subject) -> Subject:
    """Names and dates in sorted order: parsers and stores may give aliases in any order, and the
    matcher compares only the few alias pairs a quick ratio ranks highest (ties by order), so the
    same lists must give the same order to give the same scores."""
    return replace(
        subject,
        names=tuple(sorted(subject.names)),
        former_names=tuple(sorted(subject.former_names)),
        birth_dates=tuple(sorted(subject.birth_dates)),
        forms_cache={},
    )


def _block_keys(record: XrefRecord) -> set[str]:
    s = record.subject
    vessel = "imo-ship" if s.schema in ("Vessel",) else "imo-company"
    return set(record.identifiers) | {f"{vessel}:{i}" for i in s.imo} | {f"mmsi:{m}" for m in s.mmsi}


def candidate_pairs(
    records: Sequence[XrefRecord],
    index: CandidateIndex,
    *,
    limit: int = DEFAULT_LIMIT,
    across_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, worth scoring (see the module docstring)."""
    pairs: set[tuple[int, int]] = set()
    for i, record in enumerate(records):
        for j in index.candidates(record.subject, limit + 1):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
        if progress is not None:
            progress(1)
    blocks: dict[str, list[int]] = defaultdict(list)
    owners: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        for key in _block_keys(record):
            blocks[key].append(i)
        for ref in record.references:
            owners[ref].append(i)
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
    for i, record in enumerate(records):
        for ref in record.cites:
            pairs.update((min(i, j), max(i, j)) for j in owners.get(ref, ()) if j != i)
    return {
        (i, j)
        for i, j in pairs
        if not (across_only and records[i].subject.dataset == records[j].subject.dataset)
        and pair_compatible(records[i].subject.schema, records[j].subject.schema)
    }


def pair_compatible(a: str, b: str) -> bool:
    """Schemata that may be the same thing across lists: as for screening, except that a person pairs
    only with a person (lists type individuals explicitly; an OFAC ``LegalEntity`` is never one)."""
    if (a == "Person") != (b == "Person"):
        return False
    return schemata_compatible(a, b)


def _both_ways(a: Subject, b: Subject) -> MatchScore:
    """The better of the two directions (the matcher's own threshold decides its wording and the
    IMO rule, whatever threshold xref filters on, so a pair's score never depends on --threshold)."""
    first = score_pair(a, b, MATCHER_THRESHOLD)
    if first.score >= 1.0:
        return first
    second = score_pair(b, a, MATCHER_THRESHOLD)
    return second if second.score > first.score else first


def xref_evidence(a: XrefRecord, b: XrefRecord, score: float) -> tuple[float, list[str]]:
    """Cross-list evidence beyond the screening score: shared passports, national ids and registration
    numbers (0.95 when the names agree, 0.75 when they do not: check), a remark stating that the
    other record is the same (0.95), a remark citing the other as a related party (at most 0.6),
    birth years ten or more years apart (at most 0.5: a father and son share most of a name), and
    the same street address (+0.05)."""
    reasons: list[str] = []
    shared = sorted(a.identifiers & b.identifiers)
    floor, cap = 0.0, 1.0
    if shared:
        kind, value = shared[0].split(":", 1)
        more = f" (and {len(shared) - 1} more)" if len(shared) > 1 else ""
        if score >= NAME_AGREES:
            floor = ID_SAME_SCORE
            reasons.append(f"{kind} {value} identical{more}")
        else:
            floor = ID_SAME_NAMES_DIFFER
            reasons.append(f"{kind} {value} identical{more} but the names differ: check")
    said_same = sorted((a.cites_same & b.references) | (b.cites_same & a.references))
    cited = sorted((a.cites & b.references) | (b.cites & a.references))
    if said_same:
        floor = max(floor, ID_SAME_SCORE if score >= NAME_AGREES else ID_SAME_NAMES_DIFFER)
        reasons.append(f"remarks say it is the record {said_same[0]}")
    elif cited and not shared:
        cap = RELATED_CAP
        reasons.append(f"remarks cite {cited[0]} as a related party (a different record)")
    gap = _birth_gap(a.subject, b.subject)
    if gap >= GENERATION_YEARS and not shared:
        cap = min(cap, GENERATION_CAP)
        reasons.append(f"born {gap} years apart: a different person (a relative?)")
    bonus = 0.0
    common = sorted(a.addresses & b.addresses)
    if common:
        bonus = ADDRESS_BONUS
        reasons.append(f"address identical ({common[0]})")
    return round(min(1.0, min(max(score, floor), cap) + bonus), 4), reasons


def _birth_gap(a: Subject, b: Subject) -> int:
    """Smallest gap in years between the birth years given on each side (0 when either has none)."""
    ya = [int(y) for y in a.birth_years]
    yb = [int(y) for y in b.birth_years]
    if not ya or not yb:
        return 0
    return min(abs(x - y) for x in ya for y in yb)


def score_records(a: XrefRecord, b: XrefRecord) -> Candidate:
    """Score one pair of records."""
    base = _both_ways(a.subject, b.subject)
    score, extra = xref_evidence(a, b, base.score)
    return Candidate(
        left_id=a.id,
        left_name=a.name,
        left_dataset=a.subject.dataset,
        right_id=b.id,
        right_name=b.name,
        right_dataset=b.subject.dataset,
        score=score,
        reasons=(*base.reasons, *extra),
    )


def top_candidates(scored: Sequence[Candidate], *, threshold: float, top: int) -> list[Candidate]:
    """Pairs at or above ``threshold`` that are among the ``top`` best of either record, best first."""
    by_record: dict[str, list[Candidate]] = defaultdict(list)
    for cand in scored:
        if cand.score >= threshold:
            by_record[cand.left_id].append(cand)
            by_record[cand.right_id].append(cand)
    keep: dict[tuple[str, str], Candidate] = {}
    for cands in by_record.values():
        cands.sort(key=lambda c: (-c.score, c.left_id, c.right_id))
        for cand in cands[:top] if top > 0 else cands:
            keep[(cand.left_id, cand.right_id)] = cand
    return sorted(keep.values(), key=lambda c: (-c.score, c.left_id, c.right_id))


def xref(
    records: Sequence[XrefRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
    limit: int = DEFAULT_LIMIT,
    across_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Candidate]:
    """Candidate pairs among ``records`` (left: the earlier record of the input order)."""
    index = CandidateIndex([r.subject for r in records])
    pairs = candidate_pairs(records, index, limit=limit, across_only=across_only, progress=progress)
    scored = [score_records(records[i], records[j]) for i, j in sorted(pairs)]
    return top_candidates(scored, threshold=threshold, top=top)
