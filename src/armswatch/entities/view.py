"""Plain rows and records for showing entities, as-of views and designation paths (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from armswatch.entities.graph import DesignationPath
from armswatch.entities.history import EntityView, Listing

_DESIGNATION_PROPS = ("authority", "program", "unscId", "authorityId", "listingDate")


def entity_row(entity: EntityProxy) -> dict[str, Any]:
    """One table row: id, schema, caption, countries and vessel identifiers."""
    return {
        "id": entity.id,
        "schema": entity.schema.name,
        "name": entity.caption,
        "countries": entity.get_type_values(registry.country),
        "imo": entity.get("imoNumber", quiet=True),
        "mmsi": entity.get("mmsi", quiet=True),
    }


def listing_text(listing: Listing) -> str:
    """``listed since 2024-01-15`` / ``delisted 2024-03-01 (listed from 2024-01-15)``."""
    if listing.status == "delisted" and listing.delisted_on:
        listed = f" (listed from {listing.since})" if listing.since else ""
        return f"delisted {listing.delisted_on}{listed}"
    return listing.status + (f" since {listing.since}" if listing.since else "")


def view_record(
    view: EntityView, sanctions: Sequence[EntityView], *, statements: bool = False
) -> dict[str, Any]:
    """Key/value record of an as-of view with its designations (and statements when asked)."""
    record: dict[str, Any] = {"id": view.entity_id, "as_of": str(view.as_of) if view.as_of else "latest"}
    for listing in view.listings:
        record[f"status ({listing.dataset})"] = listing_text(listing)
    if view.entity is not None:
        record["schema"] = view.entity.schema.name
        record.update(dict(sorted(view.entity.properties.items())))
    for sanction in sanctions:
        if sanction.entity is not None:
            props = sanction.entity.properties
            record[f"designation {sanction.entity_id}"] = {
                k: props[k] for k in _DESIGNATION_PROPS if k in props
            }
    if statements:
        record["statements"] = list(view.statements)
    return record


def path_row(graph: nx.MultiDiGraph, path: DesignationPath) -> dict[str, Any]:
    """One row per path: the target, hop count, the readable path and the designations along it."""
    steps = [str(graph.nodes[path.nodes[0]]["label"])]
    for hop, node in zip(path.relations, path.nodes[1:], strict=True):
        steps.append(f"{hop} {graph.nodes[node]['label']}")
    return {
        "target": path.target,
        "target_name": graph.nodes[path.target]["label"],
        "hops": len(path.nodes) - 1,
        "path": " ".join(steps),
        "designations": [
            f"{node}: {d.authority} {'/'.join(d.programs)} {d.reference}".strip()
            for node, found in path.designations
            for d in found
        ],
    }
