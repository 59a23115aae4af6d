"""Report section: the imported lists, recent listings/delistings and a small entity graph (SVG).

Resolved entities (records an analyst judged the same) are one node. The graph is drawn around the
entities named in findings (``entity:<id>`` subjects, e.g. from
screening) and the demo's simulated entities, with ``networkx.spring_layout`` and a fixed seed, so the
same workspace always gives the same picture. Designated entities are red; simulated ones dashed.
"""

from __future__ import annotations

from datetime import date
from html import escape

import networkx as nx

from armswatch.entities.cluster import Clusters
from armswatch.entities.demo import SIM_DATASET
from armswatch.entities.graph import build_graph, is_designated, neighbourhood
from armswatch.entities.history import changes, entities_at, entity_at, snapshots
from armswatch.entities.resolution import clusters
from armswatch.entities.resolved import collapse_graph
from armswatch.report.section import ReportSection
from armswatch.workspace import Workspace

MAX_NODES = 40


def _seeds(ws: Workspace, graph: nx.MultiDiGraph, simulated: set[str], found: Clusters) -> list[str]:
    subjects = (s for f in ws.list_findings() for s in f.subjects)
    seeds = {found.canonical(s.removeprefix("entity:")) for s in subjects if s.startswith("entity:")}
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
    """Inline SVG of a small graph with a deterministic layout; labels placed without overlap or
    clipping by :func:`armswatch.report.graph.graph_html` (numbered legend for those that do not fit)."""
    from armswatch.report.graph import GraphEdge, GraphNode, graph_html

    if graph.number_of_nodes() == 0:
        return ""
    pos = nx.spring_layout(nx.Graph(graph.to_undirected()), seed=7)
    nodes = [
        GraphNode(
            id=str(node),
            label=str(data.get("label", node)),
            designated=is_designated(graph, node),
            simulated=node in simulated,
            tooltip=f"{data.get('label', node)} ({data.get('schema', '')}, {node})",
        )
        for node, data in sorted(graph.nodes(data=True))
    ]
    edges = [
        GraphEdge(str(a), str(b), str(data.get("label", "")), a in simulated or b in simulated)
        for a, b, data in graph.edges(data=True)
    ]
    positions = {str(k): (float(v[0]), float(v[1])) for k, v in pos.items()}
    return graph_html(nodes, edges, positions, caption="Entity graph")


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
    found = clusters(ws)
    graph = collapse_graph(build_graph(entities_at(ws)), found)
    simulated = {found.canonical(str(e.id)) for e in entities_at(ws, None, [SIM_DATASET])}
    seeds = _seeds(ws, graph, simulated, found)
    if seeds:
        sub = _subgraph(graph, seeds)
        html.append(
            "<h3>Entity graph around screened and demo entities</h3>"
            "<p>Red: designated (sanctioned). Dashed: SIMULATED demo entities and links "
            f"(dataset {escape(SIM_DATASET)}), not findings.</p>"
        )
        html.append(graph_svg(sub, simulated))
    return ReportSection("Entities and sanctions lists", "".join(html))
