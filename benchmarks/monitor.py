"""Monitor benchmark: one `dark` monitor watching 1,000 vessels over a day of new data (SIMULATED),
plus the same monitor on REAL AIS (NOAA New York harbour, December 2020 week) when present.

Usage (from the repo root)::

    .venv/bin/python benchmarks/monitor.py [--vessels 1000] [--every-s 60] [--dark 30] [--data ../shared/data]

SIMULATED: ``--vessels`` ships (MMSIs 999xxxxxx) reporting every ``--every-s`` seconds for two UTC
days; day 1 is ingested before the monitor is added (history), day 2 after it (the new data). In
day 2, ``--dark`` vessels fall silent for 8-20 h (a third of them still silent at the end of the
day). Timed: ``run_monitors`` (evaluation on new data only, findings, alert rows, audit), the
target being < 10 s; checked: alerts == injected silences, and a second run finds nothing new.
Also timed on the same data: a `port` monitor (20 of the vessels named designated with --mmsi)
and an `encounter` monitor near a site.

REAL: the NOAA points CSV (172,679 positions, 140 MMSIs, 2020-12-01..07): days 1-6 as history,
day 7 as new data, one `dark` monitor (6 h) watching every vessel; reported: alerts, time. The
silences are not labelled (segments were filtered upstream), so this is a count, not an accuracy.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from shapely.geometry import Point

from armswatch.maritime.ingest import ingest_file
from armswatch.monitors.engine import run_monitors
from armswatch.monitors.store import add_monitor
from armswatch.sites.model import Site
from armswatch.workspace import Workspace

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def simulate(n: int, every_s: int, dark: int, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Two days of positions (day 1, day 2) and the number of silences >= 6 h injected in day 2."""
    rng = np.random.default_rng(seed)
    mmsi = 999_000_000 + rng.choice(1_000_000, n, replace=False)
    steps = int(2 * 86400 / every_s)
    t = np.arange(steps) * every_s
    lat0, lon0 = rng.uniform(34, 46, n), rng.uniform(128, 140, n)
    heading = rng.uniform(0, 2 * np.pi, n)
    speed = rng.uniform(0.5, 14, n) * 1852 / 3600 / 111_320  # degrees per second
    frames = []
    silent = 0
    for i in range(n):
        keep = np.ones(steps, dtype=bool)
        if i < dark:
            off = 86400 + rng.uniform(0, 16 * 3600)
            dur = rng.uniform(8, 20) * 3600 if i % 3 else 2 * 86400  # every third: silent to the end
            keep &= ~((t >= off) & (t < off + dur))
            silent += 1
        tt = t[keep] + rng.integers(0, 20, keep.sum())
        frames.append(pl.DataFrame({
            "mmsi": np.full(tt.size, mmsi[i], dtype=np.uint32),
            "ts": (np.datetime64("2024-03-01T00:00:00") + tt.astype("timedelta64[s]")).astype("datetime64[us]"),
            "lat": np.clip(lat0[i] + np.sin(heading[i]) * speed[i] * tt, -89, 89),
            "lon": np.clip(lon0[i] + np.cos(heading[i]) * speed[i] * tt, -179, 179),
            "sog": np.full(tt.size, speed[i] * 111_320 * 3600 / 1852, dtype=np.float32),
        }))  # fmt: skip
    allpos = pl.concat(frames).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
    day2 = allpos["ts"] >= T0 + timedelta(days=1)
    return allpos.filter(~day2), allpos.filter(day2), silent


def _ingest(ws: Workspace, frame: pl.DataFrame, path: Path) -> float:
    frame.write_parquet(path)
    t = time.perf_counter()
    ingest_file(ws, path, fmt="parquet", simulated=True)
    return time.perf_counter() - t


