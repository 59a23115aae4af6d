"""Identifiers of a listed entity for cross-referencing lists: passports, national ids, registrations.

Pure functions over FtM entities. Values are reduced to comparable keys ``kind:VALUE`` (upper case,
letters and digits only): ``passport:OB0243318``, ``national-id:10978000004482``,
``registration:1027700003891``. A value written with words around the number (the UN's ``CAR
diplomatic passport no. D00000898``) also gives a key for every digit-bearing word of five or more
characters, so ``D00000898`` on the other list still meets it. Values shorter than five characters
(``265``, ``77588`` stays) are not identifiers: too many people share them.

OFAC keeps many numbers only in its remarks (``National ID No. 123 (Iran)``, ``Cedula No. …``,
``Registration ID …``, ``Tax ID No. …``); :func:`note_identifiers` reads those.

Listing references (the UN's ``KPe.001``) name a record; a remark that cites another record's
reference (``… ADF (CDe.001) …``) is an explicit cross-reference. It says the two are *related*; it
says they are the *same* only when the remark says so (``also listed as``, ``same as``, ``listed
by … as``), see :func:`cited_references`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from followthemoney.proxy import EntityProxy

MIN_LENGTH = 5
MAX_LENGTH = 24

#: Entity properties read as identifiers, by kind.
ID_PROPS: dict[str, tuple[str, ...]] = {
    "passport": ("passportNumber",),
    "national-id": ("idNumber", "innCode", "taxNumber", "vatCode", "socialSecurityNumber"),
    "registration": (
        "registrationNumber",
        "ogrnCode",
        "okpoCode",
        "leiCode",
        "dunsCode",
        "swiftBic",
        "serialNumber",
    ),
}

_NOTE_LABELS: dict[str, str] = {
    r"passport(?: no\.?| number)?": "passport",
    r"national id(?:entification)?(?: no\.?| number)?": "national-id",
    r"(?:national foreign|personal) id(?: card)?(?: no\.?| number)?": "national-id",
    r"cedula no\.?": "national-id",
    r"identification number": "national-id",
    r"tax id(?: no\.?| number)?": "national-id",
    r"(?:business |public |commercial )?regist(?:ration|ry) (?:id|number|no\.?)": "registration",
    r"(?:uk )?company number": "registration",
    r"certificate of incorporation number": "registration",
    r"d-u-n-s number": "registration",
    r"legal entity number": "registration",
}
#: A word with a digit in it (the number itself; ``O.B.-024/3318``), bounded so no input backtracks long.
_DIGIT_WORD = r"[A-Z0-9\-/.]{0,30}\d[A-Z0-9\-/.]{0,30}"
_NOTE_ID = re.compile(
    r"(?i)(?:^|[;,]\s*|\balt\.\s*)(?P<label>"
    + "|".join(f"(?:{p})" for p in _NOTE_LABELS)
    + r")\s*:?\s*(?P<value>(?:[A-Z]{1,3}\s)?"
    + _DIGIT_WORD
    + r"(?:\s"
    + _DIGIT_WORD
    + r"){0,2})"
)
_LABEL_KIND = [(re.compile(f"(?i)^(?:{p})$"), kind) for p, kind in _NOTE_LABELS.items()]

#: UN listing references (``KPe.001``, ``QDi.015``), the form remarks cite other records by.
UN_REFERENCE = re.compile(r"\b([A-Z]{2}[ei]\.\d{3})\b")
_IDENTITY_CUE = re.compile(
    r"(?i)\b(?:also (?:listed|designated)|same (?:as|entity|person)|listed (?:by|under|as)|"
    r"identical (?:to|with)|(?:un|unsc|ofac|sdn) (?:ref(?:erence)?|id|listing))\b"
)


def normalise(value: str) -> str:
    """Upper case, letters and digits only (``ob 024-3318`` → ``OB0243318``)."""
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def identifier_values(value: str) -> set[str]:
    """Comparable forms of one written identifier: the whole value and its digit-bearing words."""
    out: set[str] = set()
    whole = normalise(value)
    if MIN_LENGTH <= len(whole) <= MAX_LENGTH and any(c.isdigit() for c in whole):
        out.add(whole)
    words = re.split(r"[\s,;:()]+", value)
    if len(words) > 1:
        for word in words:
            key = normalise(word)
            if MIN_LENGTH <= len(key) <= MAX_LENGTH and sum(c.isdigit() for c in key) >= 3:
                out.add(key)
    return out


def _label_kind(label: str) -> str:
    text = " ".join(label.split())
    for pattern, kind in _LABEL_KIND:
        if pattern.match(text):
            return kind
    return "registration"


def note_identifiers(note: str) -> set[str]:
    """``kind:VALUE`` keys of the numbers a remark labels (``National ID No. 123 (Iran)``)."""
    keys: set[str] = set()
    for match in _NOTE_ID.finditer(note):
        kind = _label_kind(match.group("label"))
        keys.update(f"{kind}:{v}" for v in identifier_values(match.group("value")))
    return keys


def entity_identifiers(entity: EntityProxy) -> frozenset[str]:
    """All ``kind:VALUE`` identifier keys of an entity (properties, then labelled numbers in remarks)."""
    keys: set[str] = set()
    for kind, props in ID_PROPS.items():
        for prop in props:
            if prop in entity.schema.properties:
                for value in entity.get(prop, quiet=True):
                    keys.update(f"{kind}:{v}" for v in identifier_values(value))
    for note in entity.get("notes", quiet=True):
        keys |= note_identifiers(note)
    return frozenset(keys)


def cited_references(notes: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Listing references cited in remarks: ``(all cited, cited with an identity cue)``.

    An identity cue (``also listed as``, ``same as``, ``UN ref``) must appear in the same sentence as
    the reference for the citation to count as a statement of identity.
    """
    cited: set[str] = set()
    same: set[str] = set()
    for note in notes:
        for sentence in re.split(r"(?<=[.;])\s+", note):
            refs = set(UN_REFERENCE.findall(sentence))
            cited |= refs
            if refs and _IDENTITY_CUE.search(sentence):
                same |= refs
    return frozenset(cited), frozenset(same)


def address_key(address: str) -> str | None:
    """A street-level address as a comparable key, or ``None`` for a city- or country-level one.

    Only addresses with a number and at least four words count: a shared city says nothing.
    """
    words = re.findall(r"\w+", address.lower())
    if len(words) < 4 or not any(w.isdigit() for w in words):
        return None
    return " ".join(words)
