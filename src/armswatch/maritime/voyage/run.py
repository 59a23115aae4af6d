"""Workspace edge of the dark-voyage reconstruction: one ``ais.voyages`` run, one ``ais.voyage.dark``
finding per silence from which a watched port was within reach.

Gaps are found by the same detector as ``armswatch ais events`` (with the data's coverage, so a
receiver outage is not a vessel going dark) over all positions of the period; ``mmsis`` narrows
the vessels reconstructed, not the coverage. Corroboration comes from the workspace: sightings and
records (:mod:`armswatch.maritime.voyage.record`) and ``imagery.count`` findings at the ports
(rejected ones left out).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from armswatch.errors import InputError, NotFoundError
from armswatch.io.text import csv_safe_frame
from armswatch.maritime.voyage.corroborate import CaseItem, Corroboration, CorroborationParams, corroborate
from armswatch.maritime.voyage.reconstruct import Voyage, VoyageParams, reconstruct, voyage_geometry
from armswatch.workspace import Workspace

KIND = "ais.voyage.dark"
TOOL = "ais.voyages"
_SIZE = re.compile(r"^\s*([0-9.]+)\s*x\s*([0-9.]+)\s*$")


def case_items(ws: Workspace) -> list[CaseItem]:
    """Sightings, records and imagery counts of the workspace as corroboration items (site ids as the
    voyage's ports name them: ``site:<id>``)."""
    from armswatch.maritime.voyage.record import list_records, list_sightings

    items = [
        CaseItem("sighting", s.id, f"site:{s.site_id}", s.at, s.vessel, label=s.note or "sighting")
        for s in list_sightings(ws)
    ]
    items += [
        CaseItem(r.kind, r.id, f"site:{r.site_id}", r.at, r.vessel, label=r.source) for r in list_records(ws)
    ]
    for f in ws.list_findings(kind="imagery.count"):
        if f.status == "rejected" or f.start is None:
            continue
        m = _SIZE.match(str(f.details.get("size_m", "")))
        length = float(m.group(1)) if m else 0.0
        count = int(f.details.get("count") or 0)
        for subj in f.subjects:
            if subj.startswith("site:"):
                items.append(
                    CaseItem("count", f.id, subj, f.start, length_m=length, count=count, label=f.title)
                )
    return items


def _vessel_keys(ws: Workspace, mmsis: Sequence[int]) -> dict[int, set[str]]:
    """``mmsi:N`` plus every IMO the vessel's AIS static reports gave."""
    from armswatch.maritime import store

    keys = {m: {f"mmsi:{m}"} for m in mmsis}
    try:
        st = store.scan_statics(ws, mmsi=list(mmsis)).select("mmsi", "imo").drop_nulls().unique().collect()
    except Exception:  # no statics table yet
        return keys
    for m, imo in st.iter_rows():
        keys.setdefault(int(m), {f"mmsi:{m}"}).add(f"imo:{imo}")
    return keys


def _title(v: Voyage, names: dict[int, str]) -> str:
    who = f"{names[v.mmsi]} (MMSI {v.mmsi})" if v.mmsi in names else f"MMSI {v.mmsi}"
    near = sorted(v.reachable, key=lambda p: p.via_km)
    ports = ", ".join(p.name.split(" (")[0].split(",")[0] for p in near[:3])
    more = f" and {len(near) - 3} more" if len(near) > 3 else ""
    return f"Dark voyage: {who} silent {v.hours:.0f} h; could have reached {ports}{more}"


def _summary(v: Voyage, c: Corroboration) -> str:
    fits = "; ".join(
        f"{p.name}: ≥ {p.min_speed_kn:.1f} kn, stay ≤ {p.max_stay_h:.1f} h"
        + (f", {p.sea_via_km:.0f} km by sea" if p.sea_via_km is not None else "")
        + (" (straight legs cross land)" if p.legs_cross_land else "")
        for p in sorted(v.reachable, key=lambda p: p.via_km)
    )
    seen = f" Observed: last call {v.call_before}." if v.call_before else ""
    seen += f" Next call {v.call_after}." if v.call_after else ""
    return (
        f"AIS off {v.off_time:%Y-%m-%d %H:%M} – {v.on_time:%Y-%m-%d %H:%M} UTC ({v.hours:.1f} h), "
        f"{v.direct_km:.0f} km between off and on positions; at ≤ {v.vmax_kn:g} kn the vessel could cover "
        f"{v.budget_km:.0f} km. Reachable watched ports: {fits}.{seen} Corroboration: {c.basis}."
    )


def _details(v: Voyage, c: Corroboration) -> dict[str, Any]:
    return {
        "off": {"time": v.off_time.isoformat(), "lat": v.off[0], "lon": v.off[1]},
        "on": {"time": v.on_time.isoformat(), "lat": v.on[0], "lon": v.on[1]},
        "hours": v.hours,
        "direct_km": v.direct_km,
        "budget_km": v.budget_km,
        "vmax_kn": v.vmax_kn,
        "implied_kn": v.implied_kn,
        "ellipse_land_share": v.land_share,
        "call_before": v.call_before,
        "call_after": v.call_after,
        "gap": v.gap,
        "ports": [asdict(p) for p in v.ports],
        "corroboration": c.as_dict(),
    }


def analyse_voyages(
    ws: Workspace,
    *,
    mmsis: Sequence[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    params: VoyageParams = VoyageParams(),
    cparams: CorroborationParams = CorroborationParams(),
    extra_ports: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Reconstruct every dark voyage in the period and record the run; returns its summary."""
    from armswatch.maritime import store
    from armswatch.maritime.event import prepare_positions
    from armswatch.maritime.events import EventParams, _vessel_names, detect, workspace_context

    lf = store.scan_positions(ws, start, end)
    ctx, _sites = workspace_context(ws, extra_ports)
    events = detect(lf, ctx, EventParams(types=("gap", "port_call"))).events
    gaps = events.filter(pl.col("event_type") == "gap")
    if mmsis:
        gaps = gaps.filter(pl.col("mmsi").is_in(list(mmsis)))
    vessels = gaps["mmsi"].unique().to_list()
    pos = prepare_positions(lf.filter(pl.col("mmsi").is_in(vessels)))
    ports = [(r[0], r[1], r[2], r[3]) for r in ctx.sites.select("site_id", "name", "lat", "lon").iter_rows()]
    voyages = reconstruct(gaps, pos, ports, params, port_calls=events)
    keys = _vessel_keys(ws, vessels)
    items = case_items(ws)
    names = _vessel_names(ws)
    inputs = _inputs(ws, lf)
    simulated = any(ws.get_artifact(a).simulated for a in inputs)
    run_params = {
        "mmsi": list(mmsis or []),
        "start": str(start) if start else None,
        "end": str(end) if end else None,
        "voyage": asdict(params),
        "corroboration": asdict(cparams),
        "ports": [p[0] for p in ports],
    }
    by_conf: dict[str, int] = {}
    recorded = 0
    with ws.run(TOOL, parameters=run_params, inputs=inputs) as run:
        for v in voyages:
            if not v.bridgeable or not v.reachable:
                continue
            c = corroborate(
                v.ports, v.off_time, v.on_time, keys.get(v.mmsi, {f"mmsi:{v.mmsi}"}), items, cparams
            )
            evidence = [_positions_artifact(ws, run, pos, v, simulated, params.leg_h)]
            evidence += _item_evidence(ws, c)
            run.add_finding(
                kind=KIND,
                title=_title(v, names),
                summary=_summary(v, c),
                subjects=[
                    f"vessel:mmsi:{v.mmsi}",
                    *(p.site_id for p in v.reachable if p.site_id.startswith("site:")),
                ],
                geometry=voyage_geometry(v),
                start=v.off_time,
                end=v.on_time,
                confidence=c.confidence,
                evidence=evidence,
                details=json.loads(json.dumps(_details(v, c), default=str)),
            )
            by_conf[c.confidence] = by_conf.get(c.confidence, 0) + 1
            recorded += 1
        summary: dict[str, Any] = {
            "gaps": gaps.height,
            "silences": len(voyages),
            "bridgeable": sum(v.bridgeable for v in voyages),
            "with reachable port": sum(bool(v.reachable) for v in voyages),
            "mean reachable ports": (sum(len(v.reachable) for v in voyages) / len(voyages))
            if voyages
            else 0.0,
            "findings": recorded,
            **{f"confidence.{k}": n for k, n in sorted(by_conf.items())},
        }
        run.summary.update(summary)
        summary["run"] = str(run.id)
    return summary


def _positions_artifact(
    ws: Workspace, run: Any, pos: pl.DataFrame, v: Voyage, simulated: bool, leg_h: float
) -> str:
    """The vessel's positions from ``leg_h`` before the silence to ``leg_h`` after (CSV evidence)."""
    pad = timedelta(hours=leg_h)
    ev = pos.filter((pl.col("mmsi") == v.mmsi) & pl.col("ts").is_between(v.off_time - pad, v.on_time + pad))
    art = ws.add_artifact(
        csv_safe_frame(ev.select("mmsi", "ts", "lat", "lon", "sog")).write_csv().encode(),
        name=f"ais-voyage-dark-{v.mmsi}-{v.off_time:%Y%m%dT%H%M}.csv",
        media_type="text/csv",
        metadata={"kind": "ais.evidence", "finding_kind": KIND, "positions": ev.height},
        simulated=simulated,
    )
    run.add_output(art.id)
    return str(art.id)


def _item_evidence(ws: Workspace, c: Corroboration) -> list[str]:
    """Artifacts behind the supporting items: a sighting's image, a count finding's evidence."""
    from armswatch.maritime.voyage.record import list_sightings

    images = {s.id: s.image for s in list_sightings(ws)}
    out: list[str] = []
    for its in c.supporting.values():
        for it in its:
            if it.kind == "sighting" and images.get(it.id):
                out.append(str(images[it.id]))
            elif it.kind == "count":
                out.extend(ws.get_finding(it.id).evidence)
    return out


def _inputs(ws: Workspace, lf: pl.LazyFrame) -> list[str]:
    ids = lf.select(pl.col("source").unique()).collect()["source"].drop_nulls().to_list()
    known = []
    for ref in ids:
        try:
            known.append(ws.get_artifact(ref).id)
        except (NotFoundError, InputError):
            continue
    return known
