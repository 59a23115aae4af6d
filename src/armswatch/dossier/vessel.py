"""Gather one vessel's dossier: identity over time, register, designations, ownership chain,
movements (port calls, gaps, encounters, loitering, spoofing checks) and every finding naming it.

``vessel_dossier(ws, "8660313")`` (an IMO number) or ``vessel_dossier(ws, "445301000")`` (an MMSI).
The vessel is every MMSI that broadcast one of its IMO numbers and every identifier its list entries
carry, so a ship that changed MMSI keeps one story. :class:`NotFoundError` when nothing in the
workspace knows the identifier.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from armswatch import __version__
from armswatch.dossier.finding import finding_statement, findings_about
from armswatch.dossier.model import Dossier, Statement
from armswatch.dossier.ownership import ownership_statements
from armswatch.dossier.vessel_ais import (
    VesselKeys,
    detect_vessel_events,
    event_statements,
    identity_statements,
    imos_of,
    mmsi_statements,
    mmsis_with_imo,
    parse_key,
    positions_for,
    statics_for,
    track_geometry,
)
from armswatch.dossier.vessel_lists import (
    designation_statements,
    list_identity,
    registry_for,
    registry_statements,
    vessel_views,
)
from armswatch.errors import NotFoundError
from armswatch.provenance.clock import utcnow
from armswatch.types.imo import clean_imo

if TYPE_CHECKING:
    from armswatch.entities.history import EntityView
    from armswatch.provenance.model import Run
    from armswatch.sites.model import Site
    from armswatch.workspace import Workspace

SIMULATED_NOTE = (
    "This dossier rests partly on SIMULATED data (marked SIMULATED). Simulated tracks, lists and findings "
    "illustrate the method only; they are not observations of the world."
)


def resolve(ws: Workspace, key: str) -> tuple[VesselKeys, list[EntityView]]:
    """Every MMSI and IMO of the vessel, and its list entries."""
    kind, value = parse_key(key)
    imos = {value} if kind == "imo" else set()
    mmsis = {int(value)} if kind == "mmsi" else set()
    for imo in list(imos):
        mmsis.update(mmsis_with_imo(ws, imo))
    imos.update(imos_of(statics_for(ws, tuple(sorted(mmsis)))))
    views = vessel_views(ws, mmsis, imos)
    for v in views:
        if v.entity is None:
            continue
        imos.update(i for i in (clean_imo(x) for x in v.entity.get("imoNumber", quiet=True)) if i)
        mmsis.update(
            int(m) for m in v.entity.get("mmsi", quiet=True) if (m.isascii() and m.isdigit()) and len(m) == 9
        )
    for imo in sorted(imos - ({value} if kind == "imo" else set())):
        mmsis.update(mmsis_with_imo(ws, imo))
    return VesselKeys(key, tuple(sorted(mmsis)), tuple(sorted(imos))), views


def _entity_ids(ws: Workspace, views: list[EntityView]) -> list[str]:
    """The ids findings may name the vessel's list entries by: each record, and the ``res-`` id of a
    resolved entity it belongs to (screening names its matches so), withdrawn ones included."""
    from armswatch.entities.cluster import Clusters
    from armswatch.entities.resolution import judgements
    from armswatch.entities.resolved import subject_ids

    every = judgements(ws)
    found = Clusters(every)
    return list(dict.fromkeys(i for v in views for i in subject_ids(v.entity_id, found, every)))


def _name(statics: pl.DataFrame, views: list[EntityView], registry: list[dict[str, Any]]) -> str:
    named = statics.drop_nulls("name")
    if named.height:
        return str(named.sort("ts")["name"][-1])
    for v in views:
        if v.entity is not None:
            return str(v.entity.caption)
    return next((str(r["name"]) for r in reversed(registry) if r["name"]), "")


def _sites_near(ws: Workspace, track: dict[str, Any] | None, named: set[str]) -> tuple[Site, ...]:
    sites = ws.list_sites()
    if track is None:
        return tuple(s for s in sites if s.id in named)
    lons = [c[0] for c in track["coordinates"]]
    lats = [c[1] for c in track["coordinates"]]
    x0, x1, y0, y1 = min(lons) - 0.1, max(lons) + 0.1, min(lats) - 0.1, max(lats) + 0.1
    return tuple(s for s in sites if s.id in named or (x0 <= s.lonlat[0] <= x1 and y0 <= s.lonlat[1] <= y1))


def vessel_dossier(ws: Workspace, key: str) -> Dossier:
    t0 = time.perf_counter()
    keys, views = resolve(ws, key)
    registry = registry_for(ws, keys.imos)
    entity_subjects = [f"entity:{i}" for i in _entity_ids(ws, views)]
    findings = findings_about(ws, [*keys.subjects, *entity_subjects])
    if not keys.mmsis and not views and not registry and not findings:
        raise NotFoundError(
            f"nothing in this workspace knows vessel {key!r} (no AIS, list entry, register row or finding)"
        )
    statics = statics_for(ws, keys.mmsis)
    pos = positions_for(ws, keys.mmsis)
    t_read = time.perf_counter()
    events, enc_note = detect_vessel_events(ws, pos, keys.mmsis)
    t_events = time.perf_counter()
    runs = {r.id: r for r in ws.list_runs()}
    identity, left_out = identity_statements(statics)
    statements: list[Statement] = [
        *mmsi_statements(pos),
        *identity,
        *list_identity(ws, views),
        *registry_statements(registry),
        *designation_statements(ws, views),
    ]
    if views or registry:
        statements += ownership_statements(ws, views, registry)
    statements += event_statements(events, pos)
    statements += [finding_statement(f, runs) for f in findings]
    statements = mark_simulated(ws, attach_runs(runs.values(), statements))
    simulated = any(s.simulated for s in statements)
    track = track_geometry(pos)
    named = {s[5:] for f in findings for s in f.subjects if s.startswith("site:")}
    name = _name(statics, views, registry)
    ids = " / ".join([*(f"IMO {i}" for i in keys.imos), *(f"MMSI {m:09d}" for m in keys.mmsis)])
    notes = (
        []
        if pos.height == 0
        else [
            "Movements are computed for this dossier from the stored AIS positions with the default thresholds of "
            "'armswatch ais events'; data outages come from the other vessels heard around the track. They are not "
            "reviewed findings: record and review them with 'armswatch ais events'.",
        ]
    )
    if enc_note:
        notes.append(enc_note)
    if left_out:
        notes.append(f"{left_out} further identity periods are not listed (the first {len(identity)} are).")
    if keys.imos and len(keys.mmsis) > 1:
        notes.append("Several MMSIs broadcast this vessel's IMO number; an MMSI shared by two ships at once "
                     "shows as an identity finding.")  # fmt: skip
    first, last = (pos["ts"].min(), pos["ts"].max()) if pos.height else (None, None)
    period = (
        f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} UTC"
        if isinstance(first, datetime) and isinstance(last, datetime)
        else "—"
    )
    facts = (
        ("asked for", key),
        ("identifiers", ids or "—"),
        ("latest name", name or "—"),
        ("AIS positions", f"{pos.height:,}"),
        ("AIS period", period),
        ("list entries", ", ".join(v.entity_id for v in views) or "none"),
        ("register rows", str(len(registry))),
        ("findings", f"{len(findings)} ({sum(f.status == 'rejected' for f in findings)} rejected)"),
    )  # fmt: skip
    return Dossier(
        subject="vessel",
        id=key,
        title=f"Vessel dossier: {name or key}" + (f" ({ids})" if ids else ""),
        generated_at=utcnow(),
        workspace=ws.name,
        version=__version__,
        facts=facts,
        statements=tuple(statements),
        track=track,
        sites=_sites_near(ws, track, named),
        notes=tuple(notes),
        simulated_note=SIMULATED_NOTE if simulated else "",
        stats={"positions": pos.height, "statics": statics.height, "events": events.height, "findings": len(findings),
               "read_s": round(t_read - t0, 3), "events_s": round(t_events - t_read, 3),
               "total_s": round(time.perf_counter() - t0, 3)},
    )  # fmt: skip


def attach_runs(runs: Iterable[Run], statements: list[Statement]) -> list[Statement]:
    """A provenance record without a run gets the first run that read or wrote one of its artifacts
    (the ingest of an AIS file, the import of a list): the run is then part of every statement's trail."""
    from dataclasses import replace

    first: dict[str, str] = {}
    for r in sorted(runs, key=lambda r: r.started_at):
        for a in (*r.inputs, *r.outputs):
            first.setdefault(a, r.id)
    out = []
    for s in statements:
        provs = tuple(
            replace(p, run=next((first[a] for a in p.artifacts if a in first), None)) if p.run is None else p
            for p in s.provenance
        )
        out.append(replace(s, provenance=provs))
    return out


def mark_simulated(ws: Workspace, statements: list[Statement]) -> list[Statement]:
    """Statements resting on a simulated artifact are marked simulated (one artifact query)."""
    from dataclasses import replace

    sim_ids = {a.id for a in ws.list_artifacts() if a.simulated}
    return [
        replace(s, simulated=True)
        if not s.simulated and any(a in sim_ids for p in s.provenance for a in p.artifacts)
        else s
        for s in statements
    ]
