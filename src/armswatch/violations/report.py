"""The violations annex of the report: candidates in the report's scope, element by element."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace


def report_section(ws: Workspace) -> ReportSection | None:
    from armswatch.report.section import ReportSection
    from armswatch.violations.annex import annex_rows
    from armswatch.violations.mapper import KIND, TOOL

    runs = ws.list_runs(tool=TOOL, status="succeeded")
    if not runs:
        return None
    candidates = ws.list_findings(kind=KIND, run_id=runs[-1].id)
    if not candidates:
        return None
    names = {s.id: s.name for s in ws.list_sites()}
    rows = annex_rows(candidates, names)
    cols = (
        "no",
        "fact",
        "vessels",
        "dates",
        "places",
        "items",
        "provisions",
        "elements",
        "status",
        "evidence",
    )
    marks = {"met": "✔ met", "unmet": "✘ unmet", "unknown": "? unknown"}
    body = ""
    for r, c in zip(rows, candidates, strict=True):
        elements = "".join(
            f"<li class='el-{escape(e.get('status', ''))}'><b>{escape(marks.get(str(e.get('status')), ''))}</b> "
            f"{escape(e.get('needs', ''))} <i>({escape(e.get('reason', ''))})</i></li>"
            for e in c.details.get("elements") or []
        )
        cells = {k: escape(str(r[k])) for k in cols}
        cells["elements"] = Markup(f"<ul class='elements'>{elements}</ul>")
        body += "<tr>" + "".join(f"<td>{cells[k]}</td>" for k in cols) + "</tr>"
    html = (
        "<style>ul.elements{margin:0;padding-left:1em;min-width:22em}.el-met b{color:#1a7f37}"
        ".el-unmet b{color:#b42318}.el-unknown b{color:#8a6d00}table.annex td{overflow-wrap:anywhere}</style>"
        "<p>Facts in this report read against UN Security Council provisions by the violations mapper. Each row "
        "shows which elements of the provision the evidence meets, contradicts or leaves unknown. A row is a "
        "proposal, <b>not a legal conclusion</b>; its status shows whether an analyst confirmed it.</p>"
        "<table class='annex'><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>" + body + "</table>"
    )
    return ReportSection("Annex: Security Council provisions the facts may engage", html)
