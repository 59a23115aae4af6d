"""UN Security Council consolidated list (official XML, ``sc-sanctions.xsd``) → FtM entities.

Individuals become ``Person``, entities ``Organization``; each listing becomes a ``Sanction``
(authority, programme such as ``DPRK``, UN reference such as ``KPi.001``, listing date) linked to the
entity. Addresses become ``Address`` entities. Parsing uses :mod:`defusedxml` (no entity expansion,
no external DTDs). Pure: bytes in, :class:`ListSnapshot` out.

Hostile input is refused with one :class:`InputError` naming the file, never a traceback: malformed
XML (with line and column), an unknown or impossible ``encoding`` declaration, more than
:data:`MAX_BYTES` or :data:`MAX_MARKUP` elements (memory stays bounded). Per-record problems are
counted by reason with the first record (``INDIVIDUAL 3 (DATAID 6908001)``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from hashlib import sha1
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from followthemoney.statement import StatementEntity

from armswatch.entities.problem import Problems
from armswatch.entities.snapshot import ListSnapshot, new_entity, years_between
from armswatch.errors import InputError

DATASET = "un_sc"
TITLE = "UN Security Council consolidated list"
AUTHORITY = "United Nations Security Council"
SOURCE_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
_IMO_IN_TEXT = re.compile(r"\bIMO\)?(?: number)?:?\s*(\d{7})", re.IGNORECASE)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
Note = Callable[[str], None]  # counts one problem of a reason
MAX_BYTES: Final = 128 * 1024 * 1024  # the whole UN list is about 2 MB
MAX_MARKUP: Final = 4_000_000  # "<" characters, an upper bound on elements (the list has about 76,000)


def _parse_root(data: bytes, source: str) -> Element:
    if len(data) > MAX_BYTES:
        raise InputError(f"file larger than {MAX_BYTES // 2**20} MiB; not a UN list", path=source)
    if data.count(b"<") > MAX_MARKUP:
        raise InputError(f"more than {MAX_MARKUP:,} XML elements; not a UN list", path=source)
    try:
        root: Element = fromstring(data)
    except ParseError as exc:
        line, col = exc.position
        reason = str(exc).split(": line ")[0]
        raise InputError(
            f"malformed XML ({reason})", path=source, record=f"line {line}, column {col}"
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(f"forbidden XML construct: {exc}", path=source) from exc
    except (LookupError, ValueError, UnicodeError) as exc:  # encoding="NaN", UTF-16 declared on bytes…
        raise InputError(f"unreadable XML encoding: {exc}", path=source) from exc
    return root


def parse_un_xml(data: bytes, *, source: str = "<bytes>") -> ListSnapshot:
    """Parse a UN consolidated list document; malformed XML raises :class:`InputError`."""
    root = _parse_root(data, source)
    if root.tag != "CONSOLIDATED_LIST":
        raise InputError(f"not a UN consolidated list (root <{root.tag}>)", path=source)
    list_date = _iso_date(root.get("dateGenerated"))
    counter: Counter[str] = Counter()
    problems = Problems(counter)
    entities: list[StatementEntity] = []
    for section, schema in (("INDIVIDUALS", "Person"), ("ENTITIES", "Organization")):
        for number, record in enumerate(root.findall(f"{section}/*"), start=1):
            where = f"{record.tag} {number}"
            data_id = _text(record.find("DATAID"))
            if data_id is not None:
                where += f" (DATAID {data_id[:40]})"
            entities.extend(_record(record, schema, partial(problems.add, where=where)))
    return ListSnapshot(DATASET, list_date, list(entities), counter, TITLE)


def _text(el: Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    text = " ".join(el.text.split())
    return text or None


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _add_checked(entity: StatementEntity, prop: str, value: str | None, note: Note) -> None:
    """Add a value; count it when FtM cannot clean it (unknown country, bad date)."""
    if value is None:
        return
    if prop not in entity.schema.properties:  # e.g. a TITLE on an ENTITY (an Organization)
        note(f"un: {prop} given for an {entity.schema.name}")
        return
    if entity.unsafe_add(entity.schema.properties[prop], value) is None:
        note(f"un: unparsed {prop}")


def _record(rec: Element, schema: str, note: Note) -> list[StatementEntity]:
    data_id = _text(rec.find("DATAID"))
    if data_id is None:
        note("un: record without DATAID")
        return []
    entity = new_entity(DATASET, schema, f"unsc-{data_id}")
    parts = [_text(rec.find(tag)) for tag in _NAME_PARTS]
    name = " ".join(p for p in parts if p)
    if not name:
        note("un: record without name")
        return []
    entity.add("name", name)
    if schema == "Person":
        entity.add("firstName", parts[0])
        entity.add("secondName", parts[1])
        entity.add("middleName", parts[2])
    for original in rec.findall("NAME_ORIGINAL_SCRIPT"):
        text = _text(original)
        entity.add("name", text, lang=_lang_of_script(text))
    _aliases(entity, rec, note)
    for tag, prop in (("TITLE/VALUE", "title"), ("DESIGNATION/VALUE", "position")):
        for el in rec.findall(tag):
            _add_checked(entity, prop, _text(el), note)
    for el in rec.findall("NATIONALITY/VALUE"):
        _add_checked(entity, "nationality", _text(el), note)
    gender = (_text(rec.find("GENDER")) or "").lower()
    if gender in ("male", "female"):
        _add_checked(entity, "gender", gender, note)
    comments = _text(rec.find("COMMENTS1"))
    entity.add("notes", comments)
    if schema == "Organization" and comments:
        for number in _IMO_IN_TEXT.findall(comments):
            entity.add("imoNumber", number)  # IMO company numbers (7 digits, no ship check digit)
    entity.add("topics", "sanction")
    out: list[StatementEntity] = [entity]
    if schema == "Person":
        _births(entity, rec, note)
        _documents(entity, rec)
    out.extend(_addresses(entity, rec, note))
    out.append(_sanction(entity, rec, note))
    return out


def _aliases(entity: StatementEntity, rec: Element, note: Note) -> None:
    for alias in rec.findall("INDIVIDUAL_ALIAS") + rec.findall("ENTITY_ALIAS"):
        name = _text(alias.find("ALIAS_NAME"))
        if name is None:
            continue
        name = name.strip('"').strip()
        quality = (_text(alias.find("QUALITY")) or "").lower()
        if quality in ("good", "a.k.a."):
            entity.add("alias", name)
        elif quality == "low":
            entity.add("weakAlias", name)
        elif quality == "f.k.a.":
            entity.add("previousName", name)
        else:
            note("un: alias of unknown quality")
            entity.add("alias", name)


def _births(entity: StatementEntity, rec: Element, note: Note) -> None:
    for dob in rec.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        values = [_text(dob.find(tag)) for tag in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR")]
        first, last = values[2] or "", values[3] or ""
        if first.isascii() and first.isdigit() and last.isascii() and last.isdigit():
            values.extend(years_between(first, last))  # BETWEEN: every year of the span
        for value in values:
            _add_checked(entity, "birthDate", value, note)
    for pob in rec.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [_text(pob.find(t)) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
        place = ", ".join(p for p in parts if p)
        entity.add("birthPlace", place or None)
        _add_checked(entity, "birthCountry", parts[3], note)


def _documents(entity: StatementEntity, rec: Element) -> None:
    for doc in rec.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(doc.find("NUMBER"))
        if number is None:
            continue
        kind = (_text(doc.find("TYPE_OF_DOCUMENT")) or "").lower()
        prop = "passportNumber" if "pas" in kind else "idNumber"
        entity.add(prop, number)


def _addresses(entity: StatementEntity, rec: Element, note: Note) -> list[StatementEntity]:
    out: list[StatementEntity] = []
    for addr in rec.findall("INDIVIDUAL_ADDRESS") + rec.findall("ENTITY_ADDRESS"):
        parts = [_text(addr.find(t)) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        full = ", ".join(p for p in parts if p)
        if not full:
            continue
        _add_checked(entity, "country", parts[4], note)
        entity.add("address", full)
        if not any(parts[:4]):
            continue  # a bare country is kept as the entity's country, not an Address entity
        address = new_entity(DATASET, "Address", f"unsc-addr-{_digest(full)}")
        address.add("full", full)
        address.add("street", parts[0])
        address.add("city", parts[1])
        address.add("region", parts[2])
        address.add("postalCode", parts[3])
        address.add("country", parts[4])
        entity.add("addressEntity", address.id)
        out.append(address)
    return out


def _sanction(entity: StatementEntity, rec: Element, note: Note) -> StatementEntity:
    sanction = new_entity(DATASET, "Sanction", f"{entity.id}-sanction")
    sanction.add("entity", entity.id)
    sanction.add("authority", AUTHORITY)
    sanction.add("country", "zz")
    sanction.add("program", _text(rec.find("UN_LIST_TYPE")))
    reference = _text(rec.find("REFERENCE_NUMBER"))
    sanction.add("unscId", reference)
    sanction.add("programId", reference)
    sanction.add("authorityId", reference)
    listed = _text(rec.find("LISTED_ON"))
    _add_checked(sanction, "listingDate", listed, note)
    _add_checked(sanction, "startDate", listed, note)
    sanction.add("sourceUrl", SOURCE_URL)
    for el in rec.findall("LAST_DAY_UPDATED/VALUE"):
        sanction.add("modifiedAt", _text(el))
    return sanction


def _lang_of_script(text: str | None) -> str | None:
    """``kor`` for names written in Hangul (the one script here that names its language); else None."""
    if text and any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in text):
        return "kor"
    return None


def _digest(text: str) -> str:
    return sha1(text.encode("utf-8")).hexdigest()[:16]
