"""OFAC legacy CSV sets (SDN: ``sdn/add/alt/sdn_comments``; consolidated: ``cons_prim/add/alt/comments``).

No header row; ``-0-`` is null; files end with a DOS end-of-file byte (``\\x1a``). The remarks
column is cut at a fixed length and continues in the comments file. Parties become ``Person``,
``Vessel``, ``Airplane`` or ``LegalEntity`` (OFAC does not say whether an entity is a company); every
party gets a ``Sanction`` with its programme tags (``DPRK``, ``DPRK2``, ``NPWMD``…). Remarks are
mined for vessel IMO numbers (checked with :func:`armswatch.types.imo.clean_imo`), MMSI, former
flags, dates of birth, passports and ``Linked To:`` relations (``UnknownLink``). The vessel owner
column, when it names another listed party, becomes the vessel's ``owner``. Pure: text in,
:class:`ListSnapshot` out.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from hashlib import sha1

from followthemoney.statement import StatementEntity

from armswatch.entities.csvfile import iter_lines
from armswatch.entities.problem import Problems
from armswatch.entities.snapshot import ListSnapshot, new_entity, years_between
from armswatch.errors import InputError
from armswatch.types.imo import clean_imo

AUTHORITY = "Office of Foreign Assets Control (US Treasury)"
SOURCE_URL = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
TITLES = {"us_ofac_sdn": "OFAC Specially Designated Nationals", "us_ofac_cons": "OFAC consolidated non-SDN"}
_SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_MMSI = re.compile(r"\bMMSI (\d{9})\b")
_COMPANY_IMO = re.compile(r"(?:Company|Identification) Number IMO (\d{7})")
_LINKED = re.compile(r"Linked To: (.+?)\.?$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_OFAC_DATE = re.compile(r"(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})")
_SIMPLE: tuple[tuple[str, str, str], ...] = (
    # (remark prefix, property, schema the property must exist on)
    ("POB ", "birthPlace", "Person"),
    ("nationality ", "nationality", "Person"),
    ("citizen ", "citizenship", "Person"),
    ("Gender ", "gender", "Person"),
    ("Email Address ", "email", "LegalEntity"),
    ("Website ", "website", "LegalEntity"),
    ("SWIFT/BIC ", "swiftBic", "LegalEntity"),
    ("Former Vessel Flag ", "pastFlags", "Vessel"),
    ("Aircraft Model ", "model", "Airplane"),
    ("Aircraft Manufacturer's Serial Number (MSN) ", "serialNumber", "Airplane"),
    ("Aircraft Tail Number ", "registrationNumber", "Airplane"),
    ("Aircraft Manufacture Date ", "buildDate", "Airplane"),
)


def _null(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "-0-") else value


def _rows(text: str, part: str, problems: Problems) -> list[list[str]]:
    """The data rows of one file; a row without a numeric ``ent_num`` or with an over-long cell is
    counted (with its line) and skipped, never the end of the file."""
    text = text.replace("\x1a", "")
    out: list[list[str]] = []
    reader = csv.reader(iter_lines(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell over the csv field limit: this record only
            problems.add(f"ofac: {part} row unreadable (cell too long)", f"{part} line {reader.line_num}")
            continue
        if not row or not any(c.strip() for c in row):
            continue
        if not (row[0].strip().isascii() and row[0].strip().isdigit()):
            problems.add(f"ofac: {part} row without numeric ent_num", f"{part} line {reader.line_num}")
            continue
        out.append([c.strip() for c in row])
    return out


def parse_ofac(
    parts: Mapping[str, str], *, dataset: str, list_date: date | None, source: str = "<text>"
) -> ListSnapshot:
    """Parse OFAC legacy CSV texts keyed ``primary`` (sdn/cons_prim), ``add``, ``alt``, ``comments``."""
    counter: Counter[str] = Counter()
    problems = Problems(counter)
    primary = _rows(parts["primary"], "primary", problems)
    if primary and len(primary[0]) < 12:
        raise InputError(f"not an OFAC primary file ({len(primary[0])} columns, expected 12)", path=source)
    continuation: dict[str, str] = {}
    for row in _rows(parts.get("comments", ""), "comments", problems):
        continuation[row[0]] = continuation.get(row[0], "") + "".join(row[1:2])
    parties: dict[str, StatementEntity] = {}
    remarks: dict[str, str] = {}
    owners: dict[str, str] = {}
    for row in primary:
        if len(row) < 12:
            problems.add("ofac: short primary row", f"ent_num {row[0]}")
            continue
        num = row[0]
        entity = _party(row, dataset)
        parties[num] = entity
        remarks[num] = (_null(row[11]) or "") + continuation.pop(num, "")
        owner = _null(row[10])
        if owner:
            owners[num] = owner
    if continuation:
        first = next(iter(continuation))
        problems.add("ofac: comments for unknown ent_num", f"ent_num {first}", len(continuation))
    by_name: dict[str, list[str]] = {}
    for num, e in parties.items():
        by_name.setdefault(e.first("name", quiet=True) or "", []).append(num)
    programs = dict(_programs(primary))
    names = _Names(by_name, {num: frozenset(p) for num, p in programs.items()})
    extra: list[StatementEntity] = []
    for num, entity in parties.items():
        extra.extend(_remarks(entity, num, remarks[num], names, parties, dataset, problems))
        if num in owners:
            extra.extend(_owner(entity, num, owners[num], names, parties, dataset))
    _alt(parts.get("alt", ""), parties, problems)
    extra.extend(_add(parts.get("add", ""), parties, dataset, problems))
    sanctions = [_sanction(num, row_program, parties[num], dataset) for num, row_program in programs.items()]
    entities = [*parties.values(), *extra, *sanctions]
    return ListSnapshot(dataset, list_date, list(entities), counter, TITLES.get(dataset, dataset))


def _programs(primary: list[list[str]]) -> list[tuple[str, list[str]]]:
    out = []
    for row in primary:
        if len(row) >= 12:
            raw = (_null(row[3]) or "").strip("[] ")
            out.append((row[0], [p.strip() for p in raw.split("] [") if p.strip()]))
    return out


def _party(row: list[str], dataset: str) -> StatementEntity:
    num, name, kind = row[0], _null(row[1]), (_null(row[2]) or "").lower()
    schema = _SCHEMA.get(kind, "LegalEntity")
    if schema == "LegalEntity" and _COMPANY_IMO.search(row[11]):
        schema = "Organization"  # an IMO company number: FtM keeps imoNumber on organisations
    entity = new_entity(dataset, schema, f"ofac-{num}")
    entity.add("name", name)
    entity.add("topics", "sanction")
    if schema == "Person" and name and ", " in name:
        last, first = name.split(", ", 1)
        entity.add("lastName", last)
        entity.add("firstName", first)
    if schema == "Person":
        entity.add("title", _null(row[4]))
    if schema == "Vessel":
        entity.add("callSign", _null(row[5]))
        entity.add("type", _null(row[6]))
        entity.add("tonnage", _null(row[7]), quiet=True)
        entity.add("grossRegisteredTonnage", _null(row[8]), quiet=True)
        entity.add("flag", _null(row[9]))
    return entity


def _has(entity: StatementEntity, schema: str) -> bool:
    return entity.schema.is_a(schema)


@dataclass(frozen=True)
class _Names:
    """Parties by primary name, with their programme tags to tell apart parties sharing a name."""

    by_name: dict[str, list[str]]
    programs: dict[str, frozenset[str]]

    def find(self, name: str, near: str) -> tuple[str | None, bool]:
        """The party called ``name`` (or ``name.``) as seen from party ``near``; and whether the name
        was ambiguous. Several parties of that name: the one sharing a programme with ``near``."""
        nums = self.by_name.get(name) or self.by_name.get(name + ".") or []
        if len(nums) > 1:
            mine = self.programs.get(near, frozenset())
            nums = [n for n in nums if self.programs.get(n, frozenset()) & mine]
            if len(nums) != 1:
                return None, True
        return (nums[0] if nums else None), False


def _remarks(
    entity: StatementEntity,
    num: str,
    text: str,
    names: _Names,
    parties: dict[str, StatementEntity],
    dataset: str,
    problems: Problems,
) -> list[StatementEntity]:
    links: list[StatementEntity] = []
    entity.add("notes", text or None)
    for raw in text.split(";"):
        item = raw.strip().rstrip(".").strip()
        if not item:
            continue
        if _has(entity, "Vessel") and "IMO" in item and "Identification" in item:
            imo = clean_imo(item)
            if imo is None:
                problems.add("ofac: vessel IMO with bad check digit", f"ent_num {num}")
            entity.add("imoNumber", imo)
        company_imo = _COMPANY_IMO.search(item)
        if company_imo and _has(entity, "Organization"):
            entity.add("imoNumber", company_imo.group(1))  # IMO company number (no ship check digit)
        mmsi = _MMSI.search(item)
        if mmsi and _has(entity, "Vessel"):
            entity.add("mmsi", mmsi.group(1))
        if item.startswith(("a.k.a. ", "f.k.a. ")):
            prop = "alias" if item.startswith("a.k.a.") else "previousName"
            entity.add(prop, item[7:].strip("'\" "))
            continue
        linked = _LINKED.match(item)
        if linked:
            linked_name = linked.group(1).strip()  # the item lost its final "." (as in "S.A.")
            target, ambiguous = names.find(linked_name, num)
            if target is None:
                reason = "several parties share" if ambiguous else "not in the list"
                problems.add(f"ofac: Linked To a name {reason}", f"ent_num {num}")
                continue
            link = new_entity(dataset, "UnknownLink", f"{entity.id}-link-{target}")
            link.add("subject", entity.id)
            link.add("object", parties[target].id)
            link.add("role", "Linked To")
            links.append(link)
            continue
        item = item.removeprefix("alt. ")
        if item.startswith("DOB ") and _has(entity, "Person"):
            _birth_dates(entity, item[4:], problems)
            continue
        if item.startswith("Passport ") and _has(entity, "Person"):
            entity.add("passportNumber", item[9:].split()[0] if item[9:].split() else None)
            continue
        for prefix, prop, schema in _SIMPLE:
            if item.startswith(prefix) and _has(entity, schema):
                entity.add(prop, item[len(prefix) :].strip(), quiet=True, fuzzy=prop == "nationality")
                break
    return links


def _birth_dates(entity: StatementEntity, text: str, problems: Problems) -> None:
    """``18 Jun 1964``, ``Jun 1964``, ``1964``, ``circa 1964`` and ranges ``A to B`` (both ends kept)."""
    values: list[str] = []
    for part in text.removeprefix("circa ").split(" to "):
        match = _OFAC_DATE.fullmatch(part.strip().removeprefix("circa ").rstrip("."))
        if match is None or (match.group(2) is not None and match.group(2) not in _MONTHS):
            continue
        day, month, year = match.groups()
        if month is None and day is not None:
            continue
        value = year
        if month is not None:
            value += f"-{_MONTHS[month]:02d}" + (f"-{int(day):02d}" if day else "")
        values.append(value)
    if len(values) == 2:
        values[1:1] = years_between(values[0], values[1])
    prop = entity.schema.properties["birthDate"]
    if not [v for v in values if entity.unsafe_add(prop, v) is not None]:
        problems.add("ofac: unparsed birthDate", f"entity {entity.id}")


def _owner(
    vessel: StatementEntity,
    vessel_num: str,
    owner: str,
    names: _Names,
    parties: dict[str, StatementEntity],
    dataset: str,
) -> list[StatementEntity]:
    if not _has(vessel, "Vessel") and not _has(vessel, "Airplane"):
        return []
    num, _ = names.find(owner, vessel_num)
    if num is not None:
        vessel.add("owner", parties[num].id)
        return []
    stub = new_entity(dataset, "LegalEntity", f"ofac-owner-{_slug(owner)}")
    stub.add("name", owner)
    vessel.add("owner", stub.id)
    return [stub]


def _alt(text: str, parties: dict[str, StatementEntity], problems: Problems) -> None:
    for row in _rows(text, "alt", problems):
        entity = parties.get(row[0])
        if entity is None:
            problems.add("ofac: alias for unknown ent_num", f"alt ent_num {row[0]}")
            continue
        kind = (_null(row[2]) if len(row) > 2 else None) or "aka"
        name = _null(row[3]) if len(row) > 3 else None
        if name is None:
            problems.add("ofac: empty alias", f"alt ent_num {row[0]}")
            continue
        prop = {"fka": "previousName", "nka": "name"}.get(kind.lower(), "alias")
        entity.add(prop, name)


def _add(
    text: str, parties: dict[str, StatementEntity], dataset: str, problems: Problems
) -> list[StatementEntity]:
    out: list[StatementEntity] = []
    for row in _rows(text, "add", problems):
        entity = parties.get(row[0])
        if entity is None:
            problems.add("ofac: address for unknown ent_num", f"add ent_num {row[0]}")
            continue
        cells = [_null(c) for c in (row + [""] * 6)[2:5]]
        country = cells[2]
        if country:
            entity.add("country", country, quiet=True, fuzzy=True)
        full = ", ".join(c for c in cells if c)
        if not full or not (cells[0] or cells[1]) or not _has(entity, "Thing"):
            continue
        address = new_entity(dataset, "Address", f"ofac-addr-{row[0]}-{row[1]}")
        address.add("full", full)
        address.add("street", cells[0])
        address.add("city", cells[1])
        address.add("country", country, quiet=True, fuzzy=True)
        entity.add("address", full)
        entity.add("addressEntity", address.id)
        out.append(address)
    return out


def _sanction(num: str, programs: list[str], entity: StatementEntity, dataset: str) -> StatementEntity:
    sanction = new_entity(dataset, "Sanction", f"{entity.id}-sanction")
    sanction.add("entity", entity.id)
    sanction.add("authority", AUTHORITY)
    sanction.add("country", "us")
    sanction.add("program", programs)
    sanction.add("authorityId", num)
    sanction.add("sourceUrl", SOURCE_URL)
    return sanction


def _slug(text: str) -> str:
    return sha1(text.upper().encode("utf-8")).hexdigest()[:16]
