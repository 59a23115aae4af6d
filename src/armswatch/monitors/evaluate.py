"""Evaluating one monitor on the data recorded after its watermark: the I/O edge around the pure
rules (:mod:`.vessel_rule`), one function per kind, each returning alert drafts and whether there
was any new data of its kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from armswatch.maritime.store import scan_statics
from armswatch.monitors.model import AlertDraft, Monitor, at_least
from armswatch.monitors.newdata import (
    NewPositions,
    last_before,
    new_finding_ids,
    new_positions,
    new_snapshot_ids,
    window,
)
from armswatch.monitors.place import resolve_place
from armswatch.monitors.vessel_rule import dark_events, first_new_without_past, port_entries

MAX_SILENCE_DAYS = 7
"""How far back the last position of a vessel reappearing after a long silence is looked for."""


@dataclass
class Shared:
    """What several monitors of one ``monitor run`` read once: new positions per watermark, names."""

    head: int
    positions: dict[int, NewPositions] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def new_positions(self, ws: Any, after: int) -> NewPositions:
        if after not in self.positions:
            self.positions[after] = new_positions(ws, after, self.head)
        return self.positions[after]


Evaluator = Callable[[Any, Monitor, Shared], tuple[list[AlertDraft], bool]]


def _iso(ts: datetime | None) -> str:
    return ts.isoformat(timespec="seconds") if ts else ""


def vessel_names(ws: Any, mmsis: list[int]) -> dict[int, str]:
    if not mmsis:
        return {}
    statics = (
        scan_statics(ws, mmsi=mmsis).select("mmsi", "ts", "name").drop_nulls("name").sort("ts").collect()
    )
    return {int(m): str(n) for m, n in statics.group_by("mmsi").agg(pl.col("name").last()).iter_rows()}


def _label(names: dict[int, str], mmsi: int) -> str:
    return f"{names[mmsi]} (MMSI {mmsi})" if mmsi in names else f"MMSI {mmsi}"


def dark(ws: Any, mon: Monitor, shared: Shared) -> tuple[list[AlertDraft], bool]:
    new = shared.new_positions(ws, mon.watermark)
    if new.empty:
        return [], False
    p = mon.params
    start = new.start - timedelta(hours=float(p["lookback_h"]))
    recent = window(ws, new.start, new.now, mmsi=p["mmsi"])  # from the first new report on
    past = last_before(ws, start, new.start, mmsi=p["mmsi"])  # and each vessel's report before it
    win = pl.concat([past.select(recent.columns), recent]).sort("mmsi", "ts")
    if win.height == 0:
        return [], True
    need = first_new_without_past(win, new.sources)
    before = last_before(ws, start - timedelta(days=MAX_SILENCE_DAYS), start, mmsi=need) if need else None
    events = with_reception(ws, dark_events(win, new.sources, new.now, float(p["hours"]), before), new.now)
    names = vessel_names(ws, sorted(set(events["mmsi"].to_list())))
    drafts = []
    for e in events.iter_rows(named=True):
        who = _label(names, e["mmsi"])
        state = (
            f"no AIS position for {e['silent_h']:.1f} h so far"
            if e["open"]
            else f"dark for {e['silent_h']:.1f} h"
        )
        points = [[e["off_lon"], e["off_lat"]]] + ([] if e["open"] else [[e["on_lon"], e["on_lat"]]])
        outage = e["outage_h"] > 0
        drafts.append(AlertDraft(
            subject=f"vessel:mmsi:{e['mmsi']}", event_key=f"dark:{_iso(e['off_ts'])}",
            title=f"{who}: {state} (last heard {_iso(e['off_ts'])})"
            + (" during a reception outage" if outage else ""),
            summary=(f"Watched vessel {who} sent no AIS position between {_iso(e['off_ts'])} and "
                     + (f"{_iso(e['on_ts'])}." if not e["open"] else f"the latest data ({_iso(new.now)}), still silent.")
                     + (f" For {e['outage_h']:.1f} h of it the other vessels heard where it went off fell silent "
                        "too (a reception outage): the silence says little about this ship."
                        if outage else " A silence can be the ship switching off AIS or no receiver in range.")),
            confidence="unlikely" if outage else "roughly even chance",
            start=e["off_ts"], end=e["on_ts"] or new.now,
            geometry={"type": "MultiPoint", "coordinates": points} if len(points) > 1 else {"type": "Point", "coordinates": points[0]},
            evidence=tuple(s for s in (e["off_source"], e["on_source"]) if s),
            details={"mmsi": e["mmsi"], "silent_h": round(e["silent_h"], 2), "open": e["open"], "threshold_h": p["hours"],
                     "reception": "outage" if outage else "no outage seen", "outage_h": round(e["outage_h"], 2)},
        ))  # fmt: skip
    return drafts, True


def with_reception(ws: Any, events: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """``outage_h`` per silence: hours of it inside a reception outage of the cell where the vessel
    went off (``maritime.coverage``: most of the fleet heard there fell silent too, or nothing at all
    was heard), judged from every vessel stored since just before the silences, not only the watched
    ones."""
    if events.height == 0:
        return events.with_columns(outage_h=pl.lit(0.0))
    import numpy as np

    from armswatch.maritime.coverage import CoverageParams, cell_np, compute_coverage
    from armswatch.maritime.store import scan_positions

    params = CoverageParams()
    lat, lon = events["off_lat"].to_numpy(), events["off_lon"].to_numpy()
    first_off = events["off_ts"].min()
    if not isinstance(first_off, datetime):  # pragma: no cover - off_ts is a non-null datetime column
        raise TypeError("dark events without an off time")
    since = first_off - timedelta(hours=params.baseline_h + 1)
    # the whole feed, lazily (one group-by per vessel-hour): an outage is only known up to the last
    # hour anything at all was heard, so the area around the vessel alone is not enough
    coverage = compute_coverage(scan_positions(ws, since, now + timedelta(microseconds=1)), params)
    t0 = events["off_ts"].dt.epoch("s").to_numpy().astype(np.int64)
    t1 = events["on_ts"].fill_null(now).dt.epoch("s").to_numpy().astype(np.int64)
    first, last = coverage.overlap(cell_np(lat, lon, params.cell_deg), t0, t1)
    hit = last > first
    hours = np.where(hit, (np.minimum(last, t1) - np.maximum(first, t0)) / 3600.0, 0.0)
    return events.with_columns(outage_h=pl.Series("outage_h", np.maximum(hours, 0.0)))


def _designated(ws: Any, mmsis: list[int], threshold: float) -> dict[int, str]:
    """MMSIs among ``mmsis`` that the workspace's lists name as a vessel (``ais screen``'s "listed")."""
    from armswatch.joins.vessel_screen import ais_vessel_facts, screen_facts, workspace_listed_vessels
    from armswatch.matching.vessel import LISTED

    listed = workspace_listed_vessels(ws)
    if not listed or not mmsis:
        return {}
    facts = ais_vessel_facts(scan_statics(ws, mmsi=mmsis).collect(), mmsis)
    rows = screen_facts(facts, listed, threshold)
    return {r.mmsi: f"{r.listed} ({r.dataset}; {r.explanation})" for r in rows if r.match.status == LISTED}


def port(ws: Any, mon: Monitor, shared: Shared) -> tuple[list[AlertDraft], bool]:
    new = shared.new_positions(ws, mon.watermark)
    if new.empty:
        return [], False
    place = resolve_place(ws, mon.params)
    win = window(ws, new.start - timedelta(hours=6), new.now, bbox=place.bbox(20_000))
    entries = port_entries(win, new.sources, place.lat, place.lon, place.radius_m)
    if entries.height == 0:
        return [], True
    seen = sorted(set(entries["mmsi"].to_list()))
    why = {m: "named by the monitor (--mmsi)" for m in mon.params.get("mmsi", []) if m in seen}
    why = {**_designated(ws, seen, float(mon.params["threshold"])), **why}
    names = vessel_names(ws, sorted(why))
    drafts = []
    for e in entries.filter(pl.col("mmsi").is_in(list(why))).iter_rows(named=True):
        who = _label(names, e["mmsi"])
        drafts.append(AlertDraft(
            subject=f"vessel:mmsi:{e['mmsi']}", event_key=f"port:{place.subject}:{_iso(e['ts'])}",
            title=f"{who} entered {place.name} ({place.radius_m / 1000:.1f} km) at {_iso(e['ts'])}",
            summary=f"Designated vessel {who} came within {e['distance_m'] / 1000:.1f} km of {place.name}. Designation: {why[e['mmsi']]}.",
            confidence="likely", start=e["ts"], end=e["ts"], subjects=(place.subject,),
            geometry={"type": "Point", "coordinates": [e["lon"], e["lat"]]}, evidence=(e["source"],),
            details={"mmsi": e["mmsi"], "distance_m": round(e["distance_m"]), "designation": why[e["mmsi"]]},
        ))  # fmt: skip
    return drafts, True


def encounter(ws: Any, mon: Monitor, shared: Shared) -> tuple[list[AlertDraft], bool]:
    from armswatch.maritime.encounter import EncounterParams, detect_encounters
    from armswatch.maritime.event import haversine_m_np, prepare_positions, with_steps

    new = shared.new_positions(ws, mon.watermark)
    if new.empty:
        return [], False
    place = resolve_place(ws, mon.params)
    lookback = timedelta(hours=float(mon.params["lookback_h"]))
    since = new.start - lookback
    win = window(ws, since, new.now, bbox=place.bbox(10_000))
    if win.height == 0:
        return [], True
    if "context" not in shared.extra:
        from armswatch.maritime.events import workspace_context

        shared.extra["context"] = workspace_context(ws)[0]
    steps = with_steps(prepare_positions(win)).with_columns(across_outage=pl.lit(False))
    events = detect_encounters(steps, shared.extra["context"].ports, EncounterParams())
    near = (
        haversine_m_np(events["lat"].to_numpy(), events["lon"].to_numpy(), place.lat, place.lon)
        <= place.radius_m
    )
    events = events.filter(pl.Series(near) & (pl.col("end_utc") >= new.start))
    names = vessel_names(ws, sorted({*events["mmsi"].to_list(), *events["other_mmsi"].to_list()}))
    alerted = _alerted_encounters(ws, mon.id) if events.height else {}
    drafts = []
    for e in events.iter_rows(named=True):
        a, b = _label(names, e["mmsi"]), _label(names, e["other_mmsi"])
        key = next(
            (k for k, span in alerted.get((e["mmsi"], e["other_mmsi"]), {}).items()
             if same_meeting(span, e["start_utc"], e["end_utc"], since, lookback)),
            f"encounter:{e['other_mmsi']}:{_iso(e['start_utc'])}",
        )  # fmt: skip
        srcs = win.filter(
            pl.col("mmsi").is_in([e["mmsi"], e["other_mmsi"]])
            & pl.col("ts").is_between(e["start_utc"], e["end_utc"])
        )
        drafts.append(AlertDraft(
            subject=f"vessel:mmsi:{e['mmsi']}", event_key=key,
            title=f"Encounter near {place.name}: {a} and {b}, {e['duration_h']:.1f} h from {_iso(e['start_utc'])}",
            summary=f"{a} and {b} stayed close at low speed for {e['duration_h']:.1f} h within {place.radius_m / 1000:.0f} km of {place.name}.",
            confidence="likely", start=e["start_utc"], end=e["end_utc"],
            subjects=(f"vessel:mmsi:{e['other_mmsi']}", place.subject),
            geometry={"type": "Point", "coordinates": [e["lon"], e["lat"]]},
            evidence=tuple(sorted(set(srcs["source"].to_list()))), details={"event": e["details"]},
        ))  # fmt: skip
    return drafts, True


MEETING_GAP = timedelta(minutes=30)
"""Two encounters of one pair this close in time are one meeting (one alert)."""


def same_meeting(
    alerted: tuple[datetime, datetime], start: datetime, end: datetime, since: datetime, lookback: timedelta
) -> bool:
    """Is an encounter ``start``-``end`` of a pair, found in a window beginning at ``since``, the
    meeting alerted before as ``alerted`` (start, end)? Yes when they overlap (within
    :data:`MEETING_GAP`), or when this one is cut at the window's start and the alerted one began
    before that start and was last seen within a lookback of it (the same meeting, seen longer)."""
    first, last = alerted
    if first - MEETING_GAP <= end and start <= last + MEETING_GAP:
        return True
    cut = start <= since + MEETING_GAP
    return cut and first <= since and last >= since - lookback


def _alerted_encounters(ws: Any, mid: str) -> dict[tuple[int, int], dict[str, tuple[datetime, datetime]]]:
    """(mmsi, other mmsi) -> {event key: (start, end)} of the monitor's encounter alerts."""
    from armswatch.monitors.store import alerts_like

    out: dict[tuple[int, int], dict[str, tuple[datetime, datetime]]] = {}
    for row in alerts_like(ws, mid, "encounter:"):
        finding = ws.get_finding(row["finding_id"])
        if finding.start is None or finding.end is None:
            continue
        pair = (int(row["subject"].rsplit(":", 1)[1]), int(row["event_key"].split(":")[1]))
        out.setdefault(pair, {})[row["event_key"]] = (finding.start, finding.end)
    return out


