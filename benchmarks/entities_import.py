"""Benchmark: sanctions-list import and statement storage, side by side with nomenklatura's SQLStore.

Measures, on the full UN consolidated list (2026-02-27) and OFAC SDN (July 2021) from
/work/shared/data/sanctions:
0. the end-to-end import of both lists into a workspace (artifacts, runs, parsing, storage),
1. parsing (armswatch parsers; no installed peer parses these formats, so no ratio),
2. writing the statements of both lists into a fresh SQLite database: armswatch ``store_snapshot``
   vs nomenklatura ``SQLStore`` writer (OpenSanctions' statement store) on the same entities,
3. re-importing the same lists as a newer snapshot (armswatch widens last_seen; nomenklatura upserts),
4. fetching 500 entities by id: armswatch ``entity_at`` (as-of view) vs nomenklatura ``View.get_entity``,
5. building the entity graph of both lists and finding paths to designated entities (armswatch only).
Run: .venv/bin/python benchmarks/entities_import.py   (needs the bench extra: nomenklatura)
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/data/sanctions")
UN = DATA / "un" / "UN_consolidated_2026-02-27.xml"
SDN = DATA / "ofac" / "ofac_sdn_2021-07_sdn.csv"


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    if not UN.is_file() or not SDN.is_file():
        print(f"data absent: {UN} / {SDN} not found; nothing measured")
        return
    from followthemoney.dataset import Dataset
    from nomenklatura.resolver import Linker
    from nomenklatura.store.sql import SQLStore

    from armswatch.entities.graph import build_graph, paths_to_designated
    from armswatch.entities.history import entities_at, entity_at
    from armswatch.entities.importer import load_entities
    from armswatch.entities.ingest import import_list
    from armswatch.entities.statement import snapshot_id, store_snapshot
    from armswatch.store.database import make_engine
    from armswatch.workspace import Workspace

    print(f"machine: {cpu()}, {os.cpu_count()} cores (shared with other jobs: timings are noisy)")
    print(f"data: {UN.name}, {SDN.name} (+ add/alt/comments)")
    t_un, un = timed(lambda: load_entities(UN))
    t_sdn, sdn = timed(lambda: load_entities(SDN, list_date=date(2021, 7, 1)))
    n_stmts = sum(len(list(e.statements)) for s in (un, sdn) for e in s.entities)
    print(f"parse UN XML: {t_un:.2f} s ({len(un.entities)} entities)")
    print(f"parse OFAC SDN CSV set: {t_sdn:.2f} s ({len(sdn.entities)} entities)")
    print(f"statements in both lists: {n_stmts}")

    with tempfile.TemporaryDirectory() as tmp:
        full = Workspace.init(Path(tmp) / "full", analyst="bench")
        t_full, _ = timed(lambda: (import_list(full, UN), import_list(full, SDN, list_date=date(2021, 7, 1))))
        full.close()
        print(f"end-to-end `entities import` of both lists (artifacts, runs, parse, store): {t_full:.2f} s")
        ws = Workspace.init(Path(tmp) / "ws", analyst="bench")

        def ours(snaps: list[Any], tag: str) -> int:
            total = 0
            with ws.transaction() as conn:
                for s in snaps:
                    res = store_snapshot(
                        conn,
                        s,
                        snap_id=snapshot_id(s.dataset, [tag + s.dataset]),
                        seen=s.list_date,
                        date_source="list",
                        run_id="bench",
                        artifact_ids=[tag + s.dataset],
                        imported_at="now",
                    )
                    total += res.new_statements + res.widened_statements
            return total

        t_ours, n_ours = timed(lambda: ours([un, sdn], "a"))
        engine = make_engine(f"sqlite:///{tmp}/nk.db")  # same SQLite pragmas (WAL) as the workspace
        store: Any = SQLStore(Dataset.make({"name": "bench", "title": "bench"}), Linker({}), engine)

        def peer() -> None:
            with store.writer() as writer:
                for s in (un, sdn):
                    for e in s.entities:
                        writer.add_entity(e)

        t_peer, _ = timed(peer)
        print(
            f"store both lists, fresh SQLite: armswatch {t_ours:.2f} s ({n_ours} rows) | "
            f"nomenklatura SQLStore {t_peer:.2f} s | ratio armswatch/peer {t_ours / t_peer:.2f}"
        )
        newer = [replace(s, list_date=date(2026, 6, 1)) for s in (un, sdn)]
        t_ours2, n2 = timed(lambda: ours(newer, "b"))
        t_peer2, _ = timed(peer)
        print(
            f"re-import as newer snapshot: armswatch {t_ours2:.2f} s ({n2} rows widened) | "
            f"nomenklatura upsert {t_peer2:.2f} s | ratio {t_ours2 / t_peer2:.2f}"
        )
        ids = [e.id for e in sdn.entities if e.schema.name in ("Vessel", "Person", "LegalEntity")][:500]
        view = store.default_view()
        t_get, _ = timed(lambda: [entity_at(ws, i) for i in ids])
        t_get_peer, _ = timed(lambda: [view.get_entity(i) for i in ids])
        print(
            f"fetch 500 entities by id: armswatch entity_at {t_get:.2f} s | nomenklatura get_entity "
            f"{t_get_peer:.2f} s | ratio {t_get / t_get_peer:.2f}"
        )
        t_load, ents = timed(lambda: entities_at(ws))
        t_graph, graph = timed(lambda: build_graph(ents))
        vessels = [n for n, d in graph.nodes(data=True) if d["schema"] == "Vessel"][:50]
        t_paths, found = timed(lambda: [paths_to_designated(graph, v, 4) for v in vessels])
        print(
            f"entities_at (all current entities): {t_load:.2f} s ({len(ents)} entities); build graph "
            f"{t_graph:.2f} s ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges); "
            f"paths for 50 vessels {t_paths:.2f} s ({sum(len(f) for f in found)} paths); no peer"
        )
        ws.close()


if __name__ == "__main__":
    main()
