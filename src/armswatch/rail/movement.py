"""A rail movement: wagons seen at a watched crossing or yard at a time, and the CSV that carries them.

Pure value code (no database). A movement's id is a content hash of site, time, wagons, direction
and source, so importing the same observation twice stores it once.

CSV columns: ``site,time,wagons[,direction,source,note,links]``; ``links`` holds finding or
artifact ids separated by ``|`` (the shipments and evidence the movement belongs to). A bad row
is counted with its line and reason and skipped, unless ``strict``: then the first one is an
:class:`InputError` naming the file and line and nothing is imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from armswatch.errors import InputError
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
    if not text.isdigit() or int(text) > MAX_WAGONS:
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
    if len(data) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // 1024 // 1024} MB", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=path, record=f"line {line}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = MovementsRead()
    previous = csv.field_size_limit(MAX_FIELD)
    try:
        try:
            header = [(h or "").strip().lower() for h in reader.fieldnames or []]
        except csv.Error as exc:
            raise InputError(f"header is not CSV: {exc}", path=path, record="line 1") from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"header lacks columns {missing}", path=path, record="line 1")
        reader.fieldnames = header
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                _bad(out, f"not CSV ({exc})", reader.line_num, path, strict)
                continue
            try:
                out.movements.append(_row(row))
            except InputError as exc:
                _bad(out, exc.message, reader.line_num, path, strict)
    finally:
        csv.field_size_limit(previous)
    return out


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


def _bad(out: MovementsRead, reason: str, line: int, path: str, strict: bool) -> None:
    if strict:
        raise InputError(reason, path=path, record=f"line {line}")
    out.bad[reason] += 1
    out.first_bad.setdefault(reason, line)
