"""AIS events benchmark: throughput, peak memory, MovingPandas comparison, accuracy, real NY tracks.

    .venv/bin/python benchmarks/ais.py --points 2000000 [--mp-points 100000] [--skip-real]

1. Generates SIMULATED tracks (armswatch.maritime.simulate) with about --points positions and
   writes them to Parquet in the workspace positions layout (day=/bucket=).
2. In a fresh subprocess: scan the Parquet + all five event detectors (day-partitioned with
   carry-over); reports positions/s and that process's peak RSS.
3. MovingPandas on a subset of the same data (--mp-points), for the work it can do:
   TrajectoryStopDetector (stops >= 4 h within 2 km) and ObservationGapSplitter (gaps >= 6 h),
   against armswatch's gap + loitering + port-call detectors on the same subset; prints the ratio.
4. Precision / recall of every event type against the injected ground truth.
5. Real tracks in /work/shared/data/ais/noaa (when present): counts and sanity checks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

SHARED = Path("/work/shared/data/ais/noaa")


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, polars {pl.__version__}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds used by this process (user + system, all threads): less noisy than wall time
    on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Tables:
    def __init__(self, root: Path) -> None:
        self.tables_dir = root


def generate(points: int, folder: Path, seed: int) -> dict[str, Any]:
    from armswatch.maritime import store
    from armswatch.maritime.simulate import SimConfig, simulate

    days, report_s = 7.0, 60.0
    per_vessel = days * 86400 / report_s * 0.93  # dark legs remove a few percent
    cfg = SimConfig(n_vessels=max(4, round(points / per_vessel)), days=days, report_s=report_s, seed=seed)
    t0 = time.perf_counter()
    sim = simulate(cfg)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.write_positions(_Tables(folder), sim.positions)
    write_s = time.perf_counter() - t0
    sim.truth.write_parquet(folder / "truth.parquet")
    return {
        "positions": sim.positions.height,
        "vessels": cfg.n_vessels,
        "generate_s": gen_s,
        "write_s": write_s,
    }


def stage_detect(folder: Path) -> dict[str, Any]:
    """Scan Parquet + all detectors (run in its own process for a clean peak-memory figure)."""
    from armswatch.maritime import store
    from armswatch.maritime.events import Context, detect_events
    from armswatch.maritime.simulate import ports_frame, score

    ctx = Context.build(ports_frame())
    t0, c0 = time.perf_counter(), cpu_s()
    lf = store.scan_positions(_Tables(folder))
    n = lf.select(pl.len()).collect().item()
    events = detect_events(lf, ctx)
    secs, cpu = time.perf_counter() - t0, cpu_s() - c0
    truth = pl.read_parquet(folder / "truth.parquet")
    scores = [
        {
            "type": s.event_type,
            "detected": s.detected,
            "truth": s.truth,
            "precision": s.precision,
            "recall": s.recall,
        }
        for s in score(events, truth)
    ]
    return {
        "positions": n,
        "seconds": secs,
        "cpu_s": cpu,
        "events": events.height,
        "peak_rss_mb": peak_rss_mb(),
        "scores": scores,
    }


def _subset(folder: Path, max_points: int) -> pl.DataFrame:
    from armswatch.maritime import store

    lf = store.scan_positions(_Tables(folder)).select("mmsi", "ts", "lat", "lon", "sog")
    counts = lf.group_by("mmsi").len().sort("mmsi").collect()
    keep = counts.filter(pl.col("len").cum_sum() <= max_points)["mmsi"]
    return lf.filter(pl.col("mmsi").is_in(keep.implode())).collect().sort("mmsi", "ts")


def stage_shared(folder: Path, max_points: int) -> dict[str, Any]:
    """armswatch on the MovingPandas subset: gaps + stops (loitering and port calls)."""
    from armswatch.maritime.events import Context, EventParams, detect_events
    from armswatch.maritime.simulate import ports_frame

    pos = _subset(folder, max_points)
    ctx = Context.build(ports_frame())
    t0, c0 = time.perf_counter(), cpu_s()
    ev = detect_events(pos, ctx, EventParams(types=("gap", "loitering", "port_call")))
    secs, cpu = time.perf_counter() - t0, cpu_s() - c0
    counts = dict(ev["event_type"].value_counts().iter_rows())
    return {
        "positions": pos.height,
        "seconds": secs,
        "cpu_s": cpu,
        "counts": counts,
        "peak_rss_mb": peak_rss_mb(),
    }


def stage_movingpandas(folder: Path, max_points: int) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore")
    import geopandas as gpd
    import movingpandas as mpd

    pos = _subset(folder, max_points).to_pandas()
    t0, c0 = time.perf_counter(), cpu_s()
    pos["ts"] = pos["ts"].dt.tz_localize(None)
    gdf = gpd.GeoDataFrame(pos, geometry=gpd.points_from_xy(pos["lon"], pos["lat"]), crs="EPSG:4326")
    tc = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi", t="ts")
    stops = mpd.TrajectoryStopDetector(tc).get_stop_segments(
        max_diameter=2000, min_duration=timedelta(hours=4)
    )
    split = mpd.ObservationGapSplitter(tc).split(gap=timedelta(hours=6))
    secs, cpu = time.perf_counter() - t0, cpu_s() - c0
    n_gaps = len(split.trajectories) - len(tc.trajectories)
    return {
        "positions": len(pos),
        "seconds": secs,
        "cpu_s": cpu,
        "stops": len(stops.trajectories),
        "gaps": n_gaps,
        "peak_rss_mb": peak_rss_mb(),
    }


def real_tracks() -> dict[str, Any]:
    """Standalone detection on the NOAA MarineCadastre New York harbour samples."""
    from armswatch.maritime.events import Context, detect_events
    from armswatch.maritime.formats import read_marinecadastre

    out: dict[str, Any] = {}
    week = SHARED / "derived_NYHarbor_2020_12_first_week_points.csv"
    hour = SHARED / "NYHarbor_2020_06_30_first_hour.csv"
    ctx = Context.build()
    if week.is_file():
        raw = pl.read_csv(week)
        pos = raw.select(
            pl.col("mmsi").cast(pl.UInt32),
            pl.col("timestamp_utc")
            .str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us")
            .dt.replace_time_zone("UTC")
            .alias("ts"),
            "lat",
            "lon",
        )
        t0 = time.perf_counter()
        ev = detect_events(pos, ctx)
        secs = time.perf_counter() - t0
        # weak gap labels: consecutive upstream segments of one vessel separated by >= 6 h
        seg = (
            raw.with_columns(pl.col("timestamp_utc").str.to_datetime("%Y-%m-%d %H:%M:%S"))
            .group_by("mmsi", "traj_id")
            .agg(pl.col("timestamp_utc").min().alias("a"), pl.col("timestamp_utc").max().alias("b"))
            .sort("mmsi", "a")
            .with_columns(silence=(pl.col("a") - pl.col("b").shift(1).over("mmsi")).dt.total_hours())
        )
        calls = ev.filter(pl.col("event_type") == "port_call")
        out["ny_week"] = {
            "positions": pos.height,
            "vessels": pos["mmsi"].n_unique(),
            "seconds": secs,
            "events": dict(ev["event_type"].value_counts().sort("event_type").iter_rows()),
            "segment_boundaries_ge_6h": int((seg["silence"] >= 6).sum()),
            "top_ports": calls["port"].value_counts().sort("count", descending=True).head(6).rows(),
            "vessels_with_port_calls": calls["mmsi"].n_unique(),
        }
    if hour.is_file():
        pos = pl.concat([b.positions for b in read_marinecadastre(hour)])
        ev = detect_events(pos, ctx)
        out["ny_hour"] = {
            "positions": pos.height,
            "vessels": pos["mmsi"].n_unique(),
            "events": dict(ev["event_type"].value_counts().sort("event_type").iter_rows()),
        }
    return out


def _child(stage: str, folder: Path, extra: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--stage", stage, "--dir", str(folder), *extra]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{res.stderr}")
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--mp-points", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-mp", action="store_true")
    ap.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:
        fn = {"generate": lambda: generate(args.points, args.dir, args.seed),
              "detect": lambda: stage_detect(args.dir), "shared": lambda: stage_shared(args.dir, args.mp_points),
              "mp": lambda: stage_movingpandas(args.dir, args.mp_points)}[args.stage]  # fmt: skip
        print(json.dumps(fn(), default=str))
        return
    print(f"# armswatch AIS events benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()} (shared with other jobs: timings are noisy)")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="aisbench-") as tmp:
        folder = Path(tmp)
        # every stage runs in its own process started from this small parent: Linux carries the peak
        # RSS across fork+exec, so a parent holding the generated data would inflate the figures
        gen = _child("generate", folder, ["--points", str(args.points), "--seed", str(args.seed)])
        print(
            f"\nSIMULATED data: {gen['positions']:,} positions, {gen['vessels']} vessels, 7 days, ~60 s reports "
            f"(generated in {gen['generate_s']:.1f} s, Parquet write {gen['write_s']:.1f} s)"
        )
        load = f"{os.getloadavg()[0]:.1f}"
        det = _child("detect", folder, [])
        load += f" / {os.getloadavg()[0]:.1f}"
        rate = det["positions"] / det["seconds"]
        cpu_rate = det["positions"] / det["cpu_s"]
        print("\n## Parquet scan + all events (port_call, gap, encounter, loitering, spoofing)")
        print(f"load average (1 min) before / after: {load} on {os.cpu_count()} cores")
        print(
            f"positions: {det['positions']:,}  wall: {det['seconds']:.1f} s ({rate:,.0f} positions/s)  "
            f"CPU: {det['cpu_s']:.1f} s ({cpu_rate:,.0f} positions per CPU-second)"
        )
        print(f"events: {det['events']:,}  peak RSS of the detection process: {det['peak_rss_mb']:.0f} MB")
        print(
            f"linear extrapolation to 100 M positions: {100e6 / rate / 60:.1f} min wall as measured here; "
            f"{100e6 / cpu_rate / 60:.1f} CPU-min, i.e. {100e6 / cpu_rate / 120:.1f}-{100e6 / cpu_rate / 60:.1f} "
            "min on 2 dedicated cores (target < 3 min)"
        )
        print("\n## Accuracy against injected ground truth (SIMULATED)")
        print(f"{'type':<10} {'detected':>8} {'truth':>6} {'precision':>9} {'recall':>7}")
        for s in det["scores"]:
            print(
                f"{s['type']:<10} {s['detected']:>8} {s['truth']:>6} {s['precision']:>9.3f} {s['recall']:>7.3f}"
            )
        if not args.skip_mp:
            ours = _child("shared", folder, ["--mp-points", str(args.mp_points)])
            mp = _child("mp", folder, ["--mp-points", str(args.mp_points)])
            print(f"\n## Shared work vs MovingPandas on the same {ours['positions']:,} positions")
            print(f"armswatch gap+loitering+port_call: wall {ours['seconds']:.2f} s, CPU {ours['cpu_s']:.2f} s  "
                  f"counts {ours['counts']}")  # fmt: skip
            print(f"MovingPandas StopDetector(2 km, 4 h) + ObservationGapSplitter(6 h): wall {mp['seconds']:.2f} s, "
                  f"CPU {mp['cpu_s']:.2f} s  stops {mp['stops']}, gaps {mp['gaps']}")  # fmt: skip
            print(
                f"speed ratio (MovingPandas / armswatch): wall {mp['seconds'] / ours['seconds']:.1f}x, "
                f"CPU {mp['cpu_s'] / ours['cpu_s']:.1f}x"
            )
    if args.skip_real:
        return
    if not SHARED.is_dir():
        print(f"\n## Real tracks: {SHARED} is absent — skipped")
        return
    real = real_tracks()
    print("\n## Real tracks: NOAA MarineCadastre, New York harbour (no ground truth: sanity checks)")
    for name, r in real.items():
        print(f"{name}: {json.dumps(r, default=str)}")


if __name__ == "__main__":
    main()
