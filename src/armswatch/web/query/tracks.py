"""AIS tracks for the map, aggregated server-side: one point per vessel and hour, never every position.

The hourly table (last fix of each vessel in each UTC hour, with the number of fixes) is computed once
from the position table and kept on disk beside it (``tables/web_tracks/hourly.parquet``) with the
fingerprint of the position files it came from; a new ingest changes the fingerprint and rebuilds it.
Lines are cut where a vessel was not seen for ``DARK_HOURS`` and the cut is returned as a *dark leg*.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from armswatch.maritime import store
from armswatch.web.query.cache import cached, files_fingerprint
from armswatch.workspace import Workspace

DARK_HOURS: Final = 6.0
POINTS_PER_VESSEL: Final = 48
HOURLY_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mmsi": pl.UInt32(),
    "hour": pl.Datetime("us", "UTC"),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "fixes": pl.UInt32(),
}


def position_files(ws: Workspace, mmsi: int | None = None) -> list[Path]:
    root = store.positions_path(ws)
    pattern = (
        f"day=*/bucket={mmsi % store.BUCKETS:02d}/*.parquet"
        if mmsi is not None
        else "day=*/bucket=*/*.parquet"
    )
    return sorted(root.glob(pattern))


def build_hourly(files: list[Path]) -> pl.DataFrame:
    if not files:
        return pl.DataFrame(schema=HOURLY_SCHEMA)
    lf = pl.scan_parquet(files, hive_partitioning=False).select("mmsi", "ts", "lat", "lon")
    return (
        lf.group_by("mmsi", pl.col("ts").dt.truncate("1h").alias("hour"))
        .agg(
            pl.col("lat").sort_by("ts").last(),
            pl.col("lon").sort_by("ts").last(),
            pl.len().cast(pl.UInt32).alias("fixes"),
        )
        .sort("mmsi", "hour")
        .collect()
        .cast(HOURLY_SCHEMA)  # type: ignore[arg-type]
    )


_checked: dict[str, tuple[float, str]] = {}
RECHECK_S: Final = 10.0


def _fingerprint(ws: Workspace) -> tuple[list[Path] | None, str]:
    """The position files' fingerprint, re-read from disk at most every ``RECHECK_S`` seconds
    (listing thousands of partition files on every map request would cost more than the answer)."""
    key = str(ws.root)
    hit = _checked.get(key)
    if hit is not None and time.monotonic() - hit[0] < RECHECK_S:
        return None, hit[1]
    files = position_files(ws)
    fp = files_fingerprint(files)
    _checked[key] = (time.monotonic(), fp)
    return files, fp


def hourly(ws: Workspace) -> pl.DataFrame:
    """The hourly track table of the workspace (memory, else disk, else computed and saved)."""
    files, fp = _fingerprint(ws)

    def load() -> pl.DataFrame:
        folder = Path(ws.tables_dir) / "web_tracks"
        data, stamp = folder / "hourly.parquet", folder / "hourly.fingerprint"
        if data.exists() and stamp.exists() and stamp.read_text() == fp:
            return pl.read_parquet(data)
        frame = build_hourly(files if files is not None else position_files(ws))
        folder.mkdir(parents=True, exist_ok=True)
        tmp = data.with_suffix(".tmp")
        frame.write_parquet(tmp)
        tmp.replace(data)
        stamp.write_text(fp)
        return frame

    return cached(str(ws.root), "hourly", fp, load)


def _pieces(frame: pl.DataFrame, dark_h: float = DARK_HOURS) -> pl.DataFrame:
    """``frame`` (sorted by mmsi, hour) with ``piece`` (a new one at each vessel and after each silence
    longer than ``dark_h``) and ``dark`` (the piece follows such a silence)."""
    gap_h = frame["hour"].diff().dt.total_seconds() / 3600.0
    new_vessel = frame["mmsi"].diff().fill_null(1) != 0
    silent = (~new_vessel) & (gap_h.fill_null(0) > dark_h)
    return frame.with_columns(piece=(new_vessel | silent).cum_sum(), dark=silent)


def _lines(frame: pl.DataFrame, dark_h: float = DARK_HOURS) -> list[dict[str, Any]]:
    """GeoJSON features from a frame sorted by (mmsi, hour): track pieces and dark legs (pieces are
    taken from the frame's ``piece`` and ``dark`` columns when it has them, else cut at ``dark_h``)."""
    if frame.height == 0:
        return []
    if "piece" not in frame.columns:
        frame = _pieces(frame, dark_h)
    out: list[dict[str, Any]] = []
    grouped = frame.group_by("piece", maintain_order=True).agg(
        pl.col("mmsi").first(),
        pl.col("hour").first().alias("start"),
        pl.col("hour").last().alias("end"),
        pl.col("lon"),
        pl.col("lat"),
        pl.col("dark").first(),
    )
    prev: dict[str, Any] | None = None
    for row in grouped.iter_rows(named=True):  # one row per track piece, not per position
        coords = np.round(np.column_stack([row["lon"], row["lat"]]), 5).tolist()
        if row["dark"] and prev is not None and prev["mmsi"] == row["mmsi"]:
            out.append(_feature("dark", row["mmsi"], prev["end"], row["start"], [prev["last"], coords[0]]))
        if len(coords) == 1:
            coords = coords * 2
        out.append(_feature("track", row["mmsi"], row["start"], row["end"], coords))
        prev = {"mmsi": row["mmsi"], "end": row["end"], "last": coords[-1]}
    return out


def _feature(
    kind: str, mmsi: int, start: datetime, end: datetime, coords: list[list[float]]
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {"kind": kind, "mmsi": int(mmsi), "start": start.isoformat(), "end": end.isoformat()},
    }


def tracks(
    ws: Workspace,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    mmsi: int | None = None,
    max_vessels: int = 300,
) -> dict[str, Any]:
    """Hourly tracks of the vessels seen inside ``bbox`` between ``start`` and ``end`` (GeoJSON)."""
    frame = hourly(ws)
    if start is not None:
        frame = frame.filter(pl.col("hour") >= store.as_utc(start))
    if end is not None:
        frame = frame.filter(pl.col("hour") < store.as_utc(end))
    if mmsi is not None:
        frame = frame.filter(pl.col("mmsi") == mmsi)
    if bbox is not None:
        inside = frame.filter(
            pl.col("lon").is_between(bbox[0], bbox[2]) & pl.col("lat").is_between(bbox[1], bbox[3])
        )
        busiest = inside.group_by("mmsi").agg(pl.col("fixes").sum()).sort("fixes", descending=True)
    else:
        busiest = frame.group_by("mmsi").agg(pl.col("fixes").sum()).sort("fixes", descending=True)
    vessels = busiest["mmsi"].head(max_vessels)
    chosen = _pieces(frame.filter(pl.col("mmsi").is_in(vessels.implode())).sort("mmsi", "hour"))
    step = _step_hours(chosen)
    if step > 1:  # many hours in view: every `step`-th hourly point of each vessel, and each piece's ends
        idx = pl.int_range(pl.len()).over("mmsi")
        last = pl.col("piece") != pl.col("piece").shift(-1).fill_null(-1)
        first = pl.col("piece") != pl.col("piece").shift(1).fill_null(-1)
        chosen = chosen.filter((idx % step == 0) | first | last)
    return {
        "type": "FeatureCollection",
        "features": _lines(chosen),
        "properties": {
            "vessels": vessels.len(),
            "vessels_in_view": busiest.height,
            "resolution": f"1 point per vessel and {step} h",
        },
    }


def _step_hours(frame: pl.DataFrame) -> int:
    """Hourly points per drawn point so that a vessel gets about ``POINTS_PER_VESSEL`` points (plus the
    ends of its pieces): counted over the hours a vessel was heard, not the window, so a window with a
    months-long hole in the data does not thin a week of tracks to a few points."""
    if frame.height == 0:
        return 1
    most = int(frame.group_by("mmsi").len()["len"].max() or 0)  # type: ignore[arg-type]
    return max(1, math.ceil(most / POINTS_PER_VESSEL))


def time_range(ws: Workspace) -> tuple[str | None, str | None]:
    frame = hourly(ws)
    if frame.height == 0:
        return None, None
    lo, hi = frame["hour"].min(), frame["hour"].max()
    return (lo.isoformat() if lo is not None else None, hi.isoformat() if hi is not None else None)  # type: ignore[union-attr]


def extent(ws: Workspace) -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the hourly AIS track points, ``None`` without AIS
    (the map opens on the case's data, wherever in the world it is)."""
    frame = hourly(ws)
    if frame.height == 0:
        return None
    row = frame.select(
        pl.col("lon").min().alias("w"),
        pl.col("lat").min().alias("s"),
        pl.col("lon").max().alias("e"),
        pl.col("lat").max().alias("n"),
    ).row(0)
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))
