"""Sites as CSV, both ways.

Columns: ``id,name,aliases,country,kind,precision,lat,lon,wkt,sources,notes``. A point is written in
``lat``/``lon``; a polygon in ``wkt`` (lon lat order, WGS84). ``aliases`` and ``sources`` hold several
values separated by ``;`` (a literal ``;`` or ``\\`` inside a value is escaped with ``\\``). Text
cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) are written with a
leading ``'`` and restored on reading (see :mod:`armswatch.sites.spreadsheet`). Errors
name the 1-based line of the file (the header is line 1) as the record.

Reading is bounded: at most :data:`MAX_BYTES` of text and
:data:`~armswatch.entities.csvfile.MAX_COLUMNS` header columns, lines fed one at a time; a cell
over the CSV field limit is a bad record of its line (counted when skipping), not the end of the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Final

import shapely
from shapely.geometry import Point, Polygon

from armswatch.entities.csvfile import MAX_COLUMNS, iter_lines
from armswatch.errors import InputError
from armswatch.sites.geometry import geometry_from_wkt, validate_geometry
from armswatch.sites.model import Site, slugify
from armswatch.sites.record import SiteCollector
from armswatch.sites.spreadsheet import guard_cell, unguard_cell

COLUMNS: Final = (
    "id",
    "name",
    "aliases",
    "country",
    "kind",
    "precision",
    "lat",
    "lon",
    "wkt",
    "sources",
    "notes",
)
MAX_BYTES: Final = 64 * 1024 * 1024
REQUIRED: Final = ("name", "country", "kind", "precision")
_SPLIT_RE: Final = re.compile(r"(?<!\\)((?:\\\\)*);")
_UNESCAPE_RE: Final = re.compile(r"\\(.)")


def join_list(items: Iterable[str]) -> str:
    """``["a", "b;c"]`` → ``"a;b\\;c"``."""
    return ";".join(i.replace("\\", "\\\\").replace(";", "\\;") for i in items)


_TEXT_COLUMNS: Final = ("id", "name", "aliases", "country", "kind", "precision", "sources", "notes")


def split_list(cell: str) -> tuple[str, ...]:
    """Inverse of :func:`join_list`; blank entries are dropped and entries are stripped."""
    parts: list[str] = []
    start = 0
    for match in _SPLIT_RE.finditer(cell):
        parts.append(cell[start : match.end(1)])
        start = match.end()
    parts.append(cell[start:])
    values = (_UNESCAPE_RE.sub(r"\1", p).strip() for p in parts)
    return tuple(v for v in values if v)


def sites_to_csv(sites: Iterable[Site]) -> str:
    """CSV text with a header row; ``\\r\\n`` line ends as RFC 4180 asks."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in sites:
        lat = lon = wkt = ""
        if isinstance(s.geometry, Point):
            lat, lon = repr(float(s.geometry.y)), repr(float(s.geometry.x))
        else:
            wkt = shapely.to_wkt(s.geometry, rounding_precision=-1, trim=True)
        writer.writerow(
            [
                s.id,
                guard_cell(s.name),
                guard_cell(join_list(s.aliases)),
                s.country,
                s.kind,
                s.precision,
                lat,
                lon,
                wkt,
                guard_cell(join_list(s.sources)),
                guard_cell(s.notes),
            ]
        )
    return out.getvalue()


def _float(row: dict[str, str], key: str) -> float:
    value = row.get(key, "").strip()
    if not value:
        raise InputError(f"missing {key}")
    try:
        return float(value)
    except ValueError as err:
        raise InputError(f"{key} is not a number: {value[:40]!r}") from err


def _geometry(row: dict[str, str]) -> Point | Polygon:
    wkt = row.get("wkt", "").strip()
    has_point = bool(row.get("lat", "").strip() or row.get("lon", "").strip())
    if wkt and has_point:
        raise InputError("give either lat/lon or wkt, not both")
    if wkt:
        return geometry_from_wkt(wkt)
    if not has_point:
        raise InputError("no location: fill lat and lon, or wkt")
    return validate_geometry(Point(_float(row, "lon"), _float(row, "lat")))


def _row_to_site(row: dict[str, str]) -> Site:
    for key in REQUIRED:
        if not row.get(key, "").strip():
            raise InputError(f"missing {key}")
    geometry = _geometry(row)
    return Site.from_dict(
        {
            "id": row.get("id", "").strip() or slugify(row["name"]),
            "name": row["name"],
            "aliases": split_list(row.get("aliases", "")),
            "country": row["country"].strip(),
            "kind": row["kind"].strip(),
            "precision": row["precision"].strip(),
            "geometry": geometry,
            "sources": split_list(row.get("sources", "")),
            "notes": row.get("notes", ""),
        }
    )


def sites_from_csv(
    text: str | bytes, *, path: str | None = None, skipped: Counter[str] | None = None
) -> list[Site]:
    """Parse CSV text (UTF-8, optional BOM) into sites.

    Raises InputError naming the bad line, or, when ``skipped`` is given, skips bad rows and counts
    them there by reason.
    """
    if len(text) > MAX_BYTES:
        raise InputError(f"file larger than {MAX_BYTES // 2**20} MiB", path=path)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            raise InputError(f"not UTF-8 text: {err.reason}", path=path, record=line) from err
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(iter_lines(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as err:
        raise InputError(f"unreadable CSV header: {err}", path=path, record=1) from err
    if len(header) > MAX_COLUMNS:
        raise InputError(f"header has {len(header):,} columns (at most {MAX_COLUMNS:,})", path=path, record=1)
    missing = [c for c in REQUIRED if c not in header]
    if not ("wkt" in header or {"lat", "lon"} <= set(header)):
        missing.append("lat,lon or wkt")
    if missing:
        raise InputError(f"CSV header lacks column(s): {', '.join(missing)}", path=path, record=1)
    collector = SiteCollector("line", path, skipped)
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as err:  # an over-long field: this record is unreadable
            collector.problem(reader.reader.line_num, f"unreadable CSV record: {err}")
            continue
        clean = {
            k: (v or "") for k, v in row.items() if isinstance(k, str) and isinstance(v, (str, type(None)))
        }
        clean.update({k: unguard_cell(clean[k]) for k in _TEXT_COLUMNS if k in clean})
        collector.add(reader.line_num, partial(_row_to_site, clean))
    return collector.sites
