"""The ownership chain of a dossier: paths from the subject's list entries to designated parties.

Paths are shortest paths (:func:`armswatch.entities.graph.paths_to_designated`, ≤ 4 hops) in the
workspace's entity graph with every resolved entity as one node
(:func:`armswatch.entities.resolved.collapse_graph`): two records an analyst judged the same
(``armswatch entities resolve A B --same``) are one step, so a chain that runs through a company the
UN lists under one record and OFAC under another is found. Each statement still cites its source
records: one provenance record per hop names the record-level link behind it (which record, which
relation, which list), and one per resolved entity on the path names the judgements that joined its
records (analyst, time, note). Paths also start from each register company whose name equals (case,
spacing and punctuation aside) a list record's: that is a lead, stated as such, not an identification.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from armswatch.dossier.model import Provenance, Statement

if TYPE_CHECKING:
    import networkx as nx

    from armswatch.entities.cluster import Clusters
    from armswatch.entities.history import EntityView, SnapshotInfo
    from armswatch.workspace import Workspace

MAX_PATHS: Final = 20
MAX_DEPTH: Final = 4
JUDGEMENT_REVIEW: Final = "analyst judgement (entities resolve)"


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z\u0080-\uffff]+", " ", name.casefold()).strip()


def _latest(ws: Workspace) -> dict[str, SnapshotInfo]:
    from armswatch.entities.history import snapshots

    latest: dict[str, SnapshotInfo] = {}
    for s in sorted(snapshots(ws), key=lambda s: s.list_date):
        latest[s.dataset] = s
    return latest


def _datasets(ws: Workspace, records: Sequence[str]) -> dict[str, list[str]]:
    """Record id → the datasets (lists) carrying it."""
    from armswatch.entities.schema import entity_statement as st

    out: dict[str, list[str]] = {}
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(st.c.entity_id, st.c.dataset).where(st.c.entity_id.in_(list(records))).distinct()
        ).all()
    for entity_id, dataset in sorted(rows):
        out.setdefault(entity_id, []).append(dataset)
    return out


def _label(raw: nx.MultiDiGraph, record: str, where: dict[str, list[str]]) -> str:
    name = raw.nodes[record].get("label", record) if record in raw else record
    return f"{name} ({record}, {'/'.join(where.get(record, ['?']))})"


def _list_prov(
    latest: dict[str, SnapshotInfo], datasets: Sequence[str], kind: str, detail: str
) -> Provenance:
    snaps = [latest[d] for d in sorted(set(datasets)) if d in latest]
    return Provenance(
        "list " + ", ".join(sorted(set(datasets))) + " (latest editions)",
        tuple(dict.fromkeys(s.artifact_id for s in snaps)),
        snaps[0].run_id if snaps else None,
        kind,
        detail=detail,
    )


def _step_provs(
    raw: nx.MultiDiGraph,
    found: Clusters,
    nodes: Sequence[str],
    where: dict[str, list[str]],
    latest: dict[str, SnapshotInfo],
) -> list[Provenance]:
    """One provenance record per hop (the record-level links behind it) and per resolved entity."""
    from armswatch.entities.resolved import hop_records

    out: list[Provenance] = []
    for i, (a, b) in enumerate(itertools.pairwise(nodes), start=1):
        links = hop_records(raw, found, a, b)
        bits = [
            f"{_label(raw, x['source'], where)} {x['label']} → {_label(raw, x['target'], where)}"
            + (f" (via {x['via']})" if x["via"] not in (x["source"], x["target"]) else "")
            for x in links
        ]
        lists = [d for x in links for r in (x["source"], x["target"]) for d in where.get(r, [])]
        out.append(_list_prov(latest, lists, "list entry (graph link)", f"step {i}: " + "; ".join(bits)))
    for node in nodes:
        if not found.is_canonical(node):
            continue
        members = found.members(node)
        said = "; ".join(
            f"{j.analyst} judged {j.left_id} and {j.right_id} the {j.judgement} on "
            f"{j.created_at[:16].replace('T', ' ')} UTC ({j.id})" + (f": {j.note}" if j.note else "")
            for j in found.judgements_of(node)
        )
        records = ", ".join(_label(raw, m, where) for m in members)
        out.append(
            Provenance(
                "entity resolution (armswatch entities resolve)",
                review=JUDGEMENT_REVIEW,
                detail=f"{node} = {records}: {said}",
            )
        )
    return out


def _starts(
    raw: nx.MultiDiGraph,
    graph: nx.MultiDiGraph,
    found: Clusters,
    views: Sequence[EntityView],
    registry: Sequence[dict[str, Any]],
) -> list[tuple[str, str]]:
    starts: list[tuple[str, str]] = []
    for v in views:
        node = found.canonical(v.entity_id)
        if node in graph and all(node != s for s, _ in starts):
            how = (
                "list entry"
                if node == v.entity_id
                else f"resolved entity {node} ({', '.join(found.members(node))})"
            )
            starts.append((node, how))
    by_name: dict[str, list[str]] = {}
    for record, data in raw.nodes(data=True):
        node = found.canonical(record)
        bucket = by_name.setdefault(_norm(str(data.get("label", ""))), [])
        if node not in bucket:
            bucket.append(node)
    for r in registry:
        for role in ("owner", "manager", "operator"):
            for node in by_name.get(_norm(r[role]), []) if r[role] else []:
                starts.append((node, f"register {role} {r[role]!r} ({r['valid_from'] or '?'} – {r['valid_to'] or 'open'}), "
                                     "same name as this list entry (a lead, not an identification)"))  # fmt: skip
    return starts


def ownership_statements(
    ws: Workspace, views: Sequence[EntityView], registry: Sequence[dict[str, Any]]
) -> list[Statement]:
    """Paths from the list entries (and from register companies matched by name) to designated parties,
    over the resolved entity graph, each hop citing its source records."""
    from armswatch.dossier.vessel_lists import _day
    from armswatch.entities.graph import build_graph, paths_to_designated
    from armswatch.entities.history import entities_at
    from armswatch.entities.resolution import clusters
    from armswatch.entities.resolved import collapse_graph
    from armswatch.entities.view import path_row

    raw = build_graph(entities_at(ws))
    found = clusters(ws)
    graph = collapse_graph(raw, found)
    latest = _latest(ws)
    paths = []
    seen: set[tuple[str, ...]] = set()
    for node, how in _starts(raw, graph, found, views, registry):
        for p in paths_to_designated(graph, node, MAX_DEPTH)[:MAX_PATHS]:
            if p.nodes not in seen:
                seen.add(p.nodes)
                paths.append((how, p))
    records = sorted({m for _, p in paths for n in p.nodes for m in found.members(n)})
    where = _datasets(ws, records) if records else {}
    out: list[Statement] = []
    for how, p in paths:
        row = path_row(graph, p)
        hops = "itself designated" if row["hops"] == 0 else f"{row['hops']} hop(s)"
        designated = "; ".join(
            f"{graph.nodes[node]['label']} ({node}) designated by {d.authority or '?'} {'/'.join(d.programs)} "
            f"{d.reference}".rstrip()
            + (f", listed {d.listing_date}" if d.listing_date else "")
            for node, found_d in p.designations
            for d in found_d
        )
        members = [m for n in p.nodes for m in found.members(n)]
        path_prov = _list_prov(
            latest,
            [d for m in members for d in where.get(m, [])],
            "list entries (graph path)",
            "path: "
            + " → ".join(p.nodes)
            + (f"; records: {', '.join(members)}" if members != list(p.nodes) else ""),
        )
        dates = sorted(d.listing_date for _, found_d in p.designations for d in found_d if d.listing_date)
        out.append(
            Statement(
                "ownership",
                "path",
                f"From {how}: {row['path']} — {hops}; {designated}",
                (path_prov, *_step_provs(raw, found, p.nodes, where, latest)),
                _day(dates[0]) if dates else None,
            )
        )
    return out
