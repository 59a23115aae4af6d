"""Scoring a query against a candidate: names, then identifiers, dates and countries.

The score starts from the best name similarity over all name pairs (current and former names,
:func:`~armswatch.matching.feature.compare_names`), then identifiers set floors and caps
(:mod:`.vessel`), and birth dates and countries adjust it. The explanation lists every feature that
contributed, in words. ``match`` is ``score >= threshold``; the default threshold 0.7 was tuned on the
nomenklatura name-bench groups ``nk_checks`` and ``nk_unit_tests`` (see docs/matching.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from followthemoney import model
from rapidfuzz import fuzz

from armswatch.matching.feature import NameScore, compare_names
from armswatch.matching.name import NameKind, kind_of_schema
from armswatch.matching.subject import Subject
from armswatch.matching.vessel import identifier_evidence

DEFAULT_THRESHOLD = 0.7
MAX_NAME_PAIRS = 3
BIRTH_YEAR_PENALTY = 0.2
BIRTH_DATE_BONUS = 0.05
COUNTRY_PENALTY = 0.1


@dataclass(frozen=True)
class MatchScore:
    """A scored pair with the reasons, in words."""

    score: float
    match: bool
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """All reasons as one sentence list."""
        return "; ".join(self.reasons)


def schemata_compatible(query: str, candidate: str) -> bool:
    """True when a query of schema ``query`` may match an entity of schema ``candidate``."""
    q, c = model.get(query), model.get(candidate)
    if q is None or c is None:
        return False
    return bool(q.can_match(c) or c.can_match(q) or q.name == c.name)


def comparison_kind(query: Subject, candidate: Subject) -> NameKind:
    """Name kind for a pair: the more specific of the two schemata decides."""
    if query.schema in ("LegalEntity", "Thing", ""):
        return kind_of_schema(candidate.schema)
    return kind_of_schema(query.schema)


def best_name(query: Subject, candidate: Subject) -> tuple[NameScore | None, bool]:
    """Best name comparison over all name pairs and whether it used a former name of the candidate."""
    kind = comparison_kind(query, candidate)
    best: NameScore | None = None
    former = False
    c_forms = candidate.forms(kind)
    n_current = len({f for f in c_forms if f.original in candidate.names})
    # Names in a canonical order: parsers and stores may give aliases in any order (set iteration
    # varies with the interpreter's string hashing), and ties below are broken by this order.
    pairs = sorted(
        ((qf, idx, cf) for qf in query.forms(kind) for idx, cf in enumerate(c_forms)),
        key=lambda p: (p[0].display, p[2].display, p[2].original, p[0].original),
    )
    if len(pairs) > MAX_NAME_PAIRS:
        # Many aliases: fully compare only the pairs a cheap token-set ratio ranks highest, plus
        # pairs whose Korean keys agree (their romanised tokens may look unlike each other).
        ranked = sorted(pairs, key=lambda p: -fuzz.token_set_ratio(p[0].display, p[2].display))
        keep = ranked[:MAX_NAME_PAIRS]
        keep += [p for p in ranked[MAX_NAME_PAIRS:] if p[0].korean is not None and p[0].korean == p[2].korean]
        pairs = keep
    for qf, idx, cf in pairs:
        result = compare_names(qf, cf)
        if best is None or result.score > best.score:
            best, former = result, idx >= n_current and cf.original in candidate.former_names
            if best.score >= 1.0:
                return best, former
    return best, former


def _dates_and_countries(query: Subject, candidate: Subject, score: float, reasons: list[str]) -> float:
    if query.birth_years and candidate.birth_years:
        if not query.birth_years & candidate.birth_years:
            q, c = sorted(query.birth_years)[0], sorted(candidate.birth_years)[0]
            score -= BIRTH_YEAR_PENALTY
            reasons.append(f"birth year differs ({q} vs {c})")
        elif set(query.birth_dates) & set(candidate.birth_dates) and any(
            len(d) >= 10 for d in query.birth_dates
        ):
            score += BIRTH_DATE_BONUS
            reasons.append("birth date identical")
        else:
            reasons.append("birth year identical")
    if query.countries and candidate.countries:
        common = query.countries & candidate.countries
        if common:
            reasons.append(f"country identical ({', '.join(sorted(common))})")
        else:
            score -= COUNTRY_PENALTY
            q, c = ",".join(sorted(query.countries)), ",".join(sorted(candidate.countries))
            reasons.append(f"countries differ ({q} vs {c})")
    return score


def birth_date_evidence(query: Subject, candidate: Subject) -> float:
    """Birth years differ (−0.2) or the full birth date is identical (+0.05)."""
    return _dates_and_countries(
        Subject(query.id, query.schema, (), birth_dates=query.birth_dates),
        Subject(candidate.id, candidate.schema, (), birth_dates=candidate.birth_dates),
        0.0,
        [],
    )


def country_evidence(query: Subject, candidate: Subject) -> float:
    """Countries (nationality, jurisdiction, flag) differ (−0.1)."""
    return _dates_and_countries(
        Subject(query.id, query.schema, (), countries=query.countries),
        Subject(candidate.id, candidate.schema, (), countries=candidate.countries),
        0.0,
        [],
    )


def feature_docs() -> dict[str, str]:
    """Every feature that can contribute to a score, with its explanation (the function docstrings)."""
    from armswatch.matching import feature, script, vessel

    funcs = (
        feature.compare_names,
        feature.align_tokens,
        feature.token_similarity,
        script.syllabic_text,
        script.abjad_score,
        vessel.imo_evidence,
        vessel.mmsi_evidence,
        vessel.registration_evidence,
        birth_date_evidence,
        country_evidence,
    )
    return {f.__name__: (f.__doc__ or "").strip().split("\n\n")[0] for f in funcs}


def score_pair(query: Subject, candidate: Subject, threshold: float = DEFAULT_THRESHOLD) -> MatchScore:
    """Score ``candidate`` as a match for ``query`` with reasons in words."""
    if not schemata_compatible(query.schema, candidate.schema):
        return MatchScore(0.0, False, (f"schema {query.schema} cannot match {candidate.schema}",))
    name, former = best_name(query, candidate)
    reasons: list[str] = []
    score = 0.0
    if name is not None:
        score = name.score
        reasons.extend(name.reasons)
        if former:
            reasons.append(f"matched on former name {name.candidate!r}")
        elif name.candidate and name.candidate != candidate.caption and score >= threshold:
            reasons.append(f"matched on alias {name.candidate!r}")
    floor, cap = 0.0, 1.0
    for evidence in identifier_evidence(query, candidate):
        floor, cap = max(floor, evidence.floor), min(cap, evidence.cap)
        reasons.extend(evidence.reasons)
    if floor >= 0.95 and score >= threshold:
        score = 1.0
    score = min(max(score, floor), cap)
    score = _dates_and_countries(query, candidate, score, reasons)
    score = round(min(1.0, max(0.0, score)), 4)
    return MatchScore(score, score >= threshold, tuple(r for r in reasons if r))
