"""The munition items of the report: items the published findings are about, with markings in their own
script and romanised, recovery, attribution, links and photos."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace


def report_section(ws: Workspace) -> ReportSection | None:
    from armswatch.evidence.report import thumbnail
    from armswatch.munitions.store import get_item
    from armswatch.report.section import ReportSection

    ids = list(
        dict.fromkeys(
            s.removeprefix("munition:")
            for f in ws.list_findings(kind="munitions.")
            for s in f.subjects
            if s.startswith("munition:")
        )
    )
    if not ids:
        return None
    rows = []
    for item_id in ids:
        try:
            item = get_item(ws, item_id)
        except LookupError:
            continue
        markings = "<br>".join(
            f"{escape(m.text)}" + (f" <i>({escape(m.romanised)})</i>" if m.romanised else "")
            for m in item.markings
        )
        photos = "".join(
            f"<img class='thumb' src='{uri}' alt='{escape(item.id)}'>"
            for uri in (thumbnail(ws, a) for a in item.evidence[:3])
            if uri
        )
        attributed = escape(": ".join(x for x in (item.origin_country, item.origin_basis) if x))
        links = ", ".join(escape(x) for x in (*item.sites, *item.shipments, *item.entities))
        sources = "<br>".join(escape(s) for s in item.sources[:4])
        rows.append(
            f"<tr><td>{escape(item.id)}</td><td>{escape(item.label or item.type)}</td><td>{markings}</td>"
            f"<td>{escape(item.recovered_at)} {escape(item.recovered_place)} {escape(item.recovered_country)}</td>"
            f"<td>{attributed}</td><td>{links}</td>"
            f"<td>{escape(item.confidence_tag)}</td><td>{sources}</td><td>{photos}</td></tr>"
        )
    html = (
        "<p>Recovered items that the findings are about. Markings are shown as written, with a "
        "romanisation; attribution states its basis; sources carry the fact base's tag.</p>"
        "<table><tr><th>item</th><th>what</th><th>markings</th><th>recovered</th><th>attributed to</th>"
        "<th>links</th><th>tag</th><th>sources</th><th>photos</th></tr>" + "".join(rows) + "</table>"
    )
    return ReportSection("Munition items", html)
