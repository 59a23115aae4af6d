"""Munition items from a CSV file (one item per row), read defensively.

Columns are the item's properties (``id,type,calibre,family,markings,lot,year,factory_code,colour,
materials,condition,recovered_at,recovered_place,recovered_country,lat,lon,reported_by,
origin_country,origin_basis,confidence_tag,sources,sites,shipments,entities,findings,notes``); only
``type`` is required. List columns (``markings``, ``sources``, ``sites`` …) hold values separated by
`` | ``. A bad row is counted with its line number and reason and skipped, unless ``strict``, when the
first bad row is an :class:`InputError` naming the file and line and nothing is imported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.io.csvrows import read_csv_rows
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


def _row_item(row: dict[str | None, str | None]) -> MunitionItem:
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
    read = read_csv_rows(
        data, path, ("type",), _row_item, strict=strict, max_bytes=MAX_BYTES, max_field=MAX_FIELD,
        max_columns=MAX_COLUMNS, skip_blank=True, missing_message=lambda _: "header has no 'type' column",
    )  # fmt: skip
    return ItemsRead(read.rows, read.bad, read.first_bad)


def read_items_file(path: Path, *, strict: bool = False) -> ItemsRead:
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    return read_items_csv(data, str(path), strict=strict)
