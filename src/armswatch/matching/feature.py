"""Name comparison: order-aware token alignment with transliteration-aware token similarity.

Every query token must find a counterpart in the candidate name (a different person with a similar
name — *Kim Yo Jong* vs *Kim Jong Un* — fails because ``yo`` has none). Candidate tokens without a
counterpart (middle names, patronymics, legal qualifiers) cost less. Token similarity is the best of:
identical, same transliteration key (:func:`~armswatch.matching.cyrillic.slavic_key`), an initial
(``J`` ~ ``Joachim``) and Levenshtein similarity. Adjacent tokens are joined when the other side writes
them as one word (``Patr ushev`` ~ ``Patrushev``, ``Jong-un`` ~ ``Jongun``). Korean names are compared
on their romanisation-invariant key (:mod:`~armswatch.matching.korean`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from rapidfuzz.distance import OSA, Levenshtein

from armswatch.matching.name import NameForm, NameKind, legal_form_class
from armswatch.matching.script import abjad_score, syllabic_text

MIN_TOKEN_SIMILARITY = 0.7
SHORT_GAP_SIMILARITY = 0.72
UNMATCHED_CAP = 0.55
EXTRA_CANDIDATE_COST = {NameKind.PERSON: 0.3, NameKind.ORG: 0.8, NameKind.OBJECT: 0.8}
REORDER_PENALTY = 0.2
EXTRA_QUERY_COST_PERSON = 0.3
LEGAL_FORM_PENALTY = 0.65


@dataclass(frozen=True)
class NameScore:
    """The similarity of two names in [0, 1] and the reasons, in words."""

    score: float
    reasons: tuple[str, ...]
    query: str
    candidate: str


def token_similarity(a: str, ka: str, b: str, kb: str) -> tuple[float, str]:
    """Similarity of two ASCII name tokens with their transliteration keys, and how they matched."""
    if a == b:
        return 1.0, "identical"
    if a.isdigit() or b.isdigit():
        return 0.0, "number"
    if len(a) == 1 or len(b) == 1:
        return (0.9, "initial") if a[0] == b[0] else (0.0, "initial")
    if ka == kb:
        return 0.95, "spelling"
    sim = max(OSA.normalized_similarity(a, b), 0.97 * OSA.normalized_similarity(ka, kb))
    if min(len(a), len(b)) <= 3:
        # Short tokens: one edit usually makes another name, except a single dropped or added
        # letter in a word of three letters or more (PRS ~ PARS, IMN ~ IMAN).
        one_gap = min(len(a), len(b)) == 3 and abs(len(a) - len(b)) == 1 and OSA.distance(a, b) == 1
        sim = SHORT_GAP_SIMILARITY if one_gap else sim * 0.8
    return sim, "fuzzy"


def _truncation(query: NameForm, candidate: NameForm, pairs: list[tuple[float, int, int, str]]) -> None:
    """A last query token cut short by a field limit (``JUARE`` ~ ``JUAREZ``, ``DR`` ~ ``DRISSI``)."""
    last = len(query.tokens) - 1
    if last < 0 or len(query.display) < 28:  # only long names hit a field-length limit
        return
    token = query.tokens[last]
    if len(token) < 2 or token.isdigit() or any(p[1] == last and p[0] >= 0.9 for p in pairs):
        return
    for j, other in enumerate(candidate.tokens):
        if len(other) > len(token) and other.startswith(token):
            pairs.append((0.8, last, j, "truncated"))


def _merge_adjacent(tokens: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Join runs of 2-3 adjacent tokens that the other name writes as one word."""
    if len(tokens) < 2:
        return tokens
    others = set(other)
    if others.issuperset(tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2):
            run = tokens[i : i + size]
            if len(run) < size or all(t in others for t in run):
                continue
            joined = "".join(run)
            if joined in others or (
                all(len(t) > 1 for t in run)
                and any(
                    len(o) >= 5
                    and OSA.normalized_similarity(joined, o) >= 0.8
                    and all(OSA.normalized_similarity(t, o) < 0.7 for t in run)
                    for o in others
                )
            ):
                out.append(joined)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def _rebuild(form: NameForm, tokens: tuple[str, ...]) -> NameForm:
    if tokens == form.tokens:
        return form
    from armswatch.matching.cyrillic import slavic_key
    from armswatch.matching.name import _token_weight

    return NameForm(
        original=form.original,
        kind=form.kind,
        tokens=tokens,
        keys=tuple(slavic_key(t) for t in tokens),
        weights=tuple(_token_weight(t, form.kind) for t in tokens),
        legal_forms=form.legal_forms,
        korean=form.korean,
    )


def _is_rotation(order: list[int]) -> bool:
    descents = sum(1 for a, b in itertools.pairwise(order) if b < a)
    return descents == 0 or (descents == 1 and order[-1] < order[0])


