"""The case in the formats other tools read: GeoPackage (QGIS), FollowTheMoney (Aleph, OpenSanctions
tools), STIX 2.1 (threat-intelligence platforms) and an entity-link CSV (i2, Maltego, Gephi).

Every export is written with the reference library of its format — pyogrio (GDAL) for GeoPackage,
followthemoney for FtM entities, stix2 for STIX — and the tests read each one back with the same
library. What a format cannot express is said in ``docs/exports.md``; nothing is silently dropped:
the counts of what was written are returned.

Rejected findings are left out of every export (they are not results); simulated records keep their
flag.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from armswatch.io.text import csv_cell
from armswatch.provenance.clock import to_iso
from armswatch.provenance.confidence import SCALE
from armswatch.provenance.model import Finding
from armswatch.workspace import Workspace

FORMATS: Final = ("gpkg", "ftm", "stix", "links")
LIVE: Final = ("new", "confirmed")
#: ICD 203 words to STIX 2.1 confidence (0-100): the midpoint of each word's probability range.
STIX_CONFIDENCE: Final = {word: round((low + high) * 50) for word, low, high in SCALE}


def live_findings(ws: Workspace) -> list[Finding]:
    return [f for f in ws.list_findings() if f.status in LIVE]


# ---------------------------------------------------------------- GeoPackage


def _layer(path: Path, name: str, geometries: list[Any], fields: dict[str, list[Any]], append: bool) -> int:
    import numpy as np
    import pyogrio.raw
    import shapely

    if not geometries:
        return 0
    wkb = np.asarray(shapely.to_wkb(geometries), dtype=object)
    columns = [np.asarray(v, dtype=object) for v in fields.values()]
    pyogrio.raw.write(
        str(path),
        wkb,
        columns,
        list(fields),
        layer=name,
        driver="GPKG",
        geometry_type="Unknown",
        crs="EPSG:4326",
        append=append,
    )
    return len(geometries)


def write_gpkg(ws: Workspace, path: Path, *, max_track_points: int = 5000) -> dict[str, int]:
    """Layers ``sites``, ``findings``, ``events`` and ``tracks`` (one simplified line per vessel)."""
    from shapely.geometry import LineString, Point, shape

    if path.exists():
        path.unlink()  # GeoPackage layers are appended to a file: start from none
    counts: dict[str, int] = {}
    sites = ws.list_sites()
    counts["sites"] = _layer(
        path,
        "sites",
        [s.geometry for s in sites],
        {
            "site_id": [s.id for s in sites],
            "name": [s.name for s in sites],
            "kind": [s.kind for s in sites],
            "country": [s.country for s in sites],
            "precision": [s.precision for s in sites],
            "sources": [" | ".join(s.sources) for s in sites],
        },
        append=False,
    )
    findings = [f for f in live_findings(ws) if f.geometry]
    counts["findings"] = _layer(
        path,
        "findings",
        [shape(f.geometry) for f in findings],
        _finding_fields(findings),
        append=counts["sites"] > 0,
    )
    events, tracks = _ais_layers(ws, max_track_points)
    append = bool(counts["sites"] or counts["findings"])
    counts["events"] = _layer(
        path,
        "events",
        [Point(e["lon"], e["lat"]) for e in events],
        {k: [e[k] for e in events] for k in ("event_type", "mmsi", "start", "end", "duration_h")},
        append=append,
    )
    append = append or counts["events"] > 0
    counts["tracks"] = _layer(
        path,
        "tracks",
        [LineString(t["coords"]) for t in tracks],
        {k: [t[k] for t in tracks] for k in ("mmsi", "first", "last", "positions")},
        append=append,
    )
    return counts


def write_findings_gpkg(
    ws: Workspace, path: Path, *, kind: str | None = None, status: str | None = None
) -> int:
    """Only the ``findings`` layer (findings with a geometry, live unless ``status`` asks otherwise)."""
    from shapely.geometry import shape

    if path.exists():
        path.unlink()
    chosen = [
        f for f in ws.list_findings(kind=kind, status=status) if f.geometry and (status or f.status in LIVE)
    ]
    return _layer(
        path, "findings", [shape(f.geometry) for f in chosen], _finding_fields(chosen), append=False
    )


def _finding_fields(findings: list[Finding]) -> dict[str, list[Any]]:
    return {
        "finding_id": [f.id for f in findings],
        "kind": [f.kind for f in findings],
        "title": [f.title for f in findings],
        "status": [f.status for f in findings],
        "confidence": [f.confidence for f in findings],
        "start": [to_iso(f.start) or "" for f in findings],
        "end": [to_iso(f.end) or "" for f in findings],
        "run_id": [f.run_id for f in findings],
        "simulated": [int(f.simulated) for f in findings],
    }


def _ais_layers(ws: Workspace, max_points: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """AIS events and per-vessel tracks from the workspace's Parquet tables, when there are any."""
    import polars as pl

    from armswatch.maritime.store import positions_path, scan_positions

    events: list[dict[str, Any]] = []
    tracks: list[dict[str, Any]] = []
    folder = Path(ws.tables_dir) / "ais_events"  # one file per detection run; the newest is current
    runs = sorted(folder.glob("*.parquet"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    if runs:
        frame = pl.read_parquet(runs[-1]).filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        for r in frame.iter_rows(named=True):
            events.append(
                {
                    "event_type": str(r.get("event_type")),
                    "mmsi": str(r.get("mmsi")),
                    "start": str(r.get("start_utc") or ""),
                    "end": str(r.get("end_utc") or ""),
                    "duration_h": float(r.get("duration_h") or 0.0),
                    "lat": float(r["lat"]),
                    "lon": float(r["lon"]),
                }
            )
    if any(positions_path(ws).rglob("*.parquet")):
        frame = scan_positions(ws).select("mmsi", "ts", "lat", "lon").sort("mmsi", "ts").collect()
        for (mmsi,), part in frame.group_by(["mmsi"], maintain_order=True):
            if part.height < 2:
                continue
            step = max(1, part.height // max_points)
            thin = part.gather_every(step)
            coords = list(zip(thin["lon"].to_list(), thin["lat"].to_list(), strict=True))
            if len(coords) < 2:
                continue
            tracks.append(
                {
                    "mmsi": str(mmsi),
                    "first": str(part["ts"][0]),
                    "last": str(part["ts"][-1]),
                    "positions": int(part.height),
                    "coords": coords,
                }
            )
    return events, tracks


# ---------------------------------------------------------------- FollowTheMoney


def _stable_id(*parts: str) -> str:
    return "aw-" + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:24]


def ftm_entities(ws: Workspace) -> Iterator[dict[str, Any]]:
    """List entities as stored, sites as Address, AIS vessels as Vessel, live findings as Event."""
    from followthemoney import model

    from armswatch.entities.history import entities_at

    for entity in entities_at(ws):
        yield entity.to_dict()
    site_ids: dict[str, str] = {}
    for s in ws.list_sites():
        lon, lat = s.lonlat
        proxy = model.make_entity("Address")
        proxy.id = _stable_id("site", s.id)
        proxy.add("full", s.name)
        proxy.add("country", s.country.lower())
        proxy.add("latitude", f"{lat:.6f}")
        proxy.add("longitude", f"{lon:.6f}")
        proxy.add("sourceUrl", [u for u in s.sources if u.startswith("http")])
        proxy.add("notes", s.notes)
        site_ids[s.id] = str(proxy.id)
        yield proxy.to_dict()
    vessel_ids: dict[str, str] = {}
    for f in live_findings(ws):
        for subject in f.subjects:
            if subject.startswith("vessel:mmsi:") and subject not in vessel_ids:
                vessel = model.make_entity("Vessel")
                vessel.id = _stable_id("vessel", subject)
                vessel.add("mmsi", subject.removeprefix("vessel:mmsi:"))
                vessel.add("name", subject)
                vessel_ids[subject] = str(vessel.id)
                yield vessel.to_dict()
        event = model.make_entity("Event")
        event.id = _stable_id("finding", f.id)
        event.add("name", f.title)
        event.add("summary", f.summary)
        event.add("recordId", f.id)
        event.add("startDate", to_iso(f.start))
        event.add("endDate", to_iso(f.end))
        event.add("keywords", [f.kind, f"status:{f.status}", f"confidence:{f.confidence}"])
        event.add("involved", [vessel_ids[s] for s in f.subjects if s in vessel_ids])
        event.add("involved", [s.removeprefix("entity:") for s in f.subjects if s.startswith("entity:")])
        event.add(
            "addressEntity",
            [site_ids[s.removeprefix("site:")] for s in f.subjects if s.removeprefix("site:") in site_ids],
        )
        yield event.to_dict()


def write_ftm(ws: Workspace, path: Path) -> dict[str, int]:
    from armswatch.io.atomic import write_text_atomic

    counts: dict[str, int] = {}
    lines = []
    for entity in ftm_entities(ws):
        counts[entity["schema"]] = counts.get(entity["schema"], 0) + 1
        lines.append(json.dumps(entity, ensure_ascii=False, sort_keys=True))
    write_text_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
    return counts


# ---------------------------------------------------------------- STIX 2.1


def stix_bundle(ws: Workspace) -> Any:
    """Sites as Location, list entities named by findings as Identity, findings as Report, reviews as Opinion."""
    import stix2

    from armswatch.entities.history import entities_at

    objects: list[Any] = []
    locations: dict[str, str] = {}
    for s in ws.list_sites():
        lon, lat = s.lonlat
        loc = stix2.Location(
            name=s.name,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            country=s.country,
            description=s.notes[:2000] or None,
            external_references=[
                {"source_name": "source", "url": u} for u in s.sources if u.startswith("http")
            ]
            or None,
        )
        locations[s.id] = loc.id
        objects.append(loc)
    findings = live_findings(ws)
    named = {s.removeprefix("entity:") for f in findings for s in f.subjects if s.startswith("entity:")}
    identities: dict[str, str] = {}
    for entity in entities_at(ws):
        if entity.id not in named:
            continue
        cls = (
            "individual"
            if entity.schema.is_a("Person")
            else "organization"
            if entity.schema.is_a("LegalEntity")
            else "unknown"
        )
        ident = stix2.Identity(
            name=entity.caption,
            identity_class=cls,
            description=f"FollowTheMoney {entity.schema.name} {entity.id}",
        )
        identities[str(entity.id)] = ident.id
        objects.append(ident)
    for f in findings:
        refs = [
            locations[s.removeprefix("site:")] for s in f.subjects if s.removeprefix("site:") in locations
        ]
        refs += [
            identities[s.removeprefix("entity:")]
            for s in f.subjects
            if s.removeprefix("entity:") in identities
        ]
        if not refs:  # a Report must point at something: a Location at the finding's geometry, else a Note
            note = stix2.Note(
                abstract=f.title[:250],
                content=f"{f.summary}\nkind {f.kind}; confidence {f.confidence}; status {f.status}; finding {f.id}",
                object_refs=[o.id for o in objects[:1]] or [_placeholder(objects)],
                confidence=STIX_CONFIDENCE.get(f.confidence),
            )
            objects.append(note)
            continue
        report = stix2.Report(
            name=f.title,
            description=f.summary or None,
            published=f.created_at,
            report_types=["threat-report"],
            object_refs=refs,
            confidence=STIX_CONFIDENCE.get(f.confidence),
            labels=[f.kind, f"status:{f.status}"] + (["simulated"] if f.simulated else []),
            external_references=[{"source_name": "armswatch", "external_id": f.id}],
        )
        objects.append(report)
        for r in f.reviews:
            opinion = {"confirmed": "agree", "rejected": "disagree"}.get(r.status_to, "neutral")
            objects.append(
                stix2.Opinion(
                    opinion=opinion,
                    explanation=r.note or None,
                    authors=[r.analyst],
                    object_refs=[report.id],
                    created=r.at,
                )
            )
    return stix2.Bundle(objects=objects, allow_custom=False) if objects else stix2.Bundle()


def _placeholder(objects: list[Any]) -> str:
    import stix2

    ident = stix2.Identity(name="armswatch case", identity_class="system")
    objects.append(ident)
    return str(ident.id)


def write_stix(ws: Workspace, path: Path) -> dict[str, int]:
    from armswatch.io.atomic import write_text_atomic

    bundle = stix_bundle(ws)
    write_text_atomic(path, bundle.serialize(pretty=True) + "\n")
    counts: dict[str, int] = {}
    for obj in bundle.get("objects", []):
        counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    return counts


# ---------------------------------------------------------------- entity links


LINK_COLUMNS: Final = (
    "source_id",
    "source_label",
    "source_type",
    "relation",
    "target_id",
    "target_label",
    "target_type",
    "start",
    "end",
    "evidence",
)


def link_rows(ws: Workspace) -> Iterable[dict[str, Any]]:
    """Edges of the entity graph (owners, operators, sanctions, same IMO) and finding → subject links."""
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at

    graph = build_graph(entities_at(ws))
    for a, b, data in graph.edges(data=True):
        yield {
            "source_id": a,
            "source_label": graph.nodes[a].get("label", a),
            "source_type": graph.nodes[a].get("schema", ""),
            "relation": data.get("label", ""),
            "target_id": b,
            "target_label": graph.nodes[b].get("label", b),
            "target_type": graph.nodes[b].get("schema", ""),
            "start": "",
            "end": "",
            "evidence": data.get("via", ""),
        }
    for f in live_findings(ws):
        for s in f.subjects:
            kind, _, ident = s.partition(":")
            target = ident if kind == "entity" else s
            yield {
                "source_id": f.id,
                "source_label": f.title,
                "source_type": f"finding:{f.kind}",
                "relation": "about",
                "target_id": target,
                "target_label": graph.nodes[target].get("label", target) if target in graph else target,
                "target_type": kind,
                "start": to_iso(f.start) or "",
                "end": to_iso(f.end) or "",
                "evidence": " ".join(f.evidence),
            }


def write_links(ws: Workspace, path: Path) -> dict[str, int]:
    from armswatch.io.atomic import write_text_atomic

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(LINK_COLUMNS)
    n = 0
    for row in link_rows(ws):
        writer.writerow([csv_cell(str(row[c])) for c in LINK_COLUMNS])
        n += 1
    write_text_atomic(path, buf.getvalue())
    return {"links": n}


def write_case(ws: Workspace, fmt: str, path: Path) -> dict[str, int]:
    """Write the case in ``fmt`` (gpkg, ftm, stix, links); returns what was written, by kind."""
    from armswatch.errors import InputError

    writers = {"gpkg": write_gpkg, "ftm": write_ftm, "stix": write_stix, "links": write_links}
    if fmt not in writers:
        raise InputError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    return writers[fmt](ws, path)
