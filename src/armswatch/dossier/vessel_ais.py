"""The AIS side of a vessel dossier: which MMSIs and IMOs it is, what it broadcast, where it went.

Reads the workspace's AIS tables (only the vessel bucket of each day) and calls the maritime
analytics (:mod:`armswatch.maritime.identity`, :mod:`armswatch.maritime.events`) on this vessel's
rows; nothing is written. Events computed here are statements of the dossier with the AIS artifacts
and line ranges they rest on, marked *computed (not reviewed)*; recorded findings come separately.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import polars as pl

from armswatch.dossier.model import Provenance, Statement
from armswatch.errors import InputError
from armswatch.maritime import store
from armswatch.maritime.schema import BUCKETS, POSITION_SCHEMA, STATIC_SCHEMA
from armswatch.types.imo import clean_imo
from armswatch.types.mmsi import parse_mmsi

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

MAX_TRACK_POINTS: Final = 4000
MAX_IDENTITY_ROWS: Final = 400
MAX_EVENTS: Final = 2000
PER_VESSEL_EVENTS: Final = ("port_call", "gap", "loitering", "spoofing")
MAX_ENCOUNTER_ROWS: Final = 2_000_000
"""Encounters are computed against other vessels' positions in the track's box and time span only
when there are at most this many of them (else the dossier says so and shows recorded findings)."""

SHIP_TYPES: Final = ((20, 29, "wing in ground"), (30, 30, "fishing"), (31, 32, "towing"), (33, 33, "dredging"),
                     (34, 34, "diving"), (35, 35, "military"), (36, 36, "sailing"), (37, 37, "pleasure craft"),
                     (40, 49, "high-speed craft"), (50, 50, "pilot"), (51, 51, "search and rescue"),
                     (52, 52, "tug"), (53, 53, "port tender"), (55, 55, "law enforcement"),
                     (58, 58, "medical"), (60, 69, "passenger"), (70, 79, "cargo"), (80, 89, "tanker"),
                     (90, 99, "other"))  # fmt: skip


def ship_type_text(code: str) -> str:
    """``"70"`` → ``"70 (cargo)"`` (ITU-R M.1371 ship and cargo type)."""
    try:
        n = int(code)
    except ValueError:
        return code
    name = next((t for lo, hi, t in SHIP_TYPES if lo <= n <= hi), None)
    return f"{code} ({name})" if name else code


@dataclass(frozen=True)
class VesselKeys:
    """What the asked identifier resolves to: every MMSI and IMO the vessel is known under."""

    asked: str
    mmsis: tuple[int, ...]
    imos: tuple[str, ...]

    @property
    def subjects(self) -> tuple[str, ...]:
        return (*(f"vessel:mmsi:{m}" for m in self.mmsis), *(f"vessel:imo:{i}" for i in self.imos))


def parse_key(text: str) -> tuple[str, str]:
    """``("imo", "8660313")`` or ``("mmsi", "445301000")`` from an IMO (7 digits, check digit) or MMSI."""
    raw = text.strip().upper().removeprefix("IMO").removeprefix("MMSI").strip(" :")
    digits = raw.replace(" ", "")
    if (digits.isascii() and digits.isdigit()) and len(digits) == 7:
        imo = clean_imo(digits)
        if imo is None:
            raise InputError(f"{text!r} is not a valid IMO number (check digit fails)")
        return "imo", imo
    if (digits.isascii() and digits.isdigit()) and len(digits) == 9:
        return "mmsi", digits
    raise InputError(f"{text!r} is neither an IMO number (7 digits) nor an MMSI (9 digits)")


def _scan(files: list[Path], schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    if not files:
        return pl.LazyFrame(schema=schema)
    return pl.scan_parquet(
        files, schema=schema, hive_partitioning=False, missing_columns="insert", extra_columns="ignore"
    )


def _bucket_files(root: Path, mmsis: tuple[int, ...]) -> list[Path]:
    buckets = sorted({m % BUCKETS for m in mmsis})
    return [f for b in buckets for f in sorted(root.glob(f"day=*/bucket={b:02d}/*.parquet"))]


def statics_for(ws: Workspace, mmsis: tuple[int, ...]) -> pl.DataFrame:
    lf = _scan(_bucket_files(store.statics_path(ws), mmsis), STATIC_SCHEMA)
    return lf.filter(pl.col("mmsi").is_in(list(mmsis))).sort("mmsi", "ts").collect()


def positions_for(ws: Workspace, mmsis: tuple[int, ...]) -> pl.DataFrame:
    lf = _scan(_bucket_files(store.positions_path(ws), mmsis), POSITION_SCHEMA)
    return lf.filter(pl.col("mmsi").is_in(list(mmsis))).sort("mmsi", "ts").collect()


def mmsis_with_imo(ws: Workspace, imo: str) -> list[int]:
    lf = _scan(sorted(store.statics_path(ws).glob("day=*/bucket=*/*.parquet")), STATIC_SCHEMA)
    return sorted(lf.filter(pl.col("imo") == imo).select("mmsi").unique().collect()["mmsi"].to_list())


def imos_of(statics: pl.DataFrame) -> list[str]:
    return sorted(statics["imo"].drop_nulls().unique().to_list())


def _sources(frame: pl.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(str(s) for s in frame["source"].drop_nulls().unique().to_list()))


def _lines(frame: pl.DataFrame) -> str:
    lines = frame["line"].drop_nulls()
    if lines.len() and lines.max():
        return f"records {lines.min()!s}–{lines.max()!s} ({frame.height} reports)"
    return f"{frame.height} reports"


def identity_statements(statics: pl.DataFrame) -> tuple[list[Statement], int]:
    """One statement per run of an unchanged name / IMO / call sign / type per MMSI; plus the flag of
    each MMSI's MID. Returns the statements and the number of history rows left out (over the cap)."""
    from armswatch.maritime.identity import identity_history

    out: list[Statement] = []
    for mmsi in sorted(set(statics["mmsi"].to_list())):
        parsed = parse_mmsi(mmsi)
        mine = statics.filter(pl.col("mmsi") == mmsi)
        prov = Provenance("AIS static reports (MMSI MID)", _sources(mine), detail=_lines(mine))
        if parsed.flag:
            out.append(Statement("identity", "flag", f"MMSI {mmsi:09d} carries the MID of {parsed.flag} "
                                 "(flag implied by the MMSI, not a registry flag)", (prov,),
                                 mine["ts"].min(), mine["ts"].max()))  # type: ignore[arg-type]  # fmt: skip
    if statics.height == 0:
        return out, 0
    hist = identity_history(statics).filter(
        pl.col("attribute").is_in(["name", "imo", "callsign", "ship_type"])
    )
    hist = hist.sort("first_seen")
    for r in hist.head(MAX_IDENTITY_ROWS).iter_rows(named=True):
        span = statics.filter(
            (pl.col("mmsi") == r["mmsi"]) & pl.col("ts").is_between(r["first_seen"], r["last_seen"])
        )
        value = ship_type_text(r["value"]) if r["attribute"] == "ship_type" else r["value"]
        label = {"callsign": "call sign", "ship_type": "ship type", "imo": "IMO"}.get(
            r["attribute"], r["attribute"]
        )
        text = f"MMSI {r['mmsi']:09d} broadcast {label} {value} ({r['reports']} static reports)"
        prov = Provenance("AIS static reports", _sources(span), detail=_lines(span))
        out.append(Statement("identity", r["attribute"], text, (prov,), r["first_seen"], r["last_seen"]))
    return out, max(hist.height - MAX_IDENTITY_ROWS, 0)


