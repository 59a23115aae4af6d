"""One entity as the entity page shows it: names, properties, listings, its graph and paths to designations.

Entity resolution (``armswatch entities resolve``) applies: a record an analyst resolved with others,
or the resolved entity's ``res-…`` id, gives the resolved entity — every member record with its lists
and designations, names grouped by script, identifiers, the judgements that joined them (who, when) —
and the graph is the collapsed one (:func:`armswatch.entities.resolved.collapse_graph`), in which each
resolved entity is one node.
"""

from __future__ import annotations

from typing import Any

from armswatch.errors import NotFoundError
from armswatch.web.query.cache import cached
from armswatch.workspace import Workspace

MAX_NODES = 200
MAX_EDGES = 400
MAX_PATHS = 20


def resolution_state(ws: Workspace) -> tuple[Any, list[Any], str]:
    """The clusters, every judgement ever made (withdrawn ones too) and their fingerprint, kept until a
    judgement is written."""
    from armswatch.entities.cluster import Clusters
    from armswatch.entities.resolution import fingerprint, judgements

    fp = fingerprint(ws)

    def load() -> tuple[Any, list[Any]]:
        every = judgements(ws)
        return Clusters(every), every

    found, every = cached(str(ws.root), "entity-resolution", fp, load)
    return found, every, fp


def _graphs(ws: Workspace) -> tuple[Any, Any, Any]:
    """The latest entity graph (records), the same graph with each resolved entity as one node, and
    the clusters; rebuilt when a list snapshot is added or a judgement written."""
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at, snapshots
    from armswatch.entities.resolved import collapse_graph

    found, _, rfp = resolution_state(ws)
    sfp = ",".join(sorted(s.id for s in snapshots(ws)))
    raw = cached(str(ws.root), "entity-graph", sfp, lambda: build_graph(entities_at(ws)))
    collapsed = cached(
        str(ws.root), "entity-graph-resolved", f"{sfp}|{rfp}", lambda: collapse_graph(raw, found)
    )
    return raw, collapsed, found


def _listing(view: Any) -> list[dict[str, Any]]:
    return [
        {
            "record": view.entity_id,
            "dataset": lst.dataset,
            "status": lst.status,
            "since": str(lst.since) if lst.since else None,
            "delisted_on": str(lst.delisted_on) if lst.delisted_on else None,
        }
        for lst in view.listings
    ]


def _designations(ws: Workspace, record: str) -> list[dict[str, Any]]:
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import designations_of

    out = []
    for sid in designations_of(ws, record):
        try:
            sanction = entity_at(ws, sid).entity
        except NotFoundError:
            continue
        props = sanction.properties if sanction is not None else {}
        keep = ("authority", "program", "unscId", "authorityId", "listingDate")
        out.append({"id": sid, **{k: sorted(props[k]) for k in keep if k in props}})
    return out


def _record(ws: Workspace, view: Any) -> dict[str, Any]:
    ent = view.entity
    return {
        "id": view.entity_id,
        "caption": ent.caption if ent is not None else view.entity_id,
        "schema": ent.schema.name if ent is not None else None,
        "datasets": sorted({lst.dataset for lst in view.listings}),
        "listings": _listing(view),
        "designations": _designations(ws, view.entity_id),
        "properties": {k: sorted(v) for k, v in sorted(ent.properties.items())} if ent is not None else {},
    }


def _entity_props(views: list[Any]) -> set[str]:
    """Properties whose values are other entities' ids (``addressEntity``, ``ownershipOwner`` …): the
    page links them instead of printing bare ids such as ``ofac-addr-9345-11532``."""
    from followthemoney import registry

    out: set[str] = set()
    for v in views:
        if v.entity is None:
            continue
        for name in v.entity.properties:
            prop = v.entity.schema.get(name)
            if prop is not None and prop.type == registry.entity:
                out.add(name)
    return out


