"""The rail series of a site: analyst-entered movements and imagery wagon counts, one time line.

Imagery rows are the site's ``imagery.count`` findings (rejected ones left out) whose counted
object is a rail wagon: ``--object railcar``, or an ``LxW`` size of a freight wagon (12.5–25 m long,
2.5–3.6 m wide; a 40 ft container is 12.2 × 2.4 m, a truck 12 × 2.5 m). Each row keeps its origin
(``observation`` with its source, ``imagery`` with its finding id) so the two are never blurred.
"""

from __future__ import annotations

import re
from typing import Any, Final

from armswatch.workspace import Workspace

COLUMNS: Final = ("time", "wagons", "origin", "direction", "source", "id", "links", "status")
_SIZE = re.compile(r"^\s*([0-9.]+)\s*x\s*([0-9.]+)\s*$")


def is_wagon_count(details: dict[str, Any]) -> bool:
    if details.get("object") == "railcar":
        return True
    m = _SIZE.match(str(details.get("size_m", "")))
    if m is None:
        return False
    return 12.5 <= float(m.group(1)) <= 25 and 2.5 <= float(m.group(2)) <= 3.6


def rail_series(ws: Workspace, site_id: str) -> list[dict[str, Any]]:
    """Rows of :data:`COLUMNS`, oldest first (the site must exist)."""
    from armswatch.rail.store import list_movements

    ws.get_site(site_id)
    rows: list[dict[str, Any]] = [
        {
            "time": m.at.isoformat(),
            "wagons": m.wagons,
            "origin": "observation",
            "direction": m.direction or "",
            "source": m.source,
            "id": m.id,
            "links": "|".join(m.links),
            "status": "",
        }
        for m in list_movements(ws, site_id)
    ]
    for f in ws.list_findings(kind="imagery.count", subject=f"site:{site_id}"):
        if f.status == "rejected" or f.start is None or not is_wagon_count(f.details):
            continue
        rows.append(
            {
                "time": f.start.isoformat(),
                "wagons": int(f.details.get("count") or 0),
                "origin": "imagery",
                "direction": "",
                "source": f.title,
                "id": f.id,
                "links": "|".join(f.evidence),
                "status": f.status,
            }
        )
    rows.sort(key=lambda r: (r["time"], r["origin"], r["id"]))
    return rows


def series_chart(rows: list[dict[str, Any]], title: str) -> str:
    """A small offline SVG of wagons over time (the imagery count chart's drawing)."""
    from armswatch.imagery.count_chip import series_svg

    return series_svg([{"date": r["time"], "count": r["wagons"]} for r in rows], title=title)
