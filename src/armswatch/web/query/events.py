"""AIS events (port calls, gaps, encounters, loitering, spoofing) as the map and ``/api/v1/events`` list them.

Event detection (``ais events``) returns a frame but stores only its pattern findings; when an analyst
runs the detection from the workbench the events are kept too, one Parquet file per run under
``tables/ais_events/``, and the newest file is the one served.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import polars as pl

from armswatch.errors import InputError
from armswatch.maritime import store
from armswatch.maritime.event import EVENT_SCHEMA, EVENT_TYPES
from armswatch.web.query.cache import cached, files_fingerprint
from armswatch.workspace import Workspace

MAX_LIMIT: Final = 1000


def events_dir(ws: Workspace) -> Path:
    return Path(ws.tables_dir) / "ais_events"


def save_events(ws: Workspace, run_id: str, events: pl.DataFrame) -> Path:
    """Keep the events of one detection run (atomic write)."""
    folder = events_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run={run_id}.parquet"
    tmp = path.with_suffix(".tmp")
    events.select(list(EVENT_SCHEMA)).cast(EVENT_SCHEMA).write_parquet(tmp)  # type: ignore[arg-type]
    tmp.replace(path)
    return path


def latest_events(ws: Workspace) -> pl.DataFrame:
    files = sorted(events_dir(ws).glob("run=*.parquet"), key=lambda p: p.stat().st_mtime_ns)
    if not files:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    newest = files[-1]
    return cached(
        str(ws.root), "events", files_fingerprint([newest]), lambda: pl.read_parquet(newest).sort("start_utc")
    )


@dataclass(frozen=True)
class EventFilter:
    event_type: str | None = None
    mmsi: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` in degrees."""
    if not text:
        return None
    try:
        parts = tuple(float(x) for x in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90):
        raise InputError(f"bbox must be min_lon,min_lat,max_lon,max_lat in degrees, got {text!r}")
    return parts


def filter_events(ws: Workspace, f: EventFilter) -> pl.DataFrame:
    ev = latest_events(ws)
    if f.event_type:
        if f.event_type not in EVENT_TYPES:
            raise InputError(f"event type must be one of {', '.join(EVENT_TYPES)}")
        ev = ev.filter(pl.col("event_type") == f.event_type)
    if f.mmsi is not None:
        ev = ev.filter((pl.col("mmsi") == f.mmsi) | (pl.col("other_mmsi") == f.mmsi))
    if f.start is not None:
        ev = ev.filter(pl.col("end_utc").fill_null(pl.col("start_utc")) >= store.as_utc(f.start))
    if f.end is not None:
        ev = ev.filter(pl.col("start_utc") < store.as_utc(f.end))
    if f.bbox is not None:
        b = f.bbox
        ev = ev.filter(pl.col("lon").is_between(b[0], b[2]) & pl.col("lat").is_between(b[1], b[3]))
    return ev


def page(ws: Workspace, f: EventFilter, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be 1..{MAX_LIMIT} and offset 0 or more")
    ev = filter_events(ws, f)
    rows = ev.slice(offset, limit)
    items = [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()}
        for r in rows.iter_rows(named=True)
    ]
    return {"items": items, "total": ev.height, "offset": offset, "limit": limit}


def has_events(ws: Workspace) -> bool:
    """Whether any detection run from the workbench stored its events."""
    return any(True for _ in events_dir(ws).glob("run=*.parquet"))


_HIDDEN: Final = frozenset({"off_lat", "off_lon", "on_lat", "on_lon", "port_id"})


def facts(event: dict[str, Any], at_most: int = 8) -> list[tuple[str, str]]:
    """The event's details as short (name, value) pairs for a table cell: numbers rounded, lists joined,
    coordinates left out (the row has its place)."""
    try:
        details = json.loads(event.get("details") or "{}")
    except ValueError:
        return [("details", str(event.get("details")))]
    if not isinstance(details, dict):
        return [("details", str(details))]
    out: list[tuple[str, str]] = []
    for key, value in details.items():
        if key in _HIDDEN or value is None or value == [] or value == "":
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float):
            text = f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else "≈0"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value[:6]) + (f" … ({len(value)})" if len(value) > 6 else "")
        else:
            text = str(value)
        out.append((key.replace("_", " "), text))
    return out[:at_most]
