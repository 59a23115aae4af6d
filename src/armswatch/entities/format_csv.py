"""A user's CSV (with a header) → :class:`ListSnapshot`, through a column mapping.

The mapping says which CSV column fills which FtM property, e.g.
``{"id": "ref", "schema": "type", "name": "name", "alias": "aka", "imoNumber": "imo"}``. ``id`` is
required (or the row number is used, prefixed with the dataset); ``schema`` may be a column or a
fixed schema (``schema="Vessel"`` when no such column exists). Multiple values in one cell can be
split with ``separator``. Rows with an unknown schema or no name, or a cell over the CSV field limit,
are counted in ``problems`` by reason with the first line (the header is line 1); a header of more
than :data:`~armswatch.entities.csvfile.MAX_COLUMNS` columns is refused.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date

from followthemoney import model
from followthemoney.proxy import EntityProxy

from armswatch.entities.csvfile import check_header, iter_lines
from armswatch.entities.format_ftm import check_dataset_name
from armswatch.entities.problem import Problems
from armswatch.entities.snapshot import ListSnapshot, new_entity
from armswatch.errors import InputError
from armswatch.types.imo import clean_imo

DEFAULT_DATASET = "user_csv"
_SEVEN_DIGITS = re.compile(r"(?<!\d)(\d{7})(?!\d)")


def _company_number(value: str) -> str | None:
    match = _SEVEN_DIGITS.search(value)
    return match.group(1) if match else None


def parse_mapping(spec: str) -> dict[str, str]:
    """Parse ``"name=Name,imoNumber=IMO"`` (property=column pairs) into a mapping."""
    out: dict[str, str] = {}
    for pair in spec.split(","):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise InputError(f"mapping item {pair!r} is not property=column")
        prop, column = pair.split("=", 1)
        out[prop.strip()] = column.strip()
    return out


def parse_csv(
    text: str,
    mapping: Mapping[str, str],
    *,
    dataset: str = DEFAULT_DATASET,
    schema: str = "LegalEntity",
    list_date: date | None = None,
    separator: str | None = ";",
    source: str = "<text>",
) -> ListSnapshot:
    """Parse CSV text with a header row using ``mapping`` (FtM property → column)."""
    check_dataset_name(dataset, source)
    counter: Counter[str] = Counter()
    problems = Problems(counter)
    reader = csv.DictReader(iter_lines(text))
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}", path=source, record=1) from exc
    check_header(header, source)
    missing = [col for col in mapping.values() if col not in header]
    if missing:
        raise InputError(
            f"CSV has no column(s) {', '.join(missing)} (header: {', '.join(header)})", path=source
        )
    if model.get(schema) is None:
        raise InputError(f"unknown FtM schema {schema!r}", path=source)
    entities: list[EntityProxy] = []
    for number, row in _records(reader, problems):
        row_schema = (row.get(mapping["schema"]) or "").strip() if "schema" in mapping else schema
        if model.get(row_schema) is None:
            problems.add("csv: unknown schema", number)
            continue
        key = (row.get(mapping["id"]) or "").strip() if "id" in mapping else ""
        entity = new_entity(dataset, row_schema, f"{dataset}-{key or number}")
        for prop, column in mapping.items():
            if prop in ("id", "schema"):
                continue
            if prop not in entity.schema.properties:
                problems.add(f"csv: {row_schema} has no property {prop}", number)
                continue
            cell = (row.get(column) or "").strip()
            values = cell.split(separator) if separator else [cell]
            if prop == "imoNumber":
                # Ship IMO numbers carry a check digit; IMO company numbers (7 digits) do not.
                check = clean_imo if entity.schema.is_a("Vessel") else _company_number
                cleaned = [check(v) for v in values if v.strip()]
                problems.add("csv: bad IMO number", number, sum(1 for v in cleaned if v is None))
                values = [v for v in cleaned if v is not None]
            entity.add(prop, [v.strip() for v in values if v.strip()], quiet=True, fuzzy=True)
        if not entity.get("name", quiet=True) and entity.schema.is_a("Thing"):
            problems.add("csv: row without name", number)
            continue
        entities.append(entity)
    return ListSnapshot(dataset, list_date, entities, counter, dataset)


def _records(reader: csv.DictReader[str], problems: Problems) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` of each record; an unreadable record is counted and skipped."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            problems.add("csv: unreadable row (cell too long)", reader.reader.line_num)
            continue
        yield reader.line_num, {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
