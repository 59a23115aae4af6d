"""Vessel identifiers: IMO number, MMSI and registration as match evidence.

An IMO number stays with a hull for life (IMO Resolution A.1078(28)), so two valid, identical IMO
numbers identify the same ship whatever its current name, and two valid, different ones rule it out.
An MMSI belongs to the ship's radio licence: it changes with the flag and is sometimes spoofed or
reused, so an identical MMSI is strong but not conclusive evidence and a different one proves nothing.

:func:`compare_vessels` decides whether a vessel seen in AIS is a listed vessel, and says which of
their attributes agreed and disagreed: an exact IMO or MMSI, or a name corroborated by another
attribute, makes it *listed*; a name alone only *possible*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

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


# ---- corroborated vessel matches (AIS vessel vs listed vessel) -------------------------------------

LISTED = "listed"
POSSIBLE = "possible"
NO_MATCH = "no match"

NAME_IDENTICAL_SCORE = 0.75
"""Score of a name-only match with identical names: enough to be shown (threshold 0.7) as
*possible*, never more: a ship name alone is shared by many unrelated ships (two US pleasure craft
in one hour of New York AIS are called FREEDOM, like an OFAC-listed tanker)."""
NAME_VARIANT_FACTOR = 0.85
NAME_FUZZY_FACTOR = 0.8
"""Spelling-different ship names: the name score times 0.8, so a one-letter difference in a
seven-letter name (JUSTINE / JUSTICE, name score 0.857) stays below the 0.7 threshold on its own.
Ship names are chosen words, not transliterations of one person's name: a letter changes the word."""
AGREE_BONUS = 0.08
DISAGREE_PENALTY = 0.1
MAX_COUNTED_AGREEMENTS = 3
MMSI_LISTED_SCORE = 0.9
SIZE_AGREE_FACTOR = 1.5
SIZE_DISAGREE_FACTOR = 2.5
"""AIS length against the length a listed gross tonnage implies (cube-root rule of thumb
L ≈ 5.5·GT^(1/3) m, e.g. 300 m for 160,000 GT, 94 m for 5,000 GT): within a factor 1.5 agrees,
beyond 2.5 disagrees (a 12 m boat is not a 300 m tanker); between says nothing."""

AIS_TYPE_CLASSES: Final = (
    (range(80, 90), "tanker"), (range(70, 80), "cargo"), (range(60, 70), "passenger"), (range(30, 31), "fishing"),
    (range(36, 38), "pleasure"), (range(31, 33), "tug"), (range(52, 53), "tug"), (range(40, 50), "high-speed"),
)  # fmt: skip
LISTED_TYPE_WORDS: Final = (
    ("tanker", "tanker"), ("lpg", "tanker"), ("lng", "tanker"), ("oil", "tanker"), ("chemical", "tanker"),
    ("bulk", "cargo"), ("cargo", "cargo"), ("container", "cargo"), ("carrier", "cargo"), ("reefer", "cargo"),
    ("ro-ro", "cargo"), ("passenger", "passenger"), ("ferry", "passenger"), ("fishing", "fishing"),
    ("trawler", "fishing"), ("yacht", "pleasure"), ("tug", "tug"),
)  # fmt: skip


def ais_type_class(code: int | None) -> str | None:
    """Broad class of an ITU ship-and-cargo type code (80-89 tanker, 70-79 cargo, 37 pleasure...)."""
    if code is None:
        return None
    return next((name for codes, name in AIS_TYPE_CLASSES if code in codes), None)


def listed_type_class(text: str | None) -> str | None:
    """Broad class of a list's vessel type text (``Crude Oil Tanker`` -> tanker)."""
    low = (text or "").lower()
    return next((cls for word, cls in LISTED_TYPE_WORDS if word in low), None)


def compact_name(name: str) -> str:
    """Upper-case letters and digits only, without a leading MV/MT/M.V. prefix (``M/V Chon-Ma San``
    -> ``CHONMASAN``): names that differ only in spacing or punctuation are the same name."""
    text = re.sub(r"^\s*(M\s*[/.]?\s*[VT]|S\s*/\s*S)\.?\s+", "", name.upper())
    return re.sub(r"[^0-9A-Z]", "", text)


