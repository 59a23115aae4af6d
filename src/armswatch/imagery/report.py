"""Report section: per-site change time series (inline SVG), before/after chips of findings, and the
series of objects counted at each site.

Everything is inline (SVG and base64 PNG data URIs): no JavaScript, no external resources.
"""

from __future__ import annotations

import base64
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl

from armswatch.imagery.monitor import FINDING_KIND, read_series
from armswatch.report.build import thumbnail

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace

CHART_W, CHART_H, PAD = 560, 200, 44


def series_svg(frame: pl.DataFrame, title: str, live: set[str] | None = None) -> str:
    """Bar chart of new-structure area per interval with the cumulative area as a line; an interval
    is red only when its finding is in ``live`` (the report's findings: never a rejected one)."""
    rows = frame.to_dicts()
    if not rows:
        return ""
    top = max(max(float(r["cumulative_new_m2"]) for r in rows), 1.0)
    n = len(rows)
    inner_w, inner_h = CHART_W - 2 * PAD, CHART_H - 2 * PAD
    slot = inner_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" role="img" '
        f'aria-label="{escape(title)}" style="font:11px sans-serif">',
        f'<line x1="{PAD}" y1="{CHART_H - PAD}" x2="{CHART_W - PAD}" y2="{CHART_H - PAD}" stroke="#444"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{CHART_H - PAD}" stroke="#444"/>',
        f'<text x="{PAD - 4}" y="{PAD + 4}" text-anchor="end">{top:,.0f}</text>',
        f'<text x="{PAD - 4}" y="{CHART_H - PAD}" text-anchor="end">0</text>',
        f'<text x="{PAD}" y="{PAD - 10}">m² new structures per interval (bars) and cumulative (line)</text>',
    ]
    points = []
    for k, r in enumerate(rows):
        x = PAD + k * slot
        h = inner_h * float(r["new_m2"]) / top
        colour = "#c0392b" if r.get("finding") and (live is None or r["finding"] in live) else "#95a5a6"
        label = f"{r['start']} → {r['end']}: +{float(r['new_m2']):,.0f} m²"
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{CHART_H - PAD - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{CHART_H - PAD + 14}" text-anchor="middle">{escape(str(r["end"]))}</text>'
        )
        cy = CHART_H - PAD - inner_h * float(r["cumulative_new_m2"]) / top
        points.append(f"{x + slot / 2:.1f},{cy:.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#2c3e50" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _img(ws: Workspace, artifact_id: str, alt: str) -> str:
    """The chip as an inline PNG at its display size (the full-size chip stays in the workspace)."""
    raw = ws.artifact_path(artifact_id).read_bytes()
    data = base64.b64encode(thumbnail(raw, 256) or raw).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" width="256" height="256">'


def report_section(ws: Workspace) -> ReportSection | None:
    """Imagery section, or None when no site has been monitored."""
    from armswatch.report.section import ReportSection

    series = read_series(ws)
    findings = ws.list_findings(kind=FINDING_KIND)
    counts = _count_parts(ws)
    if not series and not findings and not counts:
        return None
    html: list[str] = (
        [
            "<p>Change between consecutive scenes of each monitored site (training-free built-up-index method; "
            "see docs/imagery.md for thresholds and limits). Red bars are intervals with a finding shown in "
            "this report (never a rejected one).</p>"
        ]
        if series or findings
        else []
    )
    for site_id, frame in series.items():
        try:
            name = ws.get_site(site_id).name
        except LookupError:
            name = site_id
        html.append(f"<h3>{escape(name)}</h3>")
        html.append(series_svg(frame, f"Change at {name}", {f.id for f in findings}))
    features: list[dict[str, Any]] = []
    for f in findings:
        sim = " [SIMULATED]" if f.simulated and "SIMULATED" not in f.title else ""
        html.append(
            f"<h4>{escape(f.title)}{sim}</h4><p>{escape(f.summary)} Confidence: {escape(f.confidence)}.</p>"
        )
        chips = (f.details or {}).get("chips", {})
        if chips.get("before") and chips.get("after"):
            html.append(
                '<div style="display:flex;gap:8px">'
                + _img(ws, chips["before"], "before")
                + _img(ws, chips["after"], "after (new structures outlined)")
                + "</div>"
            )
        if f.geometry:
            features.append(
                {"type": "Feature", "geometry": f.geometry,
                 "properties": {"label": f.title, "status": f.status}}
            )  # fmt: skip
    html.extend(counts)
    title = "Imagery: change and counts at watched sites" if counts else "Imagery: change at watched sites"
    return ReportSection(title=title, html="\n".join(html), features=features)


MAX_COUNT_ROWS = 30


def _count_parts(ws: Workspace) -> list[str]:
    """Per site and object, the counts recorded on imagery over time: a chart and the latest rows (rail
    wagons are in the rail section, with the wagons observed on the ground)."""
    from armswatch.imagery.count_chip import series_svg as count_svg
    from armswatch.imagery.record import COUNT_KIND, count_series
    from armswatch.rail.series import is_wagon_count

    sites = sorted(
        {s[5:] for f in ws.list_findings(kind=COUNT_KIND) for s in f.subjects if s.startswith("site:")}
    )
    parts: list[str] = []
    for site_id in sites:
        try:
            site = ws.get_site(site_id)
        except LookupError:
            continue
        by_object: dict[str, list[dict[str, Any]]] = {}
        for row in count_series(ws, site_id):
            finding = ws.get_finding(row["finding"])
            if not is_wagon_count(finding.details):
                label = str(finding.details.get("object") or finding.details.get("size_m") or "objects")
                by_object.setdefault(label, []).append({**row, "simulated": finding.simulated})
        for label, rows in by_object.items():
            sim = " [SIMULATED]" if any(r["simulated"] for r in rows) else ""
            name = f"{label} at {site.name}"
            body = "".join(
                f"<tr><td>{escape(str(r['date']))}</td><td>{int(r['count'] or 0)}</td>"
                f"<td>{int(r['detected'] or 0)}</td><td>−{int(r['removed'] or 0)} / +{int(r['added'] or 0)}</td>"
                f"<td>{escape(str(r['status']))}</td><td>{escape(str(r['confidence']))}</td></tr>"
                for r in rows[-MAX_COUNT_ROWS:]
            )
            more = (
                f"<p>Latest {MAX_COUNT_ROWS} of {len(rows)} counts.</p>" if len(rows) > MAX_COUNT_ROWS else ""
            )
            parts.append(
                f"<h3>Counted: {escape(name)}{sim}</h3>"
                + count_svg(rows, title=f"{name}: count over time")
                + more
                + "<table><tr><th>date</th><th>count</th><th>detected</th><th>analyst removed / added</th>"
                "<th>status</th><th>confidence</th></tr>" + body + "</table>"
            )
    if parts:
        parts.insert(0, "<p>Objects counted on imagery (<code>imagery count</code>, corrected by analysts; "
                        "rejected counts left out): filled markers are the corrected counts, hollow ones the "
                        "detector's own where it differs.</p>")  # fmt: skip
    return parts
