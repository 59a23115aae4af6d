"""Findings with their provenance as GeoJSON, CSV and KML (for QGIS, Google Earth, spreadsheets).

Pure functions over :class:`armswatch.report.model.ReportFinding`: text out, no files. Every format
carries the simulated flag and the provenance (run id, tool and version, parameters as JSON, input
artifact sha256s) so an exported finding can be traced back to how it was made.
"""

from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import shapely
from shapely.geometry import shape

from armswatch.errors import InputError
from armswatch.io.text import csv_cell
from armswatch.report.model import ReportFinding

KML_NS: Final = "http://www.opengis.net/kml/2.2"
_Q: Final = f"{{{KML_NS}}}"
CSV_COLUMNS: Final = (
    "id",
    "kind",
    "title",
    "summary",
    "status",
    "confidence",
    "simulated",
    "start",
    "end",
    "subjects",
    "evidence",
    "run_id",
    "tool",
    "tool_version",
    "parameters",
    "inputs",
    "run_started",
    "run_ended",
    "last_review",
    "lat",
    "lon",
    "wkt",
    "details",
)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def finding_properties(f: ReportFinding) -> dict[str, Any]:
    """Flat, JSON-able properties of one finding, provenance included."""
    run = f.run
    return {
        "id": f.id,
        "kind": f.kind,
        "title": f.title,
        "summary": f.summary,
        "status": f.status,
        "confidence": f.confidence,
        "simulated": f.simulated,
        "start": _iso(f.start),
        "end": _iso(f.end),
        "subjects": list(f.subjects),
        "evidence": [e.artifact_id for e in f.evidence],
        "run_id": run.id if run else None,
        "tool": run.tool if run else None,
        "tool_version": run.version if run else None,
        "parameters": dict(run.parameters) if run else None,
        "inputs": list(run.inputs) if run else [],
        "run_started": _iso(run.started_at) if run else None,
        "run_ended": _iso(run.ended_at) if run else None,
        "reviews": [
            {"at": _iso(r.at), "analyst": r.analyst, "status": r.status, "note": r.note} for r in f.reviews
        ],
        "details": dict(f.details),
    }


def findings_to_geojson(findings: Iterable[ReportFinding], *, indent: int | None = 2) -> str:
    """A FeatureCollection; findings without a location get ``"geometry": null`` (RFC 7946 §3.2)."""
    features = [
        {
            "type": "Feature",
            "id": f.id,
            "geometry": dict(f.geometry) if f.geometry else None,
            "properties": finding_properties(f),
        }
        for f in findings
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=indent, default=str) + "\n"


def _shape(f: ReportFinding) -> shapely.Geometry | None:
    if not f.geometry:
        return None
    try:
        return shape(dict(f.geometry))
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError) as err:
        raise InputError(f"finding {f.id}: geometry is not valid GeoJSON: {err}", record=f.id) from err


def findings_to_csv(findings: Iterable[ReportFinding]) -> str:
    """One row per finding; lists and mappings as JSON; ``lat``/``lon`` a representative point."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        p = finding_properties(f)
        geom = _shape(f)
        lat = lon = wkt = ""
        if geom is not None and not geom.is_empty:
            pt = geom if isinstance(geom, shapely.Point) else geom.representative_point()
            lat, lon = repr(pt.y), repr(pt.x)
            wkt = shapely.to_wkt(geom, rounding_precision=-1, trim=True)
        last = p["reviews"][-1] if p["reviews"] else None
        row = {
            **p,
            "simulated": "true" if f.simulated else "false",
            "subjects": ";".join(f.subjects),
            "evidence": ";".join(p["evidence"]),
            "parameters": _json(p["parameters"]) if p["parameters"] is not None else "",
            "inputs": ";".join(p["inputs"]),
            "last_review": f"{last['at']} {last['analyst']}: {last['status']}" if last else "",
            "lat": lat,
            "lon": lon,
            "wkt": wkt,
            "details": _json(p["details"]) if p["details"] else "",
        }
        writer.writerow(["" if row.get(c) is None else _cell(c, row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(column: str, value: Any) -> Any:
    """Every text cell made inert for spreadsheets (:func:`armswatch.io.text.csv_cell`: a leading
    ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'``; numbers are left alone).
    ``column`` is kept for callers; all text columns are treated alike."""
    return csv_cell(value) if isinstance(value, str) else value


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _Q + tag)
    if text is not None:
        el.text = text
    return el


def _coords(seq: Sequence[Sequence[float]]) -> str:
    return " ".join(f"{float(c[0])!r},{float(c[1])!r}" for c in seq)


def _kml_geometry(parent: ET.Element, geom: Mapping[str, Any]) -> None:
    gtype, coords = geom.get("type"), geom.get("coordinates")
    if gtype == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coords([coords]))  # type: ignore[list-item]
    elif gtype == "LineString":
        _sub(_sub(parent, "LineString"), "coordinates", _coords(coords))  # type: ignore[arg-type]
    elif gtype == "Polygon":
        poly = _sub(parent, "Polygon")
        for i, ring in enumerate(coords or []):
            boundary = _sub(poly, "outerBoundaryIs" if i == 0 else "innerBoundaryIs")
            _sub(_sub(boundary, "LinearRing"), "coordinates", _coords(ring))
    elif gtype in ("MultiPoint", "MultiLineString", "MultiPolygon"):
        multi = _sub(parent, "MultiGeometry")
        for part in coords or []:
            _kml_geometry(multi, {"type": str(gtype)[5:], "coordinates": part})
    elif gtype == "GeometryCollection":
        multi = _sub(parent, "MultiGeometry")
        for part in geom.get("geometries") or []:
            _kml_geometry(multi, part)
    else:
        raise InputError(f"cannot write geometry type {gtype!r} to KML")


def _style(doc: ET.Element, status: str, colour: str) -> None:
    style = _sub(doc, "Style")
    style.set("id", f"status-{status}")
    _sub(_sub(style, "LineStyle"), "color", colour)
    poly = _sub(style, "PolyStyle")
    _sub(poly, "color", "66" + colour[2:])
    _sub(_sub(style, "IconStyle"), "color", colour)


STATUS_COLOURS: Final = {"new": "ff2b82d9", "confirmed": "ff2b39c0", "rejected": "ff9b938a"}  # KML aabbggrr


def findings_to_kml(findings: Iterable[ReportFinding], *, document_name: str = "armswatch findings") -> str:
    """KML 2.2: one Placemark per finding, styled by status, provenance in ExtendedData."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(_Q + "kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", document_name)
    for status, colour in STATUS_COLOURS.items():
        _style(doc, status, colour)
    for f in findings:
        mark = _sub(doc, "Placemark")
        mark.set("id", f.id)
        # Google Earth renders names, descriptions and ExtendedData values in HTML balloons: escape.
        _sub(mark, "name", html.escape(("[SIMULATED] " if f.simulated else "") + f.title, quote=False))
        _sub(mark, "description", html.escape(f.summary).replace("\n", "<br>"))
        if f.start or f.end:
            span = _sub(mark, "TimeSpan")
            if f.start:
                _sub(span, "begin", f.start.isoformat())
            if f.end:
                _sub(span, "end", f.end.isoformat())
        if f.status in STATUS_COLOURS:
            _sub(mark, "styleUrl", f"#status-{f.status}")
        extended = _sub(mark, "ExtendedData")
        for key, value in finding_properties(f).items():
            data = _sub(extended, "Data")
            data.set("name", key)
            text = value if isinstance(value, str) else _json(value)
            _sub(data, "value", html.escape(text, quote=False))
        if f.geometry:
            _kml_geometry(mark, f.geometry)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
