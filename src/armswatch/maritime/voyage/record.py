"""Voyage evidence in a workspace: analysts' sightings and imported port-state / trade / rail records.

A *sighting* is an analyst's record "vessel V seen at site S in image I at time T". A *record* is
a line of a port-state, trade or rail data set naming a vessel at a port at a time, with its
source. Both are stored rows (tables of migration 0006_voyage), keyed by a content hash (adding the
same sighting twice is a no-op), written in one transaction with an audit entry that seals them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import insert, select

from armswatch.errors import InputError
from armswatch.io.csvrows import read_csv_rows
from armswatch.maritime.voyage.schema import vessel_record, vessel_sighting
from armswatch.provenance.clock import parse_when, to_iso, utcnow
from armswatch.types.imo import imo_check_digit_ok
from armswatch.workspace import Workspace

RECORD_KINDS: Final = ("port_state", "trade", "rail")
MAX_BYTES: Final = 20 * 1024 * 1024
MAX_FIELD: Final = 16 * 1024
RECORD_COLUMNS: Final = ("vessel", "port", "time", "source")


def vessel_key(text: str) -> str:
    """``imo:N`` for a seven-digit IMO number with a valid check digit (``IMO 9123456`` too),
    ``mmsi:N`` for a nine-digit MMSI; anything else is an InputError."""
    raw = text.strip().upper().removeprefix("IMO").removeprefix(":").strip()
    if (raw.isascii() and raw.isdigit()) and len(raw) == 7:
        if not imo_check_digit_ok(raw):
            raise InputError(f"vessel {text!r}: IMO number with a wrong check digit")
        return f"imo:{raw}"
    raw = raw.removeprefix("MMSI").removeprefix(":").strip()
    if (raw.isascii() and raw.isdigit()) and len(raw) == 9:
        return f"mmsi:{int(raw)}"
    raise InputError(f"vessel {text!r} is neither an IMO number (7 digits) nor an MMSI (9 digits)")


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Sighting:
    id: str
    vessel: str
    site_id: str
    at: datetime
    image: str | None
    note: str
    analyst: str


@dataclass(frozen=True)
class VesselRecord:
    id: str
    kind: str
    vessel: str
    site_id: str
    at: datetime
    source: str
    note: str


def add_sighting(
    ws: Workspace, vessel: str, site_id: str, at: str | datetime, image: str | None = None, note: str = ""
) -> tuple[Sighting, bool]:
    """Store a sighting (vessel and site must be valid, the image an artifact of the workspace);
    returns it and whether it was new."""
    key = vessel_key(vessel)
    ws.get_site(site_id)
    when = parse_when(at) if isinstance(at, str) else at
    image_id = ws.resolve_artifact_id(image) if image else None
    sid = "sgt-" + _digest(key, site_id, to_iso(when), image_id or "")
    s = Sighting(sid, key, site_id, when, image_id, note, ws.analyst)
    with ws.transaction() as conn:
        if conn.execute(select(vessel_sighting.c.id).where(vessel_sighting.c.id == sid)).first():
            return s, False
        row = {
            "id": sid,
            "vessel": key,
            "site_id": site_id,
            "at": to_iso(when),
            "image": image_id,
            "note": note,
            "analyst": ws.analyst,
            "created_at": to_iso(utcnow()),
        }
        conn.execute(insert(vessel_sighting).values(**row))
        payload = {k: v for k, v in row.items() if k != "created_at"}
        ws._audit(
            conn, "vessel.sighting.add", "vessel_sighting", sid, payload, seal=[("vessel_sighting", [(sid,)])]
        )
    return s, True


def list_sightings(ws: Workspace, vessel: str | None = None) -> list[Sighting]:
    q = select(vessel_sighting).order_by(vessel_sighting.c.at, vessel_sighting.c.id)
    if vessel:
        q = q.where(vessel_sighting.c.vessel == vessel_key(vessel))
    with ws.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        Sighting(r["id"], r["vessel"], r["site_id"], parse_when(r["at"]), r["image"], r["note"], r["analyst"])
        for r in rows
    ]


@dataclass
class RecordsRead:
    records: list[dict[str, Any]] = field(default_factory=list)
    bad: Counter[str] = field(default_factory=Counter)
    first_bad: dict[str, int] = field(default_factory=dict)


def read_records_csv(data: bytes, path: str = "<csv>", *, strict: bool = False) -> RecordsRead:
    """Parse a records CSV: ``vessel,port,time,source[,kind,note]`` (``port`` a site id; ``kind``
    port_state | trade | rail, default port_state). Bad rows are counted by reason (first line kept),
    unless ``strict``: then the first one is an InputError naming the file and line."""
    read = read_csv_rows(
        data, path, RECORD_COLUMNS, _record_row, strict=strict, max_bytes=MAX_BYTES, max_field=MAX_FIELD
    )
    return RecordsRead(read.rows, read.bad, read.first_bad)


def _record_row(row: dict[str | Any, str | Any]) -> dict[str, Any]:
    if None in row:
        raise InputError("more cells than header columns")
    cell = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    kind = cell.get("kind") or "port_state"
    if kind not in RECORD_KINDS:
        raise InputError(f"kind must be one of {', '.join(RECORD_KINDS)}")
    if not cell["port"]:
        raise InputError("port is empty")
    if not cell["source"]:
        raise InputError("source is empty")
    return {
        "kind": kind,
        "vessel": vessel_key(cell["vessel"]),
        "site_id": cell["port"],
        "at": parse_when(cell["time"]),
        "source": cell["source"],
        "note": cell.get("note", ""),
    }


def add_records(ws: Workspace, rows: Sequence[dict[str, Any]], path: str = "<csv>") -> dict[str, int]:
    """Store parsed records in one transaction (every ``port`` must be a site of the workspace:
    else nothing is stored); duplicates of stored records are skipped."""
    known = {s.id for s in ws.list_sites()}
    for i, r in enumerate(rows):
        if r["site_id"] not in known:
            raise InputError(
                f"record {i + 1}: no site {r['site_id']!r} (see 'armswatch sites list')", path=path
            )
    counts = {"added": 0, "unchanged": 0}
    now = to_iso(utcnow())
    with ws.transaction() as conn:
        ids: list[str] = []
        for r in rows:
            rid = "rec-" + _digest(r["kind"], r["vessel"], r["site_id"], to_iso(r["at"]), r["source"])
            if (
                rid in ids
                or conn.execute(select(vessel_record.c.id).where(vessel_record.c.id == rid)).first()
            ):
                counts["unchanged"] += 1
                continue
            conn.execute(insert(vessel_record).values(id=rid, **{**r, "at": to_iso(r["at"])}, created_at=now))
            ids.append(rid)
        if ids:
            ws._audit(
                conn,
                "vessel.record.import",
                "vessel_record",
                ids[0] if len(ids) == 1 else f"{len(ids)} records",
                {"path": path, "ids": ids},
                seal=[("vessel_record", [(i,) for i in ids])],
            )
        counts["added"] = len(ids)
    return counts


def list_records(ws: Workspace, vessel: str | None = None) -> list[VesselRecord]:
    q = select(vessel_record).order_by(vessel_record.c.at, vessel_record.c.id)
    if vessel:
        q = q.where(vessel_record.c.vessel == vessel_key(vessel))
    with ws.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        VesselRecord(
            r["id"], r["kind"], r["vessel"], r["site_id"], parse_when(r["at"]), r["source"], r["note"]
        )
        for r in rows
    ]
