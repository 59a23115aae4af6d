"""Rail section of the report: per watched crossing or yard, the wagon series as a chart and a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace

MAX_ROWS = 30


def report_section(ws: Workspace) -> ReportSection | None:
    """None when no site has a rail movement or a wagon count."""
    from armswatch.rail.series import rail_series, series_chart
    from armswatch.report.section import ReportSection

    parts = []
    for site in ws.list_sites():
        rows = rail_series(ws, site.id)
        if not rows:
            continue
        body = "".join(
            f"<tr><td>{escape(r['time'][:16])}</td><td>{r['wagons']}</td><td>{escape(r['origin'])}</td>"
            f"<td>{escape(r['direction'])}</td><td>{escape(r['source'])}</td><td>{escape(r['links'])}</td></tr>"
            for r in rows[-MAX_ROWS:]
        )
        more = f"<p>Latest {MAX_ROWS} of {len(rows)} rows.</p>" if len(rows) > MAX_ROWS else ""
        parts.append(
            f"<h3>{escape(site.name)}</h3>"
            + series_chart(rows, f"Wagons at {site.name}")
            + more
            + "<table><tr><th>time (UTC)</th><th>wagons</th><th>origin</th><th>direction</th><th>source</th>"
            "<th>linked to</th></tr>" + body + "</table>"
        )
    if not parts:
        return None
    html = (
        "<p>Rail movements at watched crossings and yards: wagons entered by analysts "
        "(<code>armswatch rail observe</code> / <code>rail import</code>, origin <i>observation</i>) and "
        "wagons counted on imagery (<code>imagery.count</code> findings, origin <i>imagery</i>).</p>"
        + "".join(parts)
    )
    return ReportSection("Rail movements", html)