def _acronym(short: NameForm, long: NameForm) -> bool:
    if len(short.tokens) != 1 or len(long.tokens) < 2 or not 2 <= len(short.tokens[0]) <= 6:
        return False
    return short.tokens[0] == "".join(t[0] for t in long.tokens)


_FILIAL = frozenset({"bin", "bint"})


def _patronym_swapped(q: NameForm, c: NameForm, used_q: dict[int, tuple[int, float, str]]) -> bool:
    """``Salman bin Muhammad`` vs ``Muhammad bin Salman``: the parts around ``bin`` changed sides."""
    for i, token in enumerate(q.tokens):
        if token in _FILIAL and i in used_q and 0 < i < len(q.tokens) - 1:
            j = used_q[i][0]
            before, after = used_q.get(i - 1), used_q.get(i + 1)
            if before and after and before[0] > j > after[0]:
                return True
    return False


def align_tokens(query: NameForm, candidate: NameForm) -> tuple[float, list[str]]:
    """Score the token alignment of two names (see module docstring); returns score and reasons."""
    q = _rebuild(query, _merge_adjacent(query.tokens, candidate.tokens))
    c = _rebuild(candidate, _merge_adjacent(candidate.tokens, q.tokens))
    pairs: list[tuple[float, int, int, str]] = []
    for i, (a, ka) in enumerate(zip(q.tokens, q.keys, strict=True)):
        for j, (b, kb) in enumerate(zip(c.tokens, c.keys, strict=True)):
            sim, how = token_similarity(a, ka, b, kb)
            if sim >= MIN_TOKEN_SIMILARITY:
                pairs.append((sim, i, j, how))
    _truncation(q, c, pairs)
    pairs.sort(key=lambda p: (-p[0], abs(p[1] - p[2])))
    used_q: dict[int, tuple[int, float, str]] = {}
    used_c: set[int] = set()
    for sim, i, j, how in pairs:
        if i not in used_q and j not in used_c:
            used_q[i] = (j, sim, how)
            used_c.add(j)
    reasons: list[str] = []
    num = sum(sim * (q.weights[i] + c.weights[j]) for i, (j, sim, _) in used_q.items())
    extra_cost = EXTRA_CANDIDATE_COST[q.kind]
    unmatched_c = [j for j in range(len(c.tokens)) if j not in used_c]
    missing = [i for i in range(len(q.tokens)) if i not in used_q]
    numbers_only = q.kind is NameKind.OBJECT and all(q.tokens[i].isdigit() for i in missing)
    # A person query may carry middle names the list entry lacks, when the list name is fully matched.
    query_extras_ok = numbers_only or (
        q.kind is NameKind.PERSON and not unmatched_c and sum(c.weights[j] >= 1.0 for j in used_c) >= 2
    )
    q_extra_cost = EXTRA_QUERY_COST_PERSON if query_extras_ok else 1.0
    den = (
        sum(q.weights[i] for i in used_q)
        + q_extra_cost * sum(q.weights[i] for i in missing)
        + sum(c.weights[j] for j in used_c)
        + extra_cost * sum(c.weights[j] for j in unmatched_c)
    )
    score = num / den if den else 0.0
    hard_missing = [i for i in missing if q.weights[i] >= 1.0]
    initial_conflict = [
        i for i in missing if q.weights[i] == 0.5 and any(c.weights[j] >= 0.5 for j in unmatched_c)
    ]
    if missing and query_extras_ok:
        reasons.append("query has extra name parts: " + ", ".join(q.tokens[i] for i in missing))
    elif hard_missing or initial_conflict:
        score = min(score, UNMATCHED_CAP)
        reasons.append("query name part(s) without counterpart: " + ", ".join(q.tokens[i] for i in missing))
    full = [i for i, (_, _, how) in used_q.items() if how != "initial" and q.weights[i] >= 1.0]
    if used_q and not full:
        score = min(score, UNMATCHED_CAP)
        reasons.append("only initials or particles agree")
    if q.kind is NameKind.ORG and missing and unmatched_c:
        score *= 0.85
        reasons.append("both names have words the other lacks")
    if q.kind is NameKind.PERSON and len(q.tokens) == 1 and any(c.weights[j] >= 1.0 for j in unmatched_c):
        score *= 0.85
        reasons.append("single-word query matches part of a longer name")
    if _patronym_swapped(q, c, used_q):
        score = min(score, UNMATCHED_CAP)
        reasons.append("the names either side of 'bin' are swapped (father and son are different people)")
    order = [used_q[i][0] for i in sorted(used_q)]
    if not _is_rotation(order):
        score -= REORDER_PENALTY
        reasons.append("name parts in a different order")
    hows = {how for _, _, how in used_q.values()}
    if used_q and not missing:
        if hows == {"identical"} and not unmatched_c:
            reasons.append("all name parts identical")
        else:
            kinds = sorted(hows - {"identical"})
            words = {
                "spelling": "transliteration variants",
                "fuzzy": "spelling differences",
                "initial": "initials",
            }
            detail = ", ".join(words[k] for k in kinds if k in words)
            reasons.append("all query name parts matched" + (f" ({detail})" if detail else ""))
            if unmatched_c:
                reasons.append(
                    "candidate has extra name parts: " + ", ".join(c.tokens[j] for j in unmatched_c)
                )
    return max(0.0, min(1.0, score)), reasons


