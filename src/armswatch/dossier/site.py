"""Gather one facility's dossier: where it is and how precisely, what sources say it does, its imagery
time series (scenes, change, areas, counts), vessel and rail movements at it and at the sites it is
linked to in findings, munition items traced to it, linked entities, and every finding naming it.

Movements: findings naming the site (port calls, dark port calls, shuttles, rail counts, reconstructed
voyages, …) and, for a port or rail site, port calls computed for this dossier from the AIS positions
within :data:`PORT_RADIUS_KM` of it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final

from armswatch import __version__
from armswatch.dossier.charts import count_chart, count_rows, series_chart
from armswatch.dossier.finding import finding_statement, findings_about
from armswatch.dossier.model import Chart, Dossier, Provenance, Statement
from armswatch.dossier.vessel import SIMULATED_NOTE, attach_runs, mark_simulated
from armswatch.provenance.clock import utcnow

if TYPE_CHECKING:
    from armswatch.provenance.model import Finding
    from armswatch.sites.model import Site
    from armswatch.workspace import Workspace

MOVEMENT_PREFIXES: Final = ("ais.", "rail.", "sanctions.vessel_activity", "voyage", "maritime.")
IMAGERY_PREFIX: Final = "imagery."
PORT_RADIUS_KM: Final = 5.0


def _watchlist_prov(site: Site) -> Provenance:
    cited = "; ".join(site.sources) or "no source cited"
    return Provenance(f"site watchlist (sources: {cited})", review="watchlist entry")


def location_statements(site: Site) -> list[Statement]:
    lon, lat = site.lonlat
    shape = site.geometry.geom_type.lower()
    text = (f"{site.name} ({site.kind}, {site.country}) at {lat:.5f}° N, {lon:.5f}° E ({shape}); location "
            f"precision: {site.precision}")  # fmt: skip
    if site.aliases:
        text += f"; also known as {'; '.join(site.aliases)}"
    from shapely.geometry import mapping

    out = [Statement("location", "location", text, (_watchlist_prov(site),), geometry=mapping(site.geometry))]
    entry = Provenance("site watchlist", review="watchlist entry")
    for src in site.sources:
        out.append(Statement("description", "source", f"Cited source: {src}", (entry,)))
    if site.notes:
        out.append(Statement("description", "notes", site.notes, (_watchlist_prov(site),)))
    return out


def scene_statements(ws: Workspace, site_id: str) -> list[Statement]:
    from armswatch.imagery.archive import site_scenes

    out = []
    for a in site_scenes(ws, site_id):
        q = a.metadata.get("quality")
        usable = q.get("usable_fraction") if isinstance(q, dict) else a.metadata.get("valid_fraction")
        share = f", {float(usable):.0%} of the site usable" if isinstance(usable, (int, float)) else ""
        prov = Provenance(a.source_id or "imagery scene", (a.id,), review="scene (artifact)", detail=a.name)
        when = f"{a.captured_at:%Y-%m-%d}" if a.captured_at else "undated"
        out.append(Statement("imagery", "scene", f"Scene {a.name} captured {when}{share}", (prov,),
                             a.captured_at, a.captured_at, simulated=a.simulated))  # fmt: skip
    return out


def series_statements(ws: Workspace, site_id: str, live: set[str]) -> tuple[list[Statement], list[Chart]]:
    """Change intervals of the monitored series (areas, objects) and its chart."""
    from armswatch.imagery.monitor import read_series

    frame = read_series(ws).get(site_id)
    if frame is None or frame.height == 0:
        return [], []
    runs = [r for r in ws.list_runs(tool="imagery.monitor") if r.parameters.get("site") == site_id]
    run = runs[-1].id if runs else None
    out = []
    for r in frame.iter_rows(named=True):
        finding = r.get("finding")
        state = "finding " + finding if finding else "below the finding threshold"
        prov = Provenance("imagery.monitor series", tuple(a for a in (r.get("before"), r.get("after")) if a), run,
                          review=state, finding=finding)  # fmt: skip
        text = (f"{r['start']} → {r['end']}: +{float(r['new_m2']):,.0f} m² new structures, "
                f"{float(r['cleared_m2']):,.0f} m² cleared, {r['objects']} objects, {float(r['valid_share']):.0%} usable; "
                f"cumulative +{float(r['cumulative_new_m2']):,.0f} m²")  # fmt: skip
        out.append(Statement("imagery", "interval", text, (prov,), _dt(r["start"]), _dt(r["end"])))
    rows = [{**r, "live": r.get("finding") in live} for r in frame.iter_rows(named=True)]
    return out, [series_chart(rows)]


def _dt(text: Any) -> Any:
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
    except ValueError:
        return None


def munition_statements(ws: Workspace, site_id: str) -> tuple[list[Statement], set[str]]:
    from armswatch.munitions.store import list_items

    out: list[Statement] = []
    entities: set[str] = set()
    for item in list_items(ws, site=site_id):
        marks = "; ".join(m.text + (f" ({m.romanised})" if m.romanised else "") for m in item.markings)
        bits = [item.label, f"markings: {marks}" if marks else "", f"origin {item.origin_country}" if item.origin_country else "",
                f"basis: {item.origin_basis}" if item.origin_basis else "", f"shipments: {', '.join(item.shipments)}" if item.shipments else ""]  # fmt: skip
        prov = Provenance("munition item register; sources: " + ("; ".join(item.sources) or "none cited"), item.evidence,
                          review=f"item record ({item.confidence_tag or 'no confidence tag'})", detail=f"item {item.id}")  # fmt: skip
        out.append(Statement("munition", item.type, f"{item.id}: " + "; ".join(b for b in bits if b), (prov,),
                             _dt(item.recovered_at) if len(item.recovered_at) == 10 else None))  # fmt: skip
        entities.update(item.entities)
    return out, entities


def entity_statements(ws: Workspace, entity_ids: set[str]) -> list[Statement]:
    """Each linked entity with its listing status. Records an analyst resolved as one entity
    (``armswatch entities resolve``), or its ``res-`` id, are one statement naming every record, list and
    the judgements that joined them."""
    from armswatch.entities.history import entity_at
    from armswatch.entities.resolution import clusters
    from armswatch.entities.view import listing_text

    found = clusters(ws)
    out = []
    for cid in sorted(dict.fromkeys(found.canonical(e) for e in entity_ids)):
        views = []
        for eid in found.members(cid):
            try:
                views.append(entity_at(ws, eid))
            except LookupError:
                continue
        if not views:
            what = (
                "a resolved entity no longer in force"
                if cid.startswith("res-")
                else "not in this workspace's lists"
            )
            out.append(Statement("entity", "unknown", f"{cid} ({what})", (Provenance("finding subject"),)))
            continue
        named = next((v.entity for v in views if v.entity is not None), None)
        name = named.caption if named is not None else cid
        status = "; ".join(
            f"{lst.dataset}: {listing_text(lst)}" + (f" ({v.entity_id})" if found.is_canonical(cid) else "")
            for v in views
            for lst in v.listings
        )
        rows = [r for v in views for r in v.statements]
        arts = tuple(sorted({r["artifact_id"] for r in rows if r.get("artifact_id")}))
        provs = [
            Provenance("lists " + ", ".join(sorted({r["dataset"] for r in rows})), arts, review="list entry")
        ]
        label = f"{name} ({cid})"
        if found.is_canonical(cid):
            label = f"{name} (resolved entity {cid}: records {', '.join(v.entity_id for v in views)})"
            provs += [
                Provenance(
                    "entity resolution (armswatch entities resolve)",
                    review="analyst judgement (entities resolve)",
                    detail=f"{j.analyst} judged {j.left_id} and {j.right_id} the {j.judgement} on "
                    f"{j.created_at[:16].replace('T', ' ')} UTC ({j.id})" + (f": {j.note}" if j.note else ""),
                )
                for j in found.judgements_of(cid)
            ]
        schema = named.schema.name if named is not None else "entity"
        out.append(Statement("entity", schema, f"{label}: {status or 'no listing'}", tuple(provs)))
    return out


def _linked_sites(site_id: str, findings: list[Finding]) -> set[str]:
    return {s[5:] for f in findings for s in f.subjects if s.startswith("site:") and s[5:] != site_id}


def _section(f: Finding) -> str:
    if f.kind.startswith(IMAGERY_PREFIX):
        return "imagery"
    return "movement" if f.kind.startswith(MOVEMENT_PREFIXES) else "finding"


def site_dossier(ws: Workspace, site_id: str) -> Dossier:
    t0 = time.perf_counter()
    site = ws.get_site(site_id)  # NotFoundError for an unknown id
    runs = {r.id: r for r in ws.list_runs()}
    findings = findings_about(ws, [f"site:{site.id}"])
    linked = _linked_sites(site.id, findings)
    sites = [site, *(s for s in ws.list_sites() if s.id in linked)]
    live = {f.id for f in findings if f.status != "rejected"}
    series, charts = series_statements(ws, site.id, live)
    counts = count_rows(findings)
    if counts:
        charts.append(count_chart(counts))
    munitions, item_entities = munition_statements(ws, site.id)
    entity_ids = {s[7:] for f in findings for s in f.subjects if s.startswith("entity:")} | item_entities
    from armswatch.dossier.site_ais import port_call_statements

    calls, call_note = port_call_statements(
        ws, [s for s in sites if s.kind in ("port", "rail")], PORT_RADIUS_KM
    )
    statements = [
        *location_statements(site),
        *scene_statements(ws, site.id),
        *series,
        *calls,
        *munitions,
        *entity_statements(ws, entity_ids),
        *(finding_statement(f, runs, _section(f)) for f in findings),
    ]
    statements = mark_simulated(ws, attach_runs(runs.values(), statements))
    lon, lat = site.lonlat
    facts = (
        ("site", f"{site.name} ({site.id})"),
        ("kind", site.kind),
        ("location", f"{lat:.5f}, {lon:.5f} ({site.precision} precision)"),
        ("linked sites", ", ".join(sorted(linked)) or "none"),
        ("scenes", str(sum(s.kind == "scene" for s in statements))),
        ("findings", f"{len(findings)} ({len(findings) - len(live)} rejected)"),
        ("munition items", str(len(munitions))),
    )
    notes = ["Linked sites are the sites named together with this one in findings (a shipment, a shuttle, a "
             "reconstructed voyage); their port calls count as movements at the places this facility feeds."]  # fmt: skip
    if call_note:
        notes.append(call_note)
    return Dossier(
        subject="site", id=site.id, title=f"Facility dossier: {site.name}", generated_at=utcnow(),
        workspace=ws.name, version=__version__, facts=facts, statements=tuple(statements), sites=tuple(sites),
        charts=tuple(charts), notes=tuple(notes),
        simulated_note=SIMULATED_NOTE if any(s.simulated for s in statements) else "",
        stats={"findings": len(findings), "statements": len(statements), "total_s": round(time.perf_counter() - t0, 3)},
    )  # fmt: skip