def simulated(args: argparse.Namespace, tmp: Path) -> None:
    day1, day2, injected = simulate(args.vessels, args.every_s, args.dark)
    with Workspace.init(tmp / "sim", analyst="bench") as ws:
        t1 = _ingest(ws, day1, tmp / "day1.parquet")
        vessels = sorted(set(day1["mmsi"].to_list()))
        site = Site(id="watch-point", name="Watch point", country="KP", kind="port", precision="settlement",
                    geometry=Point(134.0, 40.0), sources=("SIMULATED",), notes="")  # fmt: skip
        ws.save_sites([site])
        dark = add_monitor(ws, "dark", {"mmsi": vessels, "hours": 6}, name="1,000 watched vessels")
        t2 = _ingest(ws, day2, tmp / "day2.parquet")
        t, c = time.perf_counter(), time.process_time()
        (out,) = run_monitors(ws, only=[dark.id])
        dark_s, dark_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        (again,) = run_monitors(ws, only=[dark.id])
        again_s = time.perf_counter() - t
        port = add_monitor(
            ws, "port", {"site": "watch-point", "radius_km": 50, "mmsi": vessels[:20]}, backfill=True
        )
        enc = add_monitor(ws, "encounter", {"site": "watch-point", "radius_km": 100}, backfill=True)
        timings = {}
        for mon in (port, enc):
            t = time.perf_counter()
            (o,) = run_monitors(ws, only=[mon.id])
            timings[mon.kind] = (time.perf_counter() - t, o.alerts)
    print(f"SIMULATED: {args.vessels} vessels every {args.every_s} s; day 1 {day1.height:,} positions "
          f"(ingest {t1:.1f} s), day 2 (new) {day2.height:,} positions (ingest {t2:.1f} s)")  # fmt: skip
    print(f"  dark monitor (6 h) over the new day: {dark_s:.2f} s wall, {dark_cpu:.2f} s CPU (target < 10 s); "
          f"alerts {out.alerts} (injected silences >= 6 h: {injected}); second run {again_s:.2f} s, "
          f"{again.alerts} alerts, new data: {again.new_data}")  # fmt: skip
    for kind, (s, n) in timings.items():
        print(f"  {kind} monitor on the same two days (backfill): {s:.2f} s, {n} alerts")


def real(args: argparse.Namespace, tmp: Path) -> None:
    src = Path(args.data) / "ais" / "noaa" / "derived_NYHarbor_2020_12_first_week_points.csv"
    if not src.is_file():
        print(f"REAL: {src} not found; skipped")
        return
    pts = pl.read_csv(src).select(
        pl.col("mmsi").cast(pl.UInt32), pl.col("timestamp_utc").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").alias("ts"),
        pl.col("lat"), pl.col("lon"),
    )  # fmt: skip
    cut = datetime(2020, 12, 7, tzinfo=UTC)
    with Workspace.init(tmp / "real", analyst="bench") as ws:
        _ingest(ws, pts.filter(pl.col("ts") < cut), tmp / "real1.parquet")
        mon = add_monitor(ws, "dark", {"mmsi": sorted(set(pts["mmsi"].to_list())), "hours": 6})
        _ingest(ws, pts.filter(pl.col("ts") >= cut), tmp / "real2.parquet")
        t = time.perf_counter()
        (out,) = run_monitors(ws, only=[mon.id])
        s = time.perf_counter() - t
        closed = sum(1 for f in ws.list_findings(kind="monitor.dark") if not f.details.get("open"))
    new = pts.filter(pl.col("ts") >= cut)
    print(f"REAL (NOAA NY harbour, Dec 2020): history {pts.height - new.height:,} positions, new day {new.height:,} "
          f"positions of {new['mmsi'].n_unique()} vessels; dark monitor (6 h) watching {pts['mmsi'].n_unique()}: "
          f"{s:.2f} s, {out.alerts} alerts ({closed} silences closed by a new position, {out.alerts - closed} still open)")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vessels", type=int, default=1000)
    p.add_argument("--every-s", type=int, default=60)
    p.add_argument("--dark", type=int, default=30)
    p.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    args = p.parse_args()
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp:
        simulated(args, Path(tmp))
        real(args, Path(tmp))


if __name__ == "__main__":
    main()
