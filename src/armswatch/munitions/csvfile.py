"""Munition items from a CSV file (one item per row), read defensively.

Columns are the item's properties (``id,type,calibre,family,markings,lot,year,factory_code,colour,
materials,condition,recovered_at,recovered_place,recovered_country,lat,lon,reported_by,
origin_country,origin_basis,confidence_tag,sources,sites,shipments,entities,findings,notes``); only
``type`` is required. List columns (``markings``, ``sources``, ``sites`` …) hold values separated by
`` | ``. A bad row is counted with its line number and reason and skipped, unless ``strict``, when the
first bad row is an :class:`InputError` naming the file and line and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.munitions.item import LINK_FIELDS, MunitionItem

MAX_BYTES: Final = 50 * 1024 * 1024
MAX_FIELD: Final = 64 * 1024
MAX_COLUMNS: Final = 64
LIST_SEP: Final = "|"
LIST_COLUMNS: Final = ("markings", *LINK_FIELDS)


@dataclass
class ItemsRead:
    items: list[MunitionItem] = field(default_factory=list)
    bad: Counter[str] = field(default_factory=Counter)
    first_bad: dict[str, int] = field(default_factory=dict)


def _decode(data: bytes, path: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // 1024 // 1024} MB", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=path, record=f"line {line}") from None


def _row_item(row: dict[str, str | None]) -> MunitionItem:
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise InputError("more cells than header columns")
        text = (value or "").strip()
        if not text:
            continue
        if key in LIST_COLUMNS:
            data[key] = [v.strip() for v in text.split(LIST_SEP) if v.strip()]
        elif key in ("lat", "lon"):
            try:
                data[key] = float(text)
            except ValueError:
                raise InputError(f"{key} is not a number: {text[:40]!r}") from None
        else:
            data[key] = text
    return MunitionItem.from_dict(data)


def read_items_csv(data: bytes, path: str = "<csv>", *, strict: bool = False) -> ItemsRead:
    """Parse an items CSV; bad rows counted by reason (first line of each reason kept)."""
    text = _decode(data, path)
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=None)
    out = ItemsRead()
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise InputError(f"header is not CSV: {exc}", path=path, record="line 1") from None
    if not header:
        raise InputError("empty file: no header", path=path)
    if len(header) > MAX_COLUMNS or any(len(h or "") > 64 for h in header):
        raise InputError(
            f"header has more than {MAX_COLUMNS} columns or an over-long name", path=path, record="line 1"
        )
    if "type" not in header:
        raise InputError("header has no 'type' column", path=path, record="line 1")
    previous = csv.field_size_limit(MAX_FIELD)
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                _bad(out, f"not CSV ({exc})", reader.line_num, path, strict)
                continue
            line = reader.line_num
            if not any((v or "").strip() for k, v in row.items() if k is not None):
                continue
            try:
                out.items.append(_row_item(row))
            except InputError as exc:
                _bad(out, exc.message, line, path, strict)
    finally:
        csv.field_size_limit(previous)
    return out


def _bad(out: ItemsRead, reason: str, line: int, path: str, strict: bool) -> None:
    if strict:
        raise InputError(reason, path=path, record=f"line {line}")
    out.bad[reason] += 1
    out.first_bad.setdefault(reason, line)


def read_items_file(path: Path, *, strict: bool = False) -> ItemsRead:
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    return read_items_csv(data, str(path), strict=strict)
