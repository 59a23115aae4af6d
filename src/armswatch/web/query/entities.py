"""One entity as the entity page shows it: names, properties, listings, its graph and paths to designations."""

from __future__ import annotations

from typing import Any

from armswatch.web.query.cache import cached
from armswatch.workspace import Workspace


def _graph(ws: Workspace) -> Any:
    """The latest entity graph, rebuilt when a list snapshot is added (keyed by the snapshot ids)."""
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at, snapshots

    fp = ",".join(sorted(s.id for s in snapshots(ws)))
    return cached(str(ws.root), "entity-graph", fp, lambda: build_graph(entities_at(ws)))


def entity(ws: Workspace, entity_id: str) -> dict[str, Any]:
    from armswatch.entities.graph import neighbourhood, paths_to_designated
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import designations_of
    from armswatch.entities.view import path_row

    view = entity_at(ws, entity_id)
    ent = view.entity
    out: dict[str, Any] = {
        "id": entity_id,
        "schema": ent.schema.name if ent is not None else None,
        "caption": ent.caption if ent is not None else entity_id,
        "properties": {k: sorted(v) for k, v in sorted(ent.properties.items())} if ent is not None else {},
        "listings": [
            {
                "dataset": lst.dataset,
                "status": lst.status,
                "since": str(lst.since) if lst.since else None,
                "delisted_on": str(lst.delisted_on) if lst.delisted_on else None,
            }
            for lst in view.listings
        ],
        "designations": designations_of(ws, entity_id),
        "graph": {"nodes": [], "edges": []},
        "paths": [],
    }
    graph = _graph(ws)
    if entity_id in graph:
        sub = neighbourhood(graph, entity_id, depth=2)
        out["graph"] = {
            "nodes": [
                {
                    "id": n,
                    "label": str(d.get("label", n)),
                    "schema": str(d.get("schema", "")),
                    "designated": bool(d.get("designations")),
                }
                for n, d in sub.nodes(data=True)
            ][:200],
            "edges": [
                {"source": a, "target": b, "label": str(d.get("label", ""))}
                for a, b, d in sub.edges(data=True)
            ][:400],
        }
        out["paths"] = [path_row(graph, p) for p in paths_to_designated(graph, entity_id, 4)[:20]]
    return out
