"""Resolved entities: one node per cluster in screening, the graph, paths, reports and ``show``.

Pure functions over :class:`~armswatch.entities.cluster.Clusters` (from
:func:`armswatch.entities.resolution.clusters`): :func:`merge_subjects` makes one screening subject of
a cluster's records, :func:`collapse_graph` one graph node, :func:`resolved_record` the key/value
record ``armswatch entities show`` prints (every listing, names grouped by script, listing history,
designations and the judgements that joined the records). For the workbench and the dossiers:
:func:`identifiers` (each identifier with the records carrying it), :func:`subject_ids` (the ids findings
and notes may name an entity by, withdrawn ``res-`` ids included) and :func:`hop_records` (the
record-level links behind one hop of the collapsed graph, so a path over it still cites its records).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import networkx as nx

from armswatch.entities.cluster import SAME, Clusters, Judgement, canonical_id
from armswatch.entities.history import EntityView
from armswatch.entities.view import listing_text
from armswatch.matching.subject import Subject

NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "formerName")


def _union(values: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for vals in values for v in vals))


def merge_subjects(subjects: Sequence[Subject], found: Clusters) -> list[Subject]:
    """One subject per cluster (id: the canonical id; names, dates, countries and identifiers of every
    member; dataset: the members' datasets joined by ``+``); unresolved subjects unchanged."""
    if not len(found):
        return list(subjects)
    groups: dict[str, list[Subject]] = defaultdict(list)
    order: list[str] = []
    for subject in subjects:
        cid = found.canonical(subject.id)
        if cid not in groups:
            order.append(cid)
        groups[cid].append(subject)
    out: list[Subject] = []
    for cid in order:
        members = groups[cid]
        if len(members) == 1 and cid == members[0].id:
            out.append(members[0])
            continue
        first = members[0]
        names = _union([m.names for m in members])
        out.append(
            replace(
                first,
                id=cid,
                names=names,
                former_names=tuple(n for n in _union([m.former_names for m in members]) if n not in names),
                birth_dates=_union([m.birth_dates for m in members]),
                countries=frozenset().union(*(m.countries for m in members)),
                imo=frozenset().union(*(m.imo for m in members)),
                mmsi=frozenset().union(*(m.mmsi for m in members)),
                registration=frozenset().union(*(m.registration for m in members)),
                dataset="+".join(sorted({m.dataset for m in members if m.dataset})),
                forms_cache={},
            )
        )
    return out


def collapse_graph(graph: nx.MultiDiGraph, found: Clusters) -> nx.MultiDiGraph:
    """The graph with each cluster's records as one node (its canonical id): the label of the first
    member, every designation and member id kept, edges re-pointed, edges inside a cluster dropped."""
    if not len(found):
        return graph
    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        cid = found.canonical(node)
        if cid not in out:
            out.add_node(cid, **{**data, "members": (node,)})
            continue
        merged = out.nodes[cid]
        merged["designations"] = tuple(
            dict.fromkeys((*merged["designations"], *data.get("designations", ())))
        )
        merged["members"] = (*merged["members"], node)
    for a, b, key, data in graph.edges(keys=True, data=True):
        ca, cb = found.canonical(a), found.canonical(b)
        if ca != cb:
            out.add_edge(ca, cb, key=key, **data)
    for cid in found.clusters():
        if cid in out:
            node = out.nodes[cid]
            node["label"] = f"{node['label']} ({len(node['members'])} listings)"
    return out


def script_of(text: str) -> str:
    """The script of a name's first letter: Latin, Hangul, Cyrillic, Arabic, Han…"""
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith("CJK"):
                return "Han"
            return name.split(" ")[0].capitalize() if name else "Other"
    return "Other"


def names_by_script(views: Sequence[EntityView]) -> dict[str, list[str]]:
    """Every name, alias and former name of the members, grouped by script, first seen first."""
    out: dict[str, list[str]] = defaultdict(list)
    for view in views:
        if view.entity is None:
            continue
        for prop in NAME_PROPS:
            for value in view.entity.get(prop, quiet=True):
                bucket = out[script_of(value)]
                if value not in bucket:
                    bucket.append(value)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != "Latin", kv[0])))


