"""Every AIS vessel of the case as one row (the vessels page): its latest broadcast identity, how much it
was seen, when, and how many stored events name it; filtered, sorted and paginated on the server.

The table is built once from the hourly track table, the static reports and the newest stored events,
and cached until one of them changes: a page of a few hundred vessels never reads the positions again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import polars as pl

from armswatch.errors import InputError
from armswatch.maritime import store
from armswatch.web.query import tracks as tq
from armswatch.web.query.cache import cached, files_fingerprint
from armswatch.web.query.events import events_dir, latest_events
from armswatch.workspace import Workspace

SORTS: Final[dict[str, tuple[str, bool]]] = {
    "last_seen": ("last_seen", True),
    "positions": ("positions", True),
    "events": ("events", True),
    "name": ("name", False),
    "mmsi": ("mmsi", False),
}
MAX_LIMIT: Final = 500


@dataclass(frozen=True)
class VesselFilter:
    q: str | None = None  # a name part (any case), or the first digits of an MMSI or IMO number
    sort: str = "last_seen"


def _latest_identity(ws: Workspace) -> pl.DataFrame:
    files = sorted(store.statics_path(ws).glob("day=*/bucket=*/*.parquet"))
    schema = {
        "mmsi": pl.Int64(),
        "name": pl.Utf8(),
        "imo": pl.Utf8(),
        "callsign": pl.Utf8(),
        "ship_type": pl.Int64(),
    }
    if not files:
        return pl.DataFrame(schema=schema)
    frame = (
        pl.scan_parquet(files, hive_partitioning=False)
        .select("mmsi", "ts", "name", "imo", "callsign", "ship_type")
        .sort("ts")
        .group_by("mmsi")
        .agg(
            pl.col("name").drop_nulls().last(),
            pl.col("imo").drop_nulls().last(),
            pl.col("callsign").drop_nulls().last(),
            pl.col("ship_type").drop_nulls().last(),
        )
        .collect()
    )
    return frame.cast(schema)  # type: ignore[arg-type]


def _build(ws: Workspace) -> pl.DataFrame:
    hourly = tq.hourly(ws)
    seen = (
        hourly.group_by("mmsi")
        .agg(
            pl.col("fixes").sum().cast(pl.Int64).alias("positions"),
            pl.col("hour").min().alias("first_seen"),
            pl.col("hour").max().alias("last_seen"),
        )
        .with_columns(pl.col("mmsi").cast(pl.Int64))
    )
    ident = _latest_identity(ws)
    ev = latest_events(ws)
    names = pl.concat(
        [
            ev.select(pl.col("mmsi").cast(pl.Int64)),
            ev.select(pl.col("other_mmsi").cast(pl.Int64).alias("mmsi")),
        ]
    ).drop_nulls()
    counts = names.group_by("mmsi").agg(pl.len().cast(pl.Int64).alias("events"))
    table = (
        seen.join(ident, on="mmsi", how="full", coalesce=True)
        .join(counts, on="mmsi", how="left")
        .with_columns(pl.col("positions").fill_null(0), pl.col("events").fill_null(0))
    )
    return table.with_columns(pl.col("name").str.to_lowercase().alias("_name"))


def vessel_table(ws: Workspace) -> pl.DataFrame:
    """One row per MMSI (cached until positions, static reports or stored events change)."""
    statics = sorted(store.statics_path(ws).glob("day=*/bucket=*/*.parquet"))
    events = sorted(events_dir(ws).glob("run=*.parquet"))
    _, hourly_fp = tq._fingerprint(ws)
    fp = hourly_fp + files_fingerprint(statics) + files_fingerprint(events)
    return cached(str(ws.root), "vessel-table", fp, lambda: _build(ws))


def names(ws: Workspace, mmsis: list[int | None]) -> dict[int, str]:
    """The latest broadcast name of each of ``mmsis`` that has one."""
    wanted = sorted({int(m) for m in mmsis if m is not None})
    if not wanted:
        return {}
    rows = vessel_table(ws).filter(pl.col("mmsi").is_in(wanted) & pl.col("name").is_not_null())
    return dict(zip(rows["mmsi"].to_list(), rows["name"].to_list(), strict=True))


def _listed(ws: Workspace, rows: list[dict[str, Any]]) -> None:
    """Mark the rows whose MMSI or IMO number a stored list entity carries (delisted ones too)."""
    from armswatch.entities.lookup import ids_by_value

    for r in rows:
        r["listed"] = []
    mmsis = [str(r["mmsi"]) for r in rows]
    imos = [r["imo"] for r in rows if r.get("imo")]
    variants = [v for i in imos for v in (i, f"IMO{i}", f"IMO {i}")]
    if not ids_by_value(ws, "mmsi", mmsis) and not (variants and ids_by_value(ws, "imoNumber", variants)):
        return  # one query each for the whole page; per-row look-ups only when something matched
    for r in rows:
        ids = set(ids_by_value(ws, "mmsi", [str(r["mmsi"])]))
        if r.get("imo"):
            i = r["imo"]
            ids.update(ids_by_value(ws, "imoNumber", [i, f"IMO{i}", f"IMO {i}"]))
        r["listed"] = sorted(ids)


def vessel_page(ws: Workspace, f: VesselFilter, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be 1..{MAX_LIMIT} and offset 0 or more")
    if f.sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}, got {f.sort!r}")
    table = vessel_table(ws)
    q = (f.q or "").strip()
    if q:
        if q.isdigit():
            table = table.filter(
                pl.col("mmsi").cast(pl.Utf8).str.starts_with(q)
                | pl.col("imo").fill_null("").str.starts_with(q)
            )
        else:
            table = table.filter(pl.col("_name").fill_null("").str.contains(q.lower(), literal=True))
    column, descending = SORTS[f.sort]
    key = "_name" if column == "name" else column
    table = table.sort([key, "mmsi"], descending=[descending, False], nulls_last=True)
    total = table.height
    rows = [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items() if not k.startswith("_")}
        for r in table.slice(offset, limit).iter_rows(named=True)
    ]
    _listed(ws, rows)
    return {"items": rows, "total": total, "offset": offset, "limit": limit}
