"""Maritime section of the HTML report: a table of AIS findings and their map features."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from armswatch.report.section import ReportSection

if TYPE_CHECKING:
    from armswatch.provenance.model import Finding
    from armswatch.workspace import Workspace

KIND_LABELS = {
    "ais.shuttle": "Shuttle between watched ports",
    "ais.dark_port_call": "Possible dark port call",
    "ais.encounter": "Ship-to-ship encounter",
    "ais.gap": "AIS gap",
    "ais.loitering": "Loitering",
}


def _when(f: Finding) -> str:
    if f.start is None:
        return ""
    end = f" – {f.end:%Y-%m-%d %H:%M}" if f.end is not None else ""
    return f"{f.start:%Y-%m-%d %H:%M}{end} UTC"


def _row(f: Finding) -> str:
    sim = ' <span class="simulated">SIMULATED</span>' if f.simulated else ""
    cells = [
        escape(KIND_LABELS.get(f.kind, f.kind)),
        escape(f.title) + sim,
        escape(_when(f)),
        escape(f.confidence),
        escape(f.status),
        escape(f.summary),
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def features(findings: list[Finding]) -> list[dict[str, Any]]:
    """One GeoJSON feature per finding geometry part (track lines and event points)."""
    out: list[dict[str, Any]] = []
    for f in findings:
        if f.geometry is None:
            continue
        parts = (
            f.geometry.get("geometries", [f.geometry])
            if f.geometry["type"] == "GeometryCollection"
            else [f.geometry]
        )
        for g in parts:
            label = ("SIMULATED: " if f.simulated else "") + f.title
            out.append(
                {
                    "type": "Feature",
                    "geometry": g,
                    "properties": {"label": label, "status": f.status, "kind": f.kind, "finding": f.id},
                }
            )
    return out


def report_section(ws: Workspace) -> ReportSection | None:
    """Table of maritime (``ais.*``) findings plus track/event features for the report map."""
    findings = ws.list_findings(kind="ais.")
    if not findings:
        return None
    findings = sorted(findings, key=lambda f: (f.start is None, f.start, f.kind))
    n_sim = sum(f.simulated for f in findings)
    note = (
        f"<p><strong>{n_sim} of {len(findings)} maritime findings rest on SIMULATED AIS data.</strong></p>"
        if n_sim
        else ""
    )
    head = "".join(f"<th>{h}</th>" for h in ("Pattern", "Finding", "When", "Confidence", "Status", "Basis"))
    html = (
        "<p>Findings from AIS: patterns found by <code>armswatch ais events</code> (shuttles between watched "
        "ports, gaps that fit a dark port call, encounters, gaps or loitering near watched sites) and any "
        "other <code>ais.*</code> findings such as vessel-identity checks. "
        "Thresholds follow Global Fishing Watch's published event definitions (see docs/ais-events.md). "
        "Each finding's evidence is a CSV of the supporting AIS positions.</p>"
        f"{note}<table class='findings maritime'><thead><tr>{head}</tr></thead><tbody>"
        + "".join(_row(f) for f in findings)
        + "</tbody></table>"
    )
    return ReportSection(title="Maritime (AIS) patterns", html=html, features=features(findings))
