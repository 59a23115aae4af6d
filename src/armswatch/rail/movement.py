"""A rail movement: wagons seen at a watched crossing or yard at a time, and the CSV that carries them.

Pure value code (no database). A movement's id is a content hash of site, time, wagons, direction
and source, so importing the same observation twice stores it once.

CSV columns: ``site,time,wagons[,direction,source,note,links]``; ``links`` holds finding or
artifact ids separated by ``|`` (the shipments and evidence the movement belongs to). A bad row
is counted with its line and reason and skipped, unless ``strict``: then the first one is an
:class:`InputError` naming the file and line and nothing is imported.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.io.csvrows import read_csv_rows
from armswatch.provenance.clock import parse_when, to_iso

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_FIELD: Final = 16 * 1024
MAX_WAGONS: Final = 10_000
REQUIRED: Final = ("site", "time", "wagons")
_DIRECTION = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")


@dataclass(frozen=True)
class RailMovement:
    id: str
    site_id: str
    at: datetime
    wagons: int
    direction: str | None = None
    source: str = ""
    note: str = ""
    links: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_id": self.site_id,
            "at": to_iso(self.at),
            "wagons": self.wagons,
            "direction": self.direction,
            "source": self.source,
            "note": self.note,
            "links": list(self.links),
        }


def clean_wagons(value: object) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) > MAX_WAGONS:
        raise InputError(f"wagons must be a whole number from 0 to {MAX_WAGONS} (got {text[:20]!r})")
    return int(text)


def clean_direction(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    d = value.strip().lower()
    if not _DIRECTION.match(d):
        raise InputError(
            f"direction must be a short word such as to_russia, to_dprk, unknown (got {value[:30]!r})"
        )
    return d


def movement(
    site_id: str,
    at: str | datetime,
    wagons: object,
    direction: str | None = None,
    source: str = "",
    note: str = "",
    links: tuple[str, ...] = (),
) -> RailMovement:
    """A validated movement with its content id."""
    if not site_id.strip():
        raise InputError("site is empty")
    when = parse_when(at) if isinstance(at, str) else at
    n = clean_wagons(wagons)
    d = clean_direction(direction)
    digest = hashlib.sha256("\x1f".join([site_id, to_iso(when) or "", str(n), d or "", source]).encode())
    return RailMovement("rail-" + digest.hexdigest()[:24], site_id.strip(), when, n, d, source, note, links)


@dataclass
class MovementsRead:
    movements: list[RailMovement] = field(default_factory=list)
    bad: Counter[str] = field(default_factory=Counter)
    first_bad: dict[str, int] = field(default_factory=dict)


def read_movements_csv(data: bytes, path: str = "<csv>", *, strict: bool = False) -> MovementsRead:
    """Parse a rail-movements CSV (module docstring)."""
    read = read_csv_rows(data, path, REQUIRED, _row, strict=strict, max_bytes=MAX_BYTES, max_field=MAX_FIELD)
    return MovementsRead(read.rows, read.bad, read.first_bad)


def _row(row: dict[Any, Any]) -> RailMovement:
    if None in row:
        raise InputError("more cells than header columns")
    cell = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    links = tuple(v.strip() for v in cell.get("links", "").split("|") if v.strip())
    return movement(
        cell["site"],
        cell["time"],
        cell["wagons"],
        cell.get("direction"),
        cell.get("source", ""),
        cell.get("note", ""),
        links,
    )