def entity(ws: Workspace, entity_id: str) -> dict[str, Any]:
    """The entity page's content for a record id or a resolved entity's ``res-…`` id (404 otherwise)."""
    from armswatch.entities.graph import neighbourhood, paths_to_designated
    from armswatch.entities.history import entity_at
    from armswatch.entities.resolved import identifiers, names_by_script, subject_ids
    from armswatch.entities.view import path_row

    found, every, _ = resolution_state(ws)
    canonical = found.canonical(entity_id)
    resolved = found.is_canonical(canonical)
    try:
        views = [entity_at(ws, m) for m in found.members(entity_id)]
    except NotFoundError:
        if entity_id.startswith("res-") and not resolved:
            raise NotFoundError(
                f"no resolved entity {entity_id!r} (it may have been undone: see the judgements)"
            ) from None
        raise
    records = [_record(ws, v) for v in views]
    first = next((v for v in views if v.entity is not None), views[0])
    properties: dict[str, list[str]] = {}
    for v in views:
        for k, vals in v.entity.properties.items() if v.entity is not None else ():
            properties[k] = sorted({*properties.get(k, []), *vals})
    out: dict[str, Any] = {
        "id": canonical,
        "asked": entity_id,
        "resolved": resolved,
        "schema": ", ".join(sorted({r["schema"] for r in records if r["schema"]})) or None,
        "caption": first.entity.caption if first.entity is not None else entity_id,
        "names": names_by_script(views),
        "identifiers": identifiers(views),
        "properties": dict(sorted(properties.items())),
        "entity_props": sorted(_entity_props(views)),
        "listings": [row for r in records for row in r["listings"]],
        "designations": [d["id"] for r in records for d in r["designations"]],
        "records": records,
        "judgements": [
            {
                "id": j.id,
                "left_id": j.left_id,
                "right_id": j.right_id,
                "judgement": j.judgement,
                "analyst": j.analyst,
                "created_at": j.created_at,
                "when": j.created_at[:16].replace("T", " ") + " UTC",
                "note": j.note,
            }
            for j in (found.judgements_of(canonical) if resolved else [])
        ],
        "subjects": list(subject_ids(entity_id, found, every)),
        "graph": {"nodes": [], "edges": []},
        "paths": [],
    }
    _, graph, _ = _graphs(ws)
    if canonical in graph:
        sub = neighbourhood(graph, canonical, depth=2)
        out["graph"] = {
            "centre": canonical,
            "nodes": [
                {
                    "id": n,
                    "label": str(d.get("label", n)),
                    "schema": str(d.get("schema", "")),
                    "designated": bool(d.get("designations")),
                    "records": len(d.get("members", (n,))),
                }
                for n, d in sub.nodes(data=True)
            ][:MAX_NODES],
            "edges": [
                {"source": a, "target": b, "label": str(d.get("label", ""))}
                for a, b, d in sub.edges(data=True)
            ][:MAX_EDGES],
        }
        out["paths"] = [path_row(graph, p) for p in paths_to_designated(graph, canonical, 4)[:MAX_PATHS]]
    return out


#: What a reviewer compares against the query when judging a name match (in this order).
KEY_PROPS = (
    "birthDate", "birthPlace", "nationality", "citizenship", "country", "jurisdiction", "gender",
    "passportNumber", "idNumber", "registrationNumber", "imoNumber", "mmsi", "callSign", "flag", "position",
    "alias",
)  # fmt: skip


def list_entries(ws: Workspace, subjects: list[str], at_most: int = 5) -> list[dict[str, Any]]:
    """The list records a finding names (``entity:…`` subjects), each as a short card for its review:
    caption, schema, listings, the properties a reviewer compares (birth date, nationality, numbers …)
    and the designations' programmes. A resolved entity's ``res-…`` id or a record no longer stored is
    left to its link."""
    from armswatch.entities.history import entity_at

    out: list[dict[str, Any]] = []
    for s in subjects:
        if not s.startswith("entity:") or len(out) >= at_most:
            continue
        try:
            view = entity_at(ws, s[len("entity:") :])
        except NotFoundError:
            continue
        record = _record(ws, view)
        props = record["properties"]
        record["key"] = [(k, props[k][:8]) for k in KEY_PROPS if props.get(k)]
        record["programmes"] = sorted({p for d in record["designations"] for p in d.get("program", [])})
        out.append(record)
    return out
