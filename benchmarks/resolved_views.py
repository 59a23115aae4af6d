"""Benchmark: what entity resolution changes where an analyst looks — search, the entity page, paths
to designated parties (the dossiers' ownership chain) — on the real UN and OFAC lists.

Reads ../shared/data/sanctions (never copied into the repository): the UN SC consolidated list
(2026-02-27) and the OFAC SDN list (July 2021), imported into a temporary workspace. The records
judged the same are the identifier-confirmed UN↔OFAC pairs of ``benchmarks/xref.py`` (a shared
passport or IMO number, or an identity cross-reference in the remarks) — the pairs an analyst would
resolve first — recorded with ``entities.resolution.resolve``. Measures, before and after:

1. search (``web.query.search``): for each resolved pair, the UN record's name as the query; how many
   of the pair's records come back as separate hits (before) and as one hit (after);
2. paths to designated parties within 4 hops from every record of the graph (raw graph vs the graph
   with each resolved entity as one node): start records whose set of reachable designated parties
   (other than themselves and their own entity) grows, and the vessels among them — the ownership
   chains the dossier now shows;
3. times: the vessel dossier's ownership section for the vessel with the most chains, the entity page
   (``web.query.entities.entity``) of a resolved entity warm, a search warm, and the cold rebuild of the
   collapsed graph and name index after a judgement.

Run: .venv/bin/python benchmarks/resolved_views.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sanctions"
UN = DATA / "un" / "UN_consolidated_2026-02-27.xml"
SDN = DATA / "ofac" / "ofac_sdn_2021-07_sdn.csv"


def _reach(graph: object, found: object, collapsed: bool) -> dict[str, set[str]]:
    """Start record → canonical ids of the designated parties within 4 hops (itself excluded)."""
    import networkx as nx

    from armswatch.entities.cluster import Clusters
    from armswatch.entities.graph import is_designated

    assert isinstance(graph, nx.MultiDiGraph) and isinstance(found, Clusters)
    undirected = graph.to_undirected(as_view=True)
    out: dict[str, set[str]] = {}
    for node in graph.nodes:
        lengths = nx.single_source_shortest_path_length(undirected, node, cutoff=4)
        me = found.canonical(node)
        targets = {found.canonical(t) for t in lengths if is_designated(graph, t)} - {me}
        members = found.members(node) if collapsed else (node,)
        for m in members:
            out[m] = targets
    return out


def main() -> None:
    if not (UN.is_file() and SDN.is_file()):
        print(f"data absent: {UN} or {SDN} not found (../shared/data); nothing measured")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from xref import is_un, truth_pairs

    from armswatch.dossier.ownership import ownership_statements
    from armswatch.entities.cluster import Clusters
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at, entity_at, snapshots
    from armswatch.entities.ingest import import_list
    from armswatch.entities.resolution import clusters, resolve
    from armswatch.entities.resolved import collapse_graph
    from armswatch.entities.xref import xref_records
    from armswatch.errors import ArmswatchError
    from armswatch.web.query.entities import entity
    from armswatch.web.query.search import search
    from armswatch.workspace import Workspace

    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 shared cores)")
    tmp = Path(tempfile.mkdtemp(prefix="aw-resolved-"))
    ws = Workspace.init(tmp / "case", analyst="bench")
    t = time.perf_counter()
    import_list(ws, UN, format="un-xml")
    import_list(ws, SDN, format="ofac-csv", list_date=date(2021, 7, 1))
    print(f"import UN + OFAC SDN: {time.perf_counter() - t:.1f} s")
    records: list[object] = []
    for name in sorted({s.dataset for s in snapshots(ws)}):
        records.extend(xref_records(entities_at(ws, datasets=[name]), name))
    truth = sorted(truth_pairs(records))
    print(f"identifier-confirmed UN-OFAC pairs to resolve: {len(truth)}")

    caption = {}
    for un, _ in truth:
        ent = entity_at(ws, un).entity
        caption[un] = ent.caption if ent is not None else un
    before_hits = {un: search(ws, caption[un])["entities"] for un, _ in truth}
    raw = build_graph(entities_at(ws))
    reach_before = _reach(raw, Clusters(), collapsed=False)

    t = time.perf_counter()
    done = 0
    for un, ofac in truth:
        try:
            resolve(
                ws, un, ofac, same=True, note="benchmark: shared passport/IMO or identity cross-reference"
            )
            done += 1
        except ArmswatchError:
            pass  # already one entity through another pair
    found = clusters(ws)
    sizes = sorted(len(m) for m in found.clusters().values())
    print(
        f"resolved {done} pairs in {time.perf_counter() - t:.1f} s: {len(found)} resolved entities "
        f"({sum(sizes)} records; sizes {sizes[0]}-{sizes[-1]})"
    )

    t = time.perf_counter()
    search(ws, "warm up")
    t_cold_index = time.perf_counter() - t
    after_hits = {un: search(ws, caption[un])["entities"] for un, _ in truth}
    split_before = merged_after = 0
    for un, ofac in truth:
        ids_before = [h["id"] for h in before_hits[un]]
        if un in ids_before and ofac in ids_before:
            split_before += 1
        cid = found.canonical(un)
        ids_after = [h["id"] for h in after_hits[un]]
        if cid in ids_after and un not in ids_after and ofac not in ids_after:
            merged_after += 1
    print(
        f"search by the UN name: both records as separate hits before {split_before}/{len(truth)}; "
        f"one merged hit after {merged_after}/{len(truth)}; "
        f"entity hits per query {sum(map(len, before_hits.values())) / len(truth):.2f} before, "
        f"{sum(map(len, after_hits.values())) / len(truth):.2f} after"
    )

    collapsed = collapse_graph(raw, found)
    reach_after = _reach(collapsed, found, collapsed=True)
    # the same designated party counts once: before-targets mapped to the resolved entities, the
    # record's own entity left out (its twin on the other list is not a chain to someone else)
    reach_before = {
        n: {found.canonical(x) for x in targets} - {found.canonical(n)} for n, targets in reach_before.items()
    }
    grew = [n for n in reach_before if reach_after.get(n, set()) - reach_before[n]]
    kinds = {n: str(raw.nodes[n].get("schema", "")) for n in grew}
    vessels = [n for n in grew if kinds[n] == "Vessel"]
    print(
        f"graph: {raw.number_of_nodes()} nodes / {raw.number_of_edges()} edges raw, "
        f"{collapsed.number_of_nodes()} / {collapsed.number_of_edges()} collapsed"
    )
    print(
        f"records reaching more designated parties within 4 hops after resolution: {len(grew)} of "
        f"{len(reach_before)} ({len(vessels)} vessels); new (record, designated party) pairs: "
        f"{sum(len(reach_after[n] - reach_before[n]) for n in grew)}"
    )
    un_ofac = sum(1 for n in grew if is_un(n))
    print(f"  of which UN records {un_ofac}, OFAC records {len(grew) - un_ofac}")
    if grew:
        from armswatch.entities.graph import paths_to_designated
        from armswatch.entities.view import path_row

        top = max(grew, key=lambda n: (len(reach_after[n] - reach_before[n]), n))
        new = sorted(reach_after[top] - reach_before[top])
        print(
            f"  e.g. {top} ({raw.nodes[top]['label']}): {len(reach_before[top])} -> {len(reach_after[top])} designated parties"
        )
        for p in paths_to_designated(collapsed, found.canonical(top), 4):
            if p.target in new and len(p.nodes) > 2:
                print(f"    {path_row(collapsed, p)['path']}")
                break

    from armswatch.dossier.vessel import resolve as vessel_keys

    vessels_imo = []
    for n in sorted(reach_after):
        if n in raw and raw.nodes[n].get("schema") == "Vessel":
            ent = entity_at(ws, n).entity
            imo = ent.first("imoNumber", quiet=True) if ent is not None else None
            if imo:
                vessels_imo.append((-len(reach_after[n]), n, imo))
    if vessels_imo:
        _, record, imo = min(vessels_imo)
        _, views = vessel_keys(ws, imo)
        t = time.perf_counter()
        build_graph(entities_at(ws))
        t_graph = time.perf_counter() - t
        t = time.perf_counter()
        chains = ownership_statements(ws, views, [])
        print(
            f"vessel dossier ownership section ({record}, IMO {imo}): {len(chains)} chains in "
            f"{time.perf_counter() - t:.2f} s, of which building the graph of both lists (as before "
            f"resolution) {t_graph:.2f} s"
        )
    cid = max(found.clusters(), key=lambda c: len(found.members(c)))
    t = time.perf_counter()
    entity(ws, cid)
    t_cold_page = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(5):
        entity(ws, cid)
    t_page = (time.perf_counter() - t) / 5
    t = time.perf_counter()
    for un, _ in truth[:20]:
        search(ws, caption[un])
    t_search = (time.perf_counter() - t) / min(20, len(truth))
    print(
        f"entity page of {cid} ({len(found.members(cid))} records): first {t_cold_page:.2f} s "
        f"(collapsed graph built), then {t_page * 1000:.0f} ms; search warm {t_search * 1000:.0f} ms a query; "
        f"name index rebuilt after the judgements in {t_cold_index:.1f} s"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    ws.close()


if __name__ == "__main__":
    main()