def resolved_record(
    canonical: str,
    views: Sequence[EntityView],
    sanctions: dict[str, list[EntityView]],
    found: Clusters,
) -> dict[str, Any]:
    """Key/value record of a resolved entity: members, listings, names by script, history, designations."""
    record: dict[str, Any] = {"id": canonical, "members": [v.entity_id for v in views]}
    schemata = sorted({v.entity.schema.name for v in views if v.entity is not None})
    record["schema"] = ", ".join(schemata)
    for view in views:
        for listing in view.listings:
            if listing.status != "not listed":
                record[f"listing {view.entity_id} ({listing.dataset})"] = listing_text(listing)
    for script, names in names_by_script(views).items():
        record[f"names ({script})"] = names
    history: list[str] = []
    for view in views:
        for listing in view.listings:
            if listing.since:
                history.append(f"{listing.since} listed by {listing.dataset} ({view.entity_id})")
            if listing.delisted_on:
                history.append(f"{listing.delisted_on} delisted by {listing.dataset} ({view.entity_id})")
    record["listing history"] = sorted(history)
    for member, found_sanctions in sanctions.items():
        for sanction in found_sanctions:
            if sanction.entity is not None:
                props = sanction.entity.properties
                keep = ("authority", "program", "unscId", "authorityId", "listingDate")
                record[f"designation {sanction.entity_id} ({member})"] = {
                    k: props[k] for k in keep if k in props
                }
    record["judgements"] = [
        f"{j.created_at[:10]} {j.analyst}: {j.left_id} {j.judgement} {j.right_id}"
        + (f" ({j.note})" if j.note else "")
        for j in found.judgements_of(canonical)
    ]
    return record


def identifiers(views: Sequence[EntityView]) -> list[dict[str, Any]]:
    """Every identifier (IMO, MMSI, passport, registration…) of the members: property, value and the
    records that carry it, in first-seen order."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for view in views:
        if view.entity is None:
            continue
        for prop, value in view.entity.itervalues():
            if prop.type.name != "identifier" and prop.name not in ("mmsi", "imoNumber"):
                continue
            if prop.name == "programId":  # a sanctions programme, not the thing's identity
                continue
            row = found.setdefault(
                (prop.name, value),
                {"property": prop.name, "label": prop.label, "value": value, "records": []},
            )
            if view.entity_id not in row["records"]:
                row["records"].append(view.entity_id)
    return list(found.values())


def subject_ids(entity_id: str, found: Clusters, every: Sequence[Judgement]) -> tuple[str, ...]:
    """The ids under which findings and notes may name ``entity_id``'s entity: each member record, the
    canonical id, and the ``res-`` ids of earlier (withdrawn) "same" judgements touching a member, so
    that a note or a screening match recorded on a resolved entity stays visible after an undo."""
    members = found.members(entity_id)
    out = dict.fromkeys([*members, found.canonical(entity_id)])
    for j in every:
        if j.judgement == SAME and (j.left_id in members or j.right_id in members):
            out.setdefault(canonical_id(j.id))
    return tuple(out)


def hop_records(raw: nx.MultiDiGraph, found: Clusters, a: str, b: str) -> list[dict[str, str]]:
    """The record-level edges of ``raw`` (the graph before :func:`collapse_graph`) behind one hop
    ``a``–``b`` of the collapsed graph, either direction: ``source``/``target`` records, the relation
    ``label`` and ``via`` (the relation entity, or the record whose property makes the link)."""
    left, right = set(found.members(a)), set(found.members(b))
    out: list[dict[str, str]] = []
    for node in sorted(left):
        if node not in raw:
            continue
        for _, other, data in raw.out_edges(node, data=True):
            if other in right:
                out.append({"source": node, "target": other, "label": str(data.get("label", "")),
                            "via": str(data.get("via", ""))})  # fmt: skip
        for other, _, data in raw.in_edges(node, data=True):
            if other in right:
                out.append({"source": other, "target": node, "label": str(data.get("label", "")),
                            "via": str(data.get("via", ""))})  # fmt: skip
    return out