def mmsi_statements(pos: pl.DataFrame) -> list[Statement]:
    """One statement per MMSI the vessel was heard under: first and last position, how many."""
    if pos.height == 0:
        return []
    spans = pos.group_by("mmsi").agg(
        pl.col("ts").min().alias("first"),
        pl.col("ts").max().alias("last"),
        pl.len().alias("n"),
        pl.col("line").min().alias("lo"),
        pl.col("line").max().alias("hi"),
        pl.col("source").drop_nulls().unique().sort().alias("sources"),
    )
    out = []
    for r in spans.sort("first").iter_rows(named=True):
        detail = f"records {r['lo']}–{r['hi']}" if r["hi"] else ""
        prov = Provenance("AIS position reports", tuple(str(x) for x in r["sources"]), detail=detail)
        text = f"Heard under MMSI {r['mmsi']:09d}: {r['n']:,} positions"
        out.append(Statement("identity", "mmsi", text, (prov,), r["first"], r["last"]))
    return out


def track_geometry(pos: pl.DataFrame) -> dict[str, Any] | None:
    """The track thinned evenly in time to at most :data:`MAX_TRACK_POINTS` (the map simplifies further)."""
    if pos.height == 0:
        return None
    step = max(1, -(-pos.height // MAX_TRACK_POINTS))
    idx = np.unique(np.append(np.arange(0, pos.height, step), pos.height - 1))
    lon, lat = pos["lon"].to_numpy()[idx], pos["lat"].to_numpy()[idx]
    coords = np.round(np.column_stack([lon, lat]), 5).tolist()
    if len(coords) == 1:
        coords = coords * 2
    return {"type": "LineString", "coordinates": coords}


def _event_params(types: tuple[str, ...]) -> Any:
    from armswatch.maritime.coverage import CoverageParams
    from armswatch.maritime.events import EventParams

    # coverage comes from the context (computed over the fleet around the track), never from one vessel
    return EventParams(types=types, coverage=CoverageParams(enabled=False))


def detect_vessel_events(
    ws: Workspace, pos: pl.DataFrame, mmsis: tuple[int, ...]
) -> tuple[pl.DataFrame, str]:
    """Port calls, gaps, loitering and spoofing of this vessel, plus encounters with other vessels.

    The other vessels' positions in the track's box and time span (when at most
    :data:`MAX_ENCOUNTER_ROWS`) give the encounters and the data's coverage: a silence that the whole
    fleet shares (a receiver outage, a hole between two files) then ends events instead of becoming
    a gap or a months-long port call. Returns the events and a note on what could not be assessed.
    """
    from armswatch.maritime.coverage import CoverageParams, compute_coverage
    from armswatch.maritime.events import detect, workspace_context

    ctx, _ = workspace_context(ws)
    if pos.height == 0:
        return pl.DataFrame(), ""
    # whole coverage cells (1°) around the track and the baseline hours before it: outages are judged
    # per cell over every vessel heard there, so the box must not cut ships off at its edge
    params = CoverageParams()
    step = params.cell_deg
    lon0, lon1 = float(pos["lon"].min()), float(pos["lon"].max())  # type: ignore[arg-type]
    lat0, lat1 = float(pos["lat"].min()), float(pos["lat"].max())  # type: ignore[arg-type]
    box = (math.floor(lon0 / step) * step, math.floor(lat0 / step) * step,
           math.ceil(lon1 / step + 1e-9) * step, math.ceil(lat1 / step + 1e-9) * step)  # fmt: skip
    t0, t1 = pos["ts"].min(), pos["ts"].max()
    assert isinstance(t0, datetime) and isinstance(t1, datetime)
    others = store.scan_positions(
        ws, t0 - timedelta(hours=params.baseline_h), t1 + timedelta(seconds=1), bbox=box
    )
    others = others.filter(~pl.col("mmsi").is_in(list(mmsis)))
    count = int(others.select(pl.len()).collect().item())
    cols = list(POSITION_SCHEMA)
    if 0 < count <= MAX_ENCOUNTER_ROWS:
        both = pl.concat([pos.select(cols), others.collect().select(cols)]).sort("mmsi", "ts")
        ctx = replace(ctx, coverage=compute_coverage(both, params))
        events = detect(pos, ctx, _event_params(PER_VESSEL_EVENTS), partitioned=False).events
        enc = detect(both, ctx, _event_params(("encounter",)), partitioned=False).events
        mine = enc.filter(pl.col("mmsi").is_in(list(mmsis)) | pl.col("other_mmsi").is_in(list(mmsis)))
        return pl.concat([events, mine]).sort("start_utc"), ""
    ctx = replace(ctx, coverage=None)
    events = detect(pos, ctx, _event_params(PER_VESSEL_EVENTS), partitioned=False).events
    if count == 0:
        return events, ("No other vessel was heard in this track's box and time span: encounters cannot occur "
                        "and data outages (receiver or file holes) cannot be told from the vessel's own silences.")  # fmt: skip
    return events, (f"Encounters and data outages not assessed: {count:,} positions of other vessels share this "
                    f"track's box and time span (limit {MAX_ENCOUNTER_ROWS:,}); recorded findings are shown.")  # fmt: skip


EVENT_LABEL: Final = {"port_call": "Port call", "gap": "AIS gap", "loitering": "Loitering",
                      "spoofing": "Implausible position (spoofing check)", "encounter": "Encounter"}  # fmt: skip


def _event_text(r: dict[str, Any]) -> str:
    label = EVENT_LABEL.get(r["event_type"], r["event_type"])
    where = f" at {r['port']}" if r.get("port") else f" near {r['lat']:.3f}, {r['lon']:.3f}"
    other = f" with MMSI {r['other_mmsi']:09d}" if r.get("other_mmsi") else ""
    hours = f", {r['duration_h']:.1f} h" if r.get("duration_h") is not None else ""
    return f"{label}{other}{where}{hours}"


def _num(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _arrays(pos: pl.DataFrame) -> dict[int, tuple[Any, Any, Any]]:
    """Per MMSI: sorted epoch-µs times, sources and record numbers (one partition, no per-row loop)."""
    out: dict[int, tuple[Any, Any, Any]] = {}
    for (mmsi,), part in pos.sort("mmsi", "ts").partition_by("mmsi", as_dict=True).items():
        out[int(str(mmsi))] = (part["ts"].dt.epoch("us").to_numpy(), part["source"].to_numpy(),
                               part["line"].fill_null(0).to_numpy())  # fmt: skip
    return out


def event_statements(
    events: pl.DataFrame, pos: pl.DataFrame, names: dict[int, str] | None = None
) -> list[Statement]:
    """Events as statements; provenance: the AIS artifacts and records of the event's vessel around it
    (one ``searchsorted`` per event on that vessel's sorted times)."""
    if events.height == 0:
        return []
    arrays = _arrays(pos)
    names = names or {}
    out: list[Statement] = []
    for r in events.head(MAX_EVENTS).iter_rows(named=True):
        t_us, src, lines = arrays.get(
            int(r["mmsi"]), (np.empty(0, np.int64), np.empty(0, object), np.empty(0, np.int64))
        )
        lo = int(np.searchsorted(t_us, int(r["start_utc"].timestamp() * 1e6), "left"))
        hi = int(np.searchsorted(t_us, int(r["end_utc"].timestamp() * 1e6), "right"))
        lo, hi = max(lo - 1, 0), min(hi + 1, len(t_us))
        arts = tuple(sorted({str(s) for s in src[lo:hi] if s is not None}))
        detail = (
            f"MMSI {r['mmsi']:09d} records {int(lines[lo:hi].min())}–{int(lines[lo:hi].max())}"
            if hi > lo
            else ""
        )
        try:
            params = json.loads(r["details"]) if r.get("details") else {}
        except ValueError:
            params = {}
        detail += (" · " if detail else "") + ", ".join(f"{k}={_num(v)}" for k, v in list(params.items())[:6])
        prov = Provenance("armswatch maritime event detectors over the AIS positions", arts, detail=detail)
        point = (
            {"type": "Point", "coordinates": [round(r["lon"], 5), round(r["lat"], 5)]}
            if r.get("lat") is not None
            else None
        )
        who = f"{names[int(r['mmsi'])]} (MMSI {r['mmsi']:09d}): " if int(r["mmsi"]) in names else ""
        out.append(
            Statement(
                "event", r["event_type"], who + _event_text(r), (prov,), r["start_utc"], r["end_utc"], point
            )
        )
    return out
