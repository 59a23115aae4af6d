"""Names reduced to comparable forms: tokens, legal forms, Korean key, token weights.

:func:`analyse_name` is the single entry point: it removes honorifics (``Mr.``, ``Dr.``,
``President``, rigour's multilingual prefix list), legal forms (``LLC``, ``ООО``, ``Co., Ltd.``,
``Aktiengesellschaft`` — recorded as a canonical *legal form class*), reorders ``FAMILY, Given``
person names, transliterates any script to ASCII tokens (:mod:`.normalise`) and computes the Korean
romanisation-invariant key (:mod:`.korean`). The result is a frozen :class:`NameForm`; the index and
the scorer only ever see these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rigour.names import extract_org_types, remove_obj_prefixes, remove_org_types, remove_person_prefixes

from armswatch.matching.cyrillic import slavic_key
from armswatch.matching.korean import KoreanKey, korean_key
from armswatch.matching.normalise import ascii_tokens


class NameKind(StrEnum):
    """What a name names: decides honorific/legal-form handling and scoring strictness."""

    PERSON = "person"
    ORG = "org"
    OBJECT = "object"


# Legal forms that mean the same kind of company across jurisdictions (rigour canonical forms).
_LEGAL_CLASSES: dict[str, str] = {
    **dict.fromkeys(("llc", "ooo", "ltd", "coltd", "gmbh", "spzoo", "srl", "sarl", "tov", "pte ltd", "bv",
                     "sdn bhd", "llp", "kft", "sro", "doo", "eood", "ooo ltd"), "limited liability"),
    **dict.fromkeys(("jsc", "ao", "oao", "ojsc", "pjsc", "pao", "zao", "cjsc", "ag", "sa", "plc", "nv", "ab",
                     "as", "oy", "spa", "sacv", "kk", "jsco", "pat", "prat"), "joint-stock"),
    **dict.fromkeys(("lp", "kg", "gp"), "partnership"),
    **dict.fromkeys(("ano", "nko", "ngo", "foundation", "fund", "trust"), "non-profit"),
}  # fmt: skip
# Org words so generic they say little about identity (kept, but weighted low).
_GENERIC_ORG = frozenset(
    [
        "company",
        "co",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "group",
        "holding",
        "holdings",
        "the",
        "of",
        "and",
        "for",
        "enterprise",
        "enterprises",
        "international",
        "intl",
        "trading",
        "general",
        "limited",
        "industries",
        "industry",
    ]
)
_PARTICLES = frozenset(
    [
        "al",
        "el",
        "bin",
        "ben",
        "ibn",
        "bint",
        "abu",
        "de",
        "da",
        "di",
        "del",
        "der",
        "van",
        "von",
        "la",
        "le",
        "du",
        "dos",
        "das",
        "y",
        "e",
    ]
)
_PARTICLE_CANON = {"ben": "bin", "ibn": "bin", "el": "al"}
_EXTRA_ORG_FORMS = {"ano": "ano", "nko": "nko"}
# Abbreviated legal forms left as a first/last token after rigour (e.g. from "o.O.O.").
_LEGAL_TOKENS = frozenset(
    [
        "ooo",
        "llc",
        "ltd",
        "jsc",
        "ojsc",
        "pjsc",
        "zao",
        "cjsc",
        "oao",
        "pao",
        "ao",
        "gmbh",
        "ag",
        "plc",
        "inc",
        "sa",
        "srl",
        "sarl",
        "bv",
        "nv",
        "ano",
        "nko",
        "tov",
        "pt",
    ]
)
# Abbreviations of organisation words, expanded so both spellings compare equal.
_ORG_ABBREVIATIONS = {
    "corp": "corporation", "co": "company", "intl": "international", "mfg": "manufacturing",
    "bros": "brothers", "dept": "department", "natl": "national", "assn": "association",
    "univ": "university", "inst": "institute", "ind": "industries", "ent": "enterprise",
}  # fmt: skip
_PERSON_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "madam",
        "president",
        "marshal",
        "general",
        "gen",
        "col",
        "colonel",
        "admiral",
        "lt",
        "major",
        "captain",
        "capt",
        "chairman",
        "premier",
        "minister",
        "monsieur",
        "herr",
        "frau",
        "praesident",
        "prasident",
    ]
)


@dataclass(frozen=True)
class NameForm:
    """One name in comparable form."""

    original: str
    kind: NameKind
    tokens: tuple[str, ...]
    keys: tuple[str, ...]  # slavic_key of each token
    weights: tuple[float, ...]
    legal_forms: frozenset[str]
    korean: KoreanKey | None

    @property
    def joined(self) -> str:
        """All tokens without spaces (``"sergeilavrov"``)."""
        return "".join(self.tokens)

    @property
    def display(self) -> str:
        """Tokens joined by spaces, for explanations."""
        return " ".join(self.tokens)


def legal_form_class(form: str) -> str:
    """Class of a canonical legal form (``"ooo"`` → ``"limited liability"``); unknown → the form."""
    return _LEGAL_CLASSES.get(form, form)


def _token_weight(token: str, kind: NameKind) -> float:
    if len(token) == 1 and token.isalpha():
        return 0.5
    if kind is NameKind.PERSON and token in _PARTICLES:
        return 0.3
    if kind is NameKind.ORG and token in _GENERIC_ORG:
        return 0.3
    return 1.0


def _reorder_comma(text: str) -> str:
    if text.count(",") == 1:
        family, given = (part.strip() for part in text.split(","))
        if family and given:
            return f"{given} {family}"
    return text


def _strip_titles(tokens: list[str]) -> list[str]:
    while len(tokens) > 1 and tokens[0] in _PERSON_TITLES:
        tokens = tokens[1:]
    return tokens


def _dedupe(tokens: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for token in tokens:
        if token not in seen or len(token) == 1:
            out.append(token)
        seen.add(token)
    return out


@lru_cache(maxsize=200_000)
def analyse_name(text: str, kind: NameKind = NameKind.PERSON) -> NameForm:
    """Analyse one name string into a :class:`NameForm`.

    ``"KIM, Jong Un"`` (family, given) becomes tokens ``("jong", "un", "kim")`` with Korean key
    ``kim|coNon``; ``"OOO Romashka"`` becomes ``("romashka",)`` with legal form ``{"ooo"}``.
    """
    clean = unicodedata.normalize("NFKC", text).strip()
    legal: set[str] = set()
    family_first = clean
    if kind is NameKind.PERSON:
        family_first = remove_person_prefixes(clean)
        clean = _reorder_comma(family_first)
    elif kind is NameKind.OBJECT:
        clean = remove_obj_prefixes(clean)
    lower = clean.lower()
    if kind is not NameKind.OBJECT:
        found = extract_org_types(lower)
        if (found and kind is NameKind.ORG) or (found and re.search(r"\b(sa|llc|ltd|inc)\W*$", lower)):
            legal.update(canon for _, canon in found)
            lower = remove_org_types(lower, replacement=" ")
    tokens = [_PARTICLE_CANON.get(t, t) for t in ascii_tokens(lower.replace("&", " and "))]
    if kind is not NameKind.PERSON:
        tokens = [_ORG_ABBREVIATIONS.get(t, t) for t in tokens]
    if kind is NameKind.ORG:
        for token in list(tokens):
            if token in _LEGAL_TOKENS and len(tokens) > 1 and token in (tokens[0], tokens[-1]):
                legal.add(_EXTRA_ORG_FORMS.get(token, token))
                tokens.remove(token)
    if kind is NameKind.PERSON:
        tokens = _strip_titles(tokens)
    tokens = _dedupe(tokens)
    if not tokens:  # a name that was only a legal form or a title: keep what was there
        tokens = ascii_tokens(text.lower())
    # The Korean key reads the family name first: "KIM, Song" is family KIM (Song is a family name too).
    korean = (
        korean_key(family_first if family_first.count(",") == 1 else clean)
        if kind is NameKind.PERSON
        else None
    )
    return NameForm(
        original=text,
        kind=kind,
        tokens=tuple(tokens),
        keys=tuple(slavic_key(t) for t in tokens),
        weights=tuple(_token_weight(t, kind) for t in tokens),
        legal_forms=frozenset(legal),
        korean=korean,
    )


def kind_of_schema(schema: str) -> NameKind:
    """Name kind for an FtM schema name (``Person`` → person, ``Vessel`` → object, else org)."""
    if schema == "Person":
        return NameKind.PERSON
    if schema in ("Vessel", "Airplane", "Vehicle", "Asset"):
        return NameKind.OBJECT
    return NameKind.ORG
