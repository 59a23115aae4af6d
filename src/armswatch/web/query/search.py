"""Search the case: a name in any script (the entity matcher), an IMO or MMSI number, a site name, a
munition marking in any script, an evidence file by name, URL or hash.

List entities are resolved (``armswatch entities resolve``): the records analysts judged the same are
one hit, with the resolved entity's ``res-…`` id and the number of records it merges.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from armswatch.maritime import store
from armswatch.types.imo import clean_imo
from armswatch.web.query.cache import cached
from armswatch.web.query.entities import resolution_state
from armswatch.web.query.evidence import evidence_cards
from armswatch.web.query.tracks import hourly
from armswatch.workspace import Workspace

NAME_THRESHOLD = 0.6
SCREEN_TOP = 50  # candidates asked of the matcher per schema


def _index(ws: Workspace) -> Any:
    """The name index of the current lists with resolved entities as one subject (rebuilt when a list
    snapshot is added or a judgement written)."""
    from armswatch.entities.history import snapshots
    from armswatch.entities.resolution import fingerprint
    from armswatch.entities.screen import workspace_subjects
    from armswatch.matching.index import CandidateIndex

    fp = ",".join(sorted(s.id for s in snapshots(ws))) + "|" + fingerprint(ws)
    return cached(str(ws.root), "name-index", fp, lambda: CandidateIndex(workspace_subjects(ws)))


def _resolved(found: Any, hit: dict[str, Any]) -> dict[str, Any]:
    """The hit with how many records it merges (1 for a record no analyst resolved) and their ids."""
    members = list(found.members(hit["id"]))
    return {**hit, "records": len(members), "members": members}


def _vessel_entities(
    ws: Workspace, found: Any, why: str, imo: str | None = None, mmsi: str | None = None
) -> list[dict[str, Any]]:
    """Listed vessels by IMO or MMSI, one hit per resolved entity."""
    from armswatch.entities.lookup import find_vessels

    hits: dict[str, dict[str, Any]] = {}
    for v in find_vessels(ws, imo=imo, mmsi=mmsi):
        cid = found.canonical(v.entity_id)
        name = v.entity.caption if v.entity else v.entity_id
        hits.setdefault(cid, _resolved(found, {"id": cid, "name": name, "why": why}))
    return list(hits.values())


def _ais_names(ws: Workspace) -> pl.DataFrame:
    files = sorted(store.statics_path(ws).glob("day=*/bucket=*/*.parquet"))
    from armswatch.web.query.cache import files_fingerprint

    def load() -> pl.DataFrame:
        if not files:
            return pl.DataFrame(schema={"mmsi": pl.UInt32(), "name": pl.Utf8(), "imo": pl.Utf8()})
        return (
            pl.scan_parquet(files, hive_partitioning=False).select("mmsi", "name", "imo").unique().collect()
        )

    return cached(str(ws.root), "ais-names", files_fingerprint(files), load)


def search(ws: Workspace, q: str, limit: int = 25) -> dict[str, Any]:
    """Hits by kind, each list cut at ``limit``; ``totals`` says how many there were before the cut
    (a common name such as ``KIM`` has many more list entities than a page shows)."""
    from armswatch.matching.subject import subject_from_row

    q = q.strip()
    out: dict[str, Any] = {
        "entities": [],
        "vessels": [],
        "sites": [],
        "munitions": [],
        "evidence": [],
        "totals": {},
    }
    if not q:
        return out
    found = resolution_state(ws)[0]
    digits = re.sub(r"\D", "", q)
    statics = _ais_names(ws)
    if re.fullmatch(r"(IMO\s*)?\d{7}", q, re.I) and clean_imo(digits):
        out["entities"] = _vessel_entities(ws, found, f"IMO {digits}", imo=digits)
        hits = statics.filter(pl.col("imo") == digits)
        out["vessels"] = _vessel_rows(hits, f"IMO {digits}")
        return out
    if re.fullmatch(r"\d{9}", q):
        out["entities"] = _vessel_entities(ws, found, f"MMSI {q}", mmsi=q)
        out["vessels"] = _vessel_rows(statics.filter(pl.col("mmsi") == int(q)), f"MMSI {q}")
        if not out["vessels"] and hourly(ws).filter(pl.col("mmsi") == int(q)).height:  # heard, never named
            out["vessels"] = [{"mmsi": int(q), "name": None, "imo": None, "why": f"MMSI {q}"}]
        return out
    index = _index(ws)
    if len(index):
        query = subject_from_row({"id": "q", "name": q, "schema": "LegalEntity"})
        for schema in ("LegalEntity", "Person", "Vessel"):
            query = subject_from_row({"id": "q", "name": q, "schema": schema})
            hits = index.screen(query, NAME_THRESHOLD, SCREEN_TOP)
            out["totals"]["entities_capped"] = (
                out["totals"].get("entities_capped", False) or len(hits) >= SCREEN_TOP
            )
            for hit in hits:
                s = hit.subject
                out["entities"].append(
                    _resolved(
                        found,
                        {
                            "id": s.id,
                            "name": s.caption or (s.names[0] if s.names else s.id),
                            "schema": s.schema,
                            "score": round(hit.result.score, 3),
                            "why": hit.result.explanation,
                            "dataset": s.dataset,
                        },
                    )
                )
        best: dict[str, dict[str, Any]] = {}
        for e in out["entities"]:
            if e["id"] not in best or e["score"] > best[e["id"]]["score"]:
                best[e["id"]] = e
        out["entities"] = sorted(best.values(), key=lambda e: -e["score"])
        out["totals"]["entities"] = len(out["entities"])
    needle = q.casefold()
    named = statics.filter(pl.col("name").str.to_lowercase().str.contains(needle.lower(), literal=True))
    out["totals"]["vessels"] = named["mmsi"].n_unique()
    out["vessels"] = _vessel_rows(named.head(limit), "AIS name")
    out["entities"] = out["entities"][:limit]
    out["sites"] = [
        {"id": s.id, "name": s.name, "why": "name"}
        for s in ws.list_sites()
        if needle in s.name.casefold() or any(needle in a.casefold() for a in s.aliases) or needle in s.id
    ][:limit]
    out["munitions"] = _munitions(ws, q, limit)
    out["evidence"] = [
        {"id": c.artifact.id, "name": c.artifact.name, "kind": c.kind, "why": "name, URL or hash"}
        for c in evidence_cards(ws, q=q)[:limit]
    ]
    return out


def _munitions(ws: Workspace, q: str, limit: int) -> list[dict[str, Any]]:
    """Munition items whose markings match ``q`` in any script (방-122 = bang 122), or whose id,
    family or lot contains it."""
    from armswatch.munitions.store import list_items

    needle = q.casefold()
    out = []
    for item in list_items(ws, marking=q) if len(q) >= 2 else []:
        out.append({"id": item.id, "name": item.label or item.id, "why": "marking"})
    seen = {m["id"] for m in out}
    for item in list_items(ws):
        text = " ".join((item.id, item.family, item.lot, item.factory_code)).casefold()
        if item.id not in seen and needle in text:
            out.append(
                {"id": item.id, "name": item.label or item.id, "why": "id, family, lot or factory code"}
            )
    return out[:limit]


def _vessel_rows(frame: pl.DataFrame, why: str) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for r in frame.iter_rows(named=True):
        rows.setdefault(
            int(r["mmsi"]), {"mmsi": int(r["mmsi"]), "name": r["name"], "imo": r["imo"], "why": why}
        )
    return list(rows.values())