def compact_callsign(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


@dataclass(frozen=True)
class VesselFacts:
    """What one side (an AIS vessel or a listed vessel) says about a ship."""

    id: str
    names: tuple[str, ...]
    former_names: tuple[str, ...] = ()
    imo: frozenset[str] = frozenset()
    mmsi: frozenset[str] = frozenset()
    callsigns: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()  # ISO alpha-2, lower case
    past_flags: frozenset[str] = frozenset()
    type_class: str | None = None
    length_m: float | None = None
    gross_tonnage: float | None = None


@dataclass(frozen=True)
class NameEvidence:
    """The best name comparison of a pair: the names, ``level`` (identical, variant, fuzzy) and score."""

    ais_name: str
    listed_name: str
    level: str
    score: float
    former: bool = False


@dataclass(frozen=True)
class VesselMatch:
    """A scored, explained AIS-vessel-to-listed-vessel match."""

    status: str  # listed, possible, no match
    score: float
    basis: str  # imo, mmsi, name+corroboration, name only
    agreed: tuple[str, ...]
    disagreed: tuple[str, ...]

    @property
    def confidence(self) -> str:
        """ICD 203 words: exact IMO almost certain, exact MMSI very likely, corroborated name likely,
        identical name only roughly even chance, a spelling-different name only unlikely."""
        if self.status == NO_MATCH:
            return "very unlikely"
        return {"imo": "almost certain", "mmsi": "very likely", "name+corroboration": "likely"}.get(
            self.basis, "roughly even chance" if self.score >= NAME_IDENTICAL_SCORE - 1e-9 else "unlikely"
        )


def _size_evidence(ais: VesselFacts, listed: VesselFacts) -> tuple[str | None, str | None]:
    if not ais.length_m or not listed.gross_tonnage or listed.gross_tonnage <= 0:
        return None, None
    expected = 5.5 * listed.gross_tonnage ** (1 / 3)
    ratio = max(ais.length_m, expected) / min(ais.length_m, expected)
    text = f"size (AIS length {ais.length_m:.0f} m, listed {listed.gross_tonnage:,.0f} GT ~ {expected:.0f} m)"
    if ratio <= SIZE_AGREE_FACTOR:
        return text, None
    if ratio > SIZE_DISAGREE_FACTOR:
        return None, text
    return None, None


def attribute_evidence(
    ais: VesselFacts, listed: VesselFacts, matched: NameEvidence | None
) -> tuple[list[str], list[str]]:
    """Attributes other than the matched name that agree and that disagree (call sign, flag, type,
    size, another name of the AIS vessel matching a name or former name of the listed one)."""
    agreed: list[str] = []
    disagreed: list[str] = []
    if ais.callsigns and listed.callsigns:
        same = ais.callsigns & listed.callsigns
        (agreed if same else disagreed).append(
            f"call sign {sorted(same)[0]}" if same else
            f"call sign ({', '.join(sorted(ais.callsigns))} vs {', '.join(sorted(listed.callsigns))})"
        )  # fmt: skip
    if ais.flags and (listed.flags or listed.past_flags):
        if ais.flags & listed.flags:
            agreed.append(f"flag {sorted(ais.flags & listed.flags)[0].upper()}")
        elif ais.flags & listed.past_flags:
            agreed.append(f"former flag {sorted(ais.flags & listed.past_flags)[0].upper()}")
        elif listed.flags:
            disagreed.append(
                f"flag ({', '.join(sorted(f.upper() for f in ais.flags))} vs "
                f"{', '.join(sorted(f.upper() for f in listed.flags))})"
            )
    if ais.type_class and listed.type_class:
        if ais.type_class == listed.type_class:
            agreed.append(f"type {ais.type_class}")
        else:
            disagreed.append(f"type ({ais.type_class} vs {listed.type_class})")
    size_ok, size_bad = _size_evidence(ais, listed)
    agreed += [size_ok] if size_ok else []
    disagreed += [size_bad] if size_bad else []
    if matched is not None:
        used = {compact_name(matched.ais_name)}
        listed_names = {compact_name(n) for n in (*listed.names, *listed.former_names)} - {
            compact_name(matched.listed_name)
        }
        other = [n for n in (*ais.names, *ais.former_names) if compact_name(n) not in used]
        also = sorted({n for n in other if compact_name(n) in listed_names})
        if also:
            agreed.append(f"another name {also[0]!r} also a name of the listed vessel")
    return agreed, disagreed


def compare_vessels(
    ais: VesselFacts, listed: VesselFacts, name: NameEvidence | None, threshold: float = 0.7
) -> VesselMatch:
    """Score an AIS vessel against a listed vessel with corroboration (see docs/joins.md):

    * *listed* on an identical IMO number, on an identical MMSI of the listing (unless the IMO numbers
      differ), or on a matching name corroborated by at least one other attribute that agrees, with
      more attributes agreeing than disagreeing;
    * *possible* when the score reaches ``threshold`` otherwise (a name-only match never scores more
      than :data:`NAME_IDENTICAL_SCORE`);
    * *no match* below ``threshold``, and whenever both sides have IMO numbers that differ.
    """
    agreed, disagreed = attribute_evidence(ais, listed, name)
    same_imo = sorted(ais.imo & listed.imo)
    if same_imo:
        return VesselMatch(LISTED, 1.0, "imo", (f"IMO {same_imo[0]}", *agreed), tuple(disagreed))
    if ais.imo and listed.imo:
        return VesselMatch(
            NO_MATCH, 0.0, "imo", tuple(agreed),
            (f"IMO ({', '.join(sorted(ais.imo))} vs {', '.join(sorted(listed.imo))})", *disagreed),
        )  # fmt: skip
    name_part = 0.0
    if name is not None:
        name_part = {
            "identical": NAME_IDENTICAL_SCORE,
            "variant": min(NAME_IDENTICAL_SCORE, name.score * NAME_VARIANT_FACTOR),
            "fuzzy": min(NAME_IDENTICAL_SCORE, name.score * NAME_FUZZY_FACTOR),
        }[name.level]
        label = f"{'former ' if name.former else ''}name {name.listed_name!r} ({name.level})"
        agreed.insert(0, label)
    n_agree = len(agreed) - (1 if name is not None else 0)
    score = name_part + AGREE_BONUS * min(n_agree, MAX_COUNTED_AGREEMENTS) - DISAGREE_PENALTY * len(disagreed)
    same_mmsi = sorted(ais.mmsi & listed.mmsi)
    if same_mmsi:
        score = max(score, MMSI_LISTED_SCORE)
        return VesselMatch(LISTED, round(min(score, 0.99), 4), "mmsi", (f"MMSI {same_mmsi[0]}", *agreed),
                           tuple(disagreed))  # fmt: skip
    score = round(max(0.0, min(score, 0.99)), 4)
    if score < threshold:
        return VesselMatch(NO_MATCH, score, "name only", tuple(agreed), tuple(disagreed))
    corroborated = name is not None and n_agree >= 1 and n_agree > len(disagreed)
    if corroborated:
        return VesselMatch(LISTED, score, "name+corroboration", tuple(agreed), tuple(disagreed))
    return VesselMatch(POSSIBLE, score, "name only", tuple(agreed), tuple(disagreed))