def imagery(ws: Any, mon: Monitor, shared: Shared) -> tuple[list[AlertDraft], bool]:
    ids = set(new_finding_ids(ws, mon.watermark, shared.head))
    if not ids:
        return [], False
    sites = {f"site:{s}" for s in mon.params["sites"]}
    drafts = []
    for f in ws.list_findings(kind="imagery.change"):
        if f.id not in ids or not at_least(f.confidence, mon.params["min_confidence"]):
            continue
        where = [s for s in f.subjects if s.startswith("site:")]
        if sites and not sites & set(where):
            continue
        drafts.append(AlertDraft(
            subject=where[0] if where else f"finding:{f.id}", event_key=f"finding:{f.id}",
            title=f"New imagery change ({f.confidence}): {f.title}", summary=f.summary, confidence=f.confidence,
            start=f.start, end=f.end, geometry=f.geometry, evidence=tuple(f.evidence),
            subjects=(f"finding:{f.id}", *where[1:]), details={"finding": f.id},
        ))  # fmt: skip
    return drafts, True


def listing(ws: Any, mon: Monitor, shared: Shared) -> tuple[list[AlertDraft], bool]:
    from armswatch.entities.history import compare_snapshots, entities_at, snapshots
    from armswatch.entities.screen import screen_subjects, subjects_from_entities
    from armswatch.matching.index import CandidateIndex
    from armswatch.matching.subject import subject_from_row

    new = new_snapshot_ids(ws, mon.watermark, shared.head)
    if not new:
        return [], False
    infos = {s.id: s for s in snapshots(ws)}
    queries = [subject_from_row(q) for q in mon.params["queries"]]
    drafts = []
    for sid in new:
        change = compare_snapshots(ws, sid)
        if change is None or not change.listed or sid not in infos:
            continue
        listed = set(change.listed)
        entities = [e for e in entities_at(ws, change.list_date, datasets=[change.dataset]) if e.id in listed]
        index = CandidateIndex(subjects_from_entities(entities, change.dataset))
        for m in screen_subjects(index, queries, float(mon.params["threshold"])):
            drafts.append(AlertDraft(
                subject=f"entity:{m.entity_id}", event_key=f"listing:{change.dataset}:{change.list_date}",
                title=f"Newly listed on {change.dataset} ({change.list_date}): {m.entity_name}, matches case entity {m.query_name}",
                summary=f"{m.entity_name} appears on {change.dataset} as of {change.list_date}"
                + ("" if change.previous_id else " (the first snapshot of this list in the case)")
                + f". Match with case entity {m.query_name}: {m.explanation} (score {m.score:.2f}).",
                confidence="likely" if m.score >= 0.9 else "roughly even chance",
                evidence=(infos[sid].artifact_id,), subjects=(f"query:{m.query_id}",),
                details={"dataset": change.dataset, "snapshot": sid, "score": m.score, "query": m.query_id},
            ))  # fmt: skip
    return drafts, True


EVALUATORS: dict[str, Evaluator] = {
    "dark": dark, "port": port, "encounter": encounter, "imagery": imagery, "listing": listing,
}  # fmt: skip
