"""Report section: the imported lists, recent listings/delistings and a small entity graph (SVG).

The graph is drawn around the entities named in findings (``entity:<id>`` subjects, e.g. from
screening) and the demo's simulated entities, with ``networkx.spring_layout`` and a fixed seed, so the
same workspace always gives the same picture. Designated entities are red; simulated ones dashed.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import networkx as nx

from armswatch.entities.demo import SIM_DATASET
from armswatch.entities.graph import build_graph, is_designated, neighbourhood
from armswatch.entities.history import changes, entities_at, entity_at, snapshots
from armswatch.report.section import ReportSection
from armswatch.workspace import Workspace

MAX_NODES = 40
WIDTH, HEIGHT, PAD = 720, 440, 40


def _seeds(ws: Workspace, graph: nx.MultiDiGraph, simulated: set[str]) -> list[str]:
    subjects = (s for f in ws.list_findings() for s in f.subjects)
    seeds = {s.removeprefix("entity:") for s in subjects if s.startswith("entity:")}
    return sorted(s for s in seeds | simulated if s in graph)


def _subgraph(graph: nx.MultiDiGraph, seeds: list[str]) -> nx.MultiDiGraph:
    nodes: set[str] = set()
    for seed in seeds:
        near = set(neighbourhood(graph, seed, 2).nodes)
        if len(nodes | near) > MAX_NODES:
            near = set(neighbourhood(graph, seed, 1).nodes)
        nodes |= near
        if len(nodes) >= MAX_NODES:
            break
    return graph.subgraph(sorted(nodes)[: MAX_NODES * 2]).copy()


def graph_svg(graph: nx.MultiDiGraph, simulated: set[str]) -> str:
    """Inline SVG of a small graph with a deterministic layout."""
    if graph.number_of_nodes() == 0:
        return ""
    pos = nx.spring_layout(nx.Graph(graph.to_undirected()), seed=7)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def xy(node: Any) -> tuple[float, float]:
        x, y = pos[node]
        return (
            PAD + (x - min(xs)) / span_x * (WIDTH - 2 * PAD),
            PAD + (y - min(ys)) / span_y * (HEIGHT - 2 * PAD),
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="entity-graph">'
    ]
    for a, b, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        dash = ' stroke-dasharray="4 3"' if a in simulated or b in simulated else ""
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#888"{dash}>')
        parts.append(f"<title>{escape(str(data.get('label', '')))}</title></line>")
        parts.append(
            f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}" font-size="8" fill="#666">'
            f"{escape(str(data.get('label', '')))}</text>"
        )
    for node, data in sorted(graph.nodes(data=True)):
        x, y = xy(node)
        fill = "#c0392b" if is_designated(graph, node) else "#2e86c1"
        dash = ' stroke="#000" stroke-dasharray="2 2"' if node in simulated else ""
        text = str(data.get("label", node))
        label = escape(text if len(text) <= 40 else text[:39] + "…")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}"{dash}><title>{escape(str(node))}'
        )
        parts.append(f" ({escape(str(data.get('schema', '')))})</title></circle>")
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 3:.1f}" font-size="9">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _names(ws: Workspace, ids: tuple[str, ...], when: date | None, limit: int = 8) -> str:
    """`` (A; B; … and 3 more)``: captions of the first ids as of ``when``, escaped."""
    if not ids:
        return ""
    names = []
    for entity_id in ids[:limit]:
        view = entity_at(ws, entity_id, when)
        names.append(view.entity.caption if view.entity is not None else entity_id)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return " (" + escape("; ".join(names) + more) + ")"


def report_section(ws: Workspace) -> ReportSection | None:
    """The entities section, or ``None`` when no list was imported."""
    snaps = snapshots(ws)
    if not snaps:
        return None
    rows = "".join(
        f"<tr><td>{escape(s.dataset)}</td><td>{escape(s.title)}</td><td>{s.list_date}</td>"
        f"<td>{escape(s.date_source)}</td><td>{s.entity_count}</td></tr>"
        for s in snaps
    )
    html = [
        "<p>Imported lists (FollowTheMoney statements with first/last-seen list dates).</p>",
        "<table><tr><th>dataset</th><th>list</th><th>list date</th><th>date from</th><th>entities</th></tr>",
        rows,
        "</table>",
    ]
    recent = [c for c in changes(ws) if c.previous_id]
    if recent:
        html.append("<h3>Listings and delistings</h3><ul>")
        html.extend(
            f"<li>{escape(c.dataset)} {c.previous_date} → {c.list_date}: {len(c.listed)} listed"
            f"{_names(ws, c.listed, c.list_date)}, {len(c.delisted)} delisted"
            f"{_names(ws, c.delisted, c.previous_date)}</li>"
            for c in recent
        )
        html.append("</ul>")
    graph = build_graph(entities_at(ws))
    simulated = {str(e.id) for e in entities_at(ws, None, [SIM_DATASET])}
    seeds = _seeds(ws, graph, simulated)
    if seeds:
        sub = _subgraph(graph, seeds)
        html.append(
            "<h3>Entity graph around screened and demo entities</h3>"
            "<p>Red: designated (sanctioned). Dashed: SIMULATED demo entities and links "
            f"(dataset {escape(SIM_DATASET)}), not findings.</p>"
        )
        html.append(graph_svg(sub, simulated))
    return ReportSection("Entities and sanctions lists", "".join(html))
