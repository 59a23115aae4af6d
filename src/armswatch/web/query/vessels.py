"""One vessel as the vessel page shows it: identity history, a simplified track, events, designations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import polars as pl

from armswatch.errors import InputError, NotFoundError
from armswatch.maritime import store
from armswatch.maritime.schema import STATIC_SCHEMA
from armswatch.types.imo import clean_imo
from armswatch.web.query.tracks import DARK_HOURS, hourly, position_files
from armswatch.workspace import Workspace

MAX_TRACK_POINTS: Final = 2000


def clean_mmsi(text: str | int) -> int:
    s = str(text).strip()
    if not (
        s.isascii() and s.isdigit() and len(s) == 9
    ):  # simulated and test MMSIs (MID 999) are nine digits too
        raise InputError(f"not an MMSI (nine digits): {text!r}")
    return int(s)


def statics_of(ws: Workspace, mmsi: int) -> pl.DataFrame:
    root = store.statics_path(ws)
    files = sorted(root.glob(f"day=*/bucket={mmsi % store.BUCKETS:02d}/*.parquet"))
    if not files:
        return pl.DataFrame(schema=STATIC_SCHEMA)
    return pl.scan_parquet(files, hive_partitioning=False).filter(pl.col("mmsi") == mmsi).collect()


def identity_history(statics: pl.DataFrame) -> list[dict[str, Any]]:
    """Each distinct (name, IMO, call sign, ship type) the vessel broadcast, with first and last seen."""
    if statics.height == 0:
        return []
    keys = ["name", "imo", "callsign", "ship_type"]
    rows = (
        statics.group_by(keys)
        .agg(
            pl.col("ts").min().alias("first_seen"),
            pl.col("ts").max().alias("last_seen"),
            pl.len().alias("reports"),
        )
        .sort("first_seen")
    )
    return [
        {**r, "first_seen": r["first_seen"].isoformat(), "last_seen": r["last_seen"].isoformat()}
        for r in rows.iter_rows(named=True)
    ]


def track(
    ws: Workspace, mmsi: int, start: datetime | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """The vessel's positions thinned by time to about ``MAX_TRACK_POINTS`` (evenly spaced in time), as a
    MultiLineString cut wherever no fix came for ``DARK_HOURS`` or more; each cut is a *dark leg* in
    ``properties.dark_legs`` (from, to, start, end, hours), never drawn as if the vessel sailed it.
    The first and last fix of every piece are kept."""
    empty = {"type": "Feature", "geometry": None, "properties": {"positions": 0, "shown": 0, "dark_legs": []}}
    files = position_files(ws, mmsi)
    if not files:
        return empty
    lf = pl.scan_parquet(files, hive_partitioning=False).filter(pl.col("mmsi") == mmsi)
    if start is not None:
        lf = lf.filter(pl.col("ts") >= store.as_utc(start))
    if end is not None:
        lf = lf.filter(pl.col("ts") < store.as_utc(end))
    pos = lf.select("ts", "lat", "lon").sort("ts").collect()
    n = pos.height
    if n == 0:
        return empty
    step = max(1, -(-n // MAX_TRACK_POINTS))
    gap_h = pos["ts"].diff().dt.total_seconds().fill_null(0) / 3600.0
    cut = gap_h > DARK_HOURS
    idx = pl.int_range(n, eager=True)
    last = cut.shift(-1, fill_value=True)
    thin = pos.with_columns(piece=cut.cum_sum()).filter((idx % step == 0) | cut | last | (idx == 0))
    pieces = thin.group_by("piece", maintain_order=True).agg(
        pl.col("lon"), pl.col("lat"), pl.col("ts").first().alias("start"), pl.col("ts").last().alias("end")
    )
    lines: list[list[list[float]]] = []
    dark: list[dict[str, Any]] = []
    prev: dict[str, Any] | None = None
    for row in pieces.iter_rows(named=True):  # one row per piece of track, not per position
        coords = [[round(x, 5), round(y, 5)] for x, y in zip(row["lon"], row["lat"], strict=True)]
        if prev is not None:
            dark.append(
                {
                    "from": prev["to"],
                    "to": coords[0],
                    "start": prev["end"].isoformat(),
                    "end": row["start"].isoformat(),
                    "hours": round((row["start"] - prev["end"]).total_seconds() / 3600.0, 1),
                }
            )
        lines.append(coords * 2 if len(coords) == 1 else coords)
        prev = {"to": coords[-1], "end": row["end"]}
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {
            "mmsi": mmsi,
            "positions": n,
            "shown": thin.height,
            "start": pos["ts"][0].isoformat(),
            "end": pos["ts"][-1].isoformat(),
            "times": [t.isoformat() for t in thin["ts"]],
            "dark_legs": dark,
        },
    }


def designations(ws: Workspace, mmsi: int, imos: list[str]) -> list[dict[str, Any]]:
    """List entries for this MMSI or one of its IMO numbers (delisted ones too), from the entity store,
    one per entity: records an analyst resolved as the same vessel are one entry (its ``res-`` id),
    with the listings of every record (as the vessel dossier lists them)."""
    from armswatch.dossier.vessel_lists import vessel_views
    from armswatch.entities.resolution import clusters

    found = clusters(ws)
    groups: dict[str, list[Any]] = {}
    for v in vessel_views(ws, [mmsi], imos):
        groups.setdefault(found.canonical(v.entity_id), []).append(v)
    out = []
    for entity_id, views in groups.items():
        named = next((v for v in views if v.entity is not None), None)
        out.append(
            {
                "entity_id": entity_id,
                "name": named.entity.caption if named is not None and named.entity is not None else entity_id,
                "records": [v.entity_id for v in views],
                "listings": [
                    {
                        "dataset": lst.dataset,
                        "status": lst.status,
                        "since": str(lst.since) if lst.since else None,
                        "delisted_on": str(lst.delisted_on) if lst.delisted_on else None,
                        "record": v.entity_id,
                    }
                    for v in views
                    for lst in v.listings
                ],
            }
        )
    return out


def vessel(ws: Workspace, mmsi: int) -> dict[str, Any]:
    statics = statics_of(ws, mmsi)
    identity = identity_history(statics)
    # the positions of a partition bucket hold many vessels: ask the (cached) hourly table for this one
    has_positions = hourly(ws).filter(pl.col("mmsi") == mmsi).height > 0
    imos = sorted({str(r["imo"]) for r in identity if r["imo"] and clean_imo(r["imo"])})
    found = designations(ws, mmsi, imos)
    if not identity and not found and not has_positions:
        raise NotFoundError(f"no vessel with MMSI {mmsi} in this workspace")
    names = [r["name"] for r in identity if r["name"]]
    return {
        "mmsi": mmsi,
        "name": names[-1] if names else None,
        "imo": imos,
        "identity": identity,
        "designations": found,
    }