def _extra_syllables(a: str, b: str) -> bool:
    """One Korean given-name skeleton is the other plus syllables (``col`` vs ``colho``/``hocol``).

    A Korean given name is a unit: *Ri Chol* and *Ri Chol Ho* are different names, although every
    part of the shorter one is found in the longer.
    """
    short, long = sorted((a, b), key=len)
    if short == long:
        return False
    extra = long.removeprefix(short) if long.startswith(short) else long.removesuffix(short)
    # A syllable has a vowel: Ryong ~ Yong (DPRK vs South Korean initial r) only differ by a consonant.
    return extra != long and any(v in extra for v in "aeiouy")


def _initial_r_variant(a: str, b: str) -> bool:
    """The skeletons differ only by a syllable-initial ``l`` (DPRK *Ryong* vs South Korean *Yong*)."""
    short, long = sorted((a, b), key=len)
    if len(long) != len(short) + 1:
        return False
    return any(
        long[i] == "l" and long[i + 1 : i + 2] in tuple("aeiouy") and long[:i] + long[i + 1 :] == short
        for i in range(len(long) - 1)
    )


def compare_names(query: NameForm, candidate: NameForm) -> NameScore:
    """Compare two analysed names; the score is in [0, 1], reasons are user-facing sentences."""
    qs, cs = syllabic_text(query.original), syllabic_text(candidate.original)
    if qs and cs:
        # Both in Han or Hangul: one character is one syllable; compare the characters themselves.
        sim = OSA.normalized_similarity(qs, cs)
        why = "identical" if sim == 1.0 else f"{sim:.2f} similar"
        return NameScore(
            round(sim, 4), (f"names in Han/Hangul characters {why}",), query.original, candidate.original
        )
    score, reasons = align_tokens(query, candidate)
    abjad = abjad_score(query, candidate)
    if abjad is not None and abjad[0] > score:
        score, reasons = abjad[0], [abjad[1]]
    if query.joined == candidate.joined and len(query.joined) >= 4 and score < 1.0:
        score, reasons = 0.98, ["names identical when spaces are ignored"]
    else:
        joined = Levenshtein.normalized_similarity(query.joined, candidate.joined)
        split_differs = len(query.tokens) != len(candidate.tokens)
        if split_differs and joined >= 0.92 and len(query.joined) >= 8 and joined > score:
            score, reasons = joined, [f"names nearly identical when spaces are ignored ({joined:.2f})"]
    if query.korean is not None and candidate.korean is not None:
        qk, ck = query.korean, candidate.korean
        if qk == ck:
            if score < 1.0:
                reasons = [
                    f"name tokens match after Korean romanisation ({query.original} ~ {candidate.original})"
                ]
            score = 1.0
        elif qk.surname == ck.surname:
            ratio = Levenshtein.normalized_similarity(qk.given, ck.given)
            if ratio >= 0.85 and ratio * 0.95 > score:
                score = ratio * 0.95
                reasons = [f"Korean given names similar after romanisation ({ratio:.2f})"]
            elif score > UNMATCHED_CAP and not _initial_r_variant(qk.given, ck.given):
                # Romanisation differences are folded into the key: what still differs is another
                # syllable, so another given name (Yong Chol / Song Chol / Tong Chol).
                score = UNMATCHED_CAP
                what = "by a syllable" if _extra_syllables(qk.given, ck.given) else "after romanisation"
                reasons = [
                    f"Korean given names differ {what} ({query.original} vs {candidate.original}: "
                    "another given name)"
                ]
    if query.kind is NameKind.ORG:
        if (_acronym(query, candidate) or _acronym(candidate, query)) and score < 0.8:
            score, reasons = 0.8, ["one name is the abbreviation of the other"]
        if query.legal_forms and candidate.legal_forms:
            qc = {legal_form_class(f) for f in query.legal_forms}
            cc = {legal_form_class(f) for f in candidate.legal_forms}
            qf, cf = "/".join(sorted(query.legal_forms)), "/".join(sorted(candidate.legal_forms))
            if qc & cc:
                if qf != cf:
                    reasons.append(f"legal forms equivalent ({qf} ~ {cf})")
            else:
                score *= LEGAL_FORM_PENALTY
                reasons.append(f"legal forms differ ({qf} vs {cf})")
    q_numbers = {t for t in query.tokens if t.isdigit()}
    c_numbers = {t for t in candidate.tokens if t.isdigit()}
    if q_numbers and c_numbers and q_numbers != c_numbers:
        score *= 0.8
        reasons.append("numbers in the names differ")
    return NameScore(round(score, 4), tuple(reasons), query.original, candidate.original)
