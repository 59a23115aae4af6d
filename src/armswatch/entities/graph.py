"""Entity graph (networkx): ownership, directorship, family, vessel owner/operator, links, sanctions.

Built from FtM entities (pure). Relations come from FtM edge schemata (``Ownership``,
``Directorship``, ``Family``, ``UnknownLink``…: source → target) and from entity-valued properties of
things (a vessel's ``owner``/``operator``, a company's ``parent``). ``Sanction`` entities become
``designations`` on the node they designate (and ``sanction`` nodes in exports). Entities from
different lists that carry the same IMO number are joined by a ``sameImoNumber`` edge, so a UN
company and its OFAC record connect. Addresses are left out: a shared city-level address would link
unrelated parties.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from followthemoney.proxy import EntityProxy

from armswatch.errors import InputError, NotFoundError

_SKIP_PROPS = {"addressEntity", "proof", "riskSource", "holder", "entity"}


@dataclass(frozen=True)
class Designation:
    sanction_id: str
    authority: str
    programs: tuple[str, ...]
    reference: str
    listing_date: str


@dataclass(frozen=True)
class DesignationPath:
    """Shortest path from the start entity to a designated entity."""

    target: str
    nodes: tuple[str, ...]
    relations: tuple[str, ...]  # one label per hop
    designations: tuple[tuple[str, tuple[Designation, ...]], ...]  # (node, its designations) along the path


def _designation(sanction: EntityProxy) -> Designation:
    ref = sanction.first("unscId", quiet=True) or sanction.first("authorityId", quiet=True) or ""
    return Designation(
        sanction.id or "",
        sanction.first("authority") or "",
        tuple(sorted(sanction.get("program"))),
        ref,
        sanction.first("listingDate") or "",
    )


def build_graph(entities: Iterable[EntityProxy]) -> nx.MultiDiGraph:
    """Directed multigraph of things and their relations; nodes carry ``designations``."""
    graph = nx.MultiDiGraph()
    things: dict[str, EntityProxy] = {}
    relations: list[EntityProxy] = []
    designations: dict[str, list[Designation]] = defaultdict(list)
    for entity in entities:
        if entity.id is None:
            continue
        if entity.schema.name == "Sanction":
            for target in entity.get("entity"):
                designations[target].append(_designation(entity))
        elif entity.schema.edge:
            relations.append(entity)
        elif entity.schema.is_a("Thing") and not entity.schema.is_a("Address"):
            things[entity.id] = entity
    for node, entity in things.items():
        graph.add_node(
            node,
            label=entity.caption,
            schema=entity.schema.name,
            designations=tuple(designations.get(node, ())),
        )
    for node, entity in things.items():
        for prop in entity.schema.properties.values():
            if prop.type.name != "entity" or prop.stub or prop.name in _SKIP_PROPS:
                continue
            for target in entity.get(prop):
                if target in things:
                    graph.add_edge(
                        node, target, key=f"{node}:{prop.name}:{target}", label=prop.name, via=node
                    )
    for rel in relations:
        source_prop, target_prop = rel.schema.source_prop, rel.schema.target_prop
        if source_prop is None or target_prop is None:
            continue
        label = (
            rel.first("role", quiet=True)
            or rel.first("relationship", quiet=True)
            or rel.schema.edge_label
            or rel.schema.name
        )
        for source in rel.get(source_prop):
            for target in rel.get(target_prop):
                if source in things and target in things:
                    graph.add_edge(
                        source, target, key=rel.id, label=label, via=rel.id, schema=rel.schema.name
                    )
    _same_imo(graph, things)
    return graph


def _same_imo(graph: nx.MultiDiGraph, things: dict[str, EntityProxy]) -> None:
    # Ship IMO numbers and IMO company numbers are separate registers that may share digits: join
    # vessels with vessels and companies with companies only.
    by_imo: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for node, entity in things.items():
        for imo in entity.get("imoNumber", quiet=True):
            by_imo[(imo, entity.schema.is_a("Vessel"))].append(node)
    for (imo, _), nodes in by_imo.items():
        for a, b in itertools.pairwise(nodes):
            graph.add_edge(a, b, key=f"imo:{imo}:{a}:{b}", label="sameImoNumber", via=f"IMO {imo}")


def is_designated(graph: nx.MultiDiGraph, node: str) -> bool:
    return bool(graph.nodes[node].get("designations"))


def neighbourhood(graph: nx.MultiDiGraph, node: str, depth: int = 2) -> nx.MultiDiGraph:
    """The sub-graph within ``depth`` hops of ``node`` (edge direction ignored)."""
    if node not in graph:
        raise NotFoundError(f"entity {node!r} is not in the graph")
    if depth < 0:
        raise InputError("--depth must be 0 or more")
    reach = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), node, cutoff=depth)
    return graph.subgraph(reach).copy()


def paths_to_designated(graph: nx.MultiDiGraph, node: str, max_depth: int = 4) -> list[DesignationPath]:
    """Shortest paths from ``node`` to every designated entity within ``max_depth`` hops.

    The entity itself, when designated, is the first path (no hops). Ordered by length, then id.
    """
    if max_depth < 0:
        raise InputError("--max-depth must be 0 or more")
    if node not in graph:
        raise NotFoundError(f"entity {node!r} is not in the graph")
    undirected = graph.to_undirected(as_view=True)
    paths = nx.single_source_shortest_path(undirected, node, cutoff=max_depth)
    out = []
    for target, nodes in paths.items():
        if not is_designated(graph, target):
            continue
        hops = tuple(_hop_label(graph, a, b) for a, b in itertools.pairwise(nodes))
        along = tuple((n, graph.nodes[n]["designations"]) for n in nodes if is_designated(graph, n))
        out.append(DesignationPath(target, tuple(nodes), hops, along))
    return sorted(out, key=lambda p: (len(p.nodes), p.target))


def _hop_label(graph: nx.MultiDiGraph, a: str, b: str) -> str:
    data = graph.get_edge_data(a, b)
    if data:
        return "/".join(sorted({d["label"] for d in data.values()})) + " →"
    back = graph.get_edge_data(b, a) or {}
    return "← " + "/".join(sorted({d["label"] for d in back.values()}))


def _flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy for export: scalar attributes only (GraphML cannot store lists), sanctions as nodes."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        des = data.get("designations", ())
        flat.add_node(
            node,
            label=data.get("label", ""),
            schema=data.get("schema", ""),
            designated=bool(des),
            designations="; ".join(
                f"{d.authority} {'/'.join(d.programs)} {d.reference}".strip() for d in des
            ),
        )
    for a, b, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(a, b, key=str(key), label=data.get("label", ""), via=data.get("via", ""))
    for node, data in graph.nodes(data=True):
        for d in data.get("designations", ()):
            label = f"{d.authority} {'/'.join(d.programs)} {d.reference}".strip()
            flat.add_node(d.sanction_id, label=label, schema="Sanction", designated=False, designations=label)
            flat.add_edge(
                d.sanction_id, node, key=f"{d.sanction_id}:entity", label="sanction", via=d.sanction_id
            )
    return flat


def write_graph(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``.graphml`` or ``.json`` (node-link) by the file's extension."""
    flat = _flat(graph)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(flat, path)
    elif suffix == ".json":
        data: dict[str, Any] = nx.node_link_data(flat, edges="links")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise InputError("graph output must end in .json or .graphml", path=str(path))
