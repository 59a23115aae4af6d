"""AIS events at full scale: generate SIMULATED tracks in chunks, then run every detector once.

    .venv/bin/python benchmarks/ais_scale.py --points 100000000 [--chunk 10000000]

``benchmarks/ais.py`` generates all positions in one process, which does not fit 100 M positions in
memory on a 24 GiB machine. This script generates the same simulated traffic in chunks (each chunk
its own process, its own seed and its own MMSI block, written to the workspace positions layout),
then runs the detection stage of ``benchmarks/ais.py`` in a fresh process and prints its wall time,
CPU time, peak RSS and precision/recall against the injected ground truth. Vessels of different
chunks share the sea but were not planned to meet, so a few chance encounters between chunks are
expected and show up as extra (real, unlabelled) encounters.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
MMSI_BLOCK = 100_000  # each chunk's vessels get their own block of simulated MMSIs (999 xxx xxx)


def generate_chunk(folder: Path, index: int, points: int, seed: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from ais import _Tables  # type: ignore[import-not-found]

    from armswatch.maritime import store
    from armswatch.maritime.simulate import SimConfig, simulate

    days, report_s = 7.0, 60.0
    per_vessel = days * 86400 / report_s * 0.93
    cfg = SimConfig(
        n_vessels=max(4, round(points / per_vessel)), days=days, report_s=report_s, seed=seed + index
    )
    t0 = time.perf_counter()
    sim = simulate(cfg)
    offset = index * MMSI_BLOCK
    positions = sim.positions.with_columns(pl.col("mmsi") + offset)
    truth = sim.truth.with_columns(
        pl.col("mmsi") + offset,
        *([pl.col("other_mmsi") + offset] if "other_mmsi" in sim.truth.columns else []),
    )
    store.write_positions(_Tables(folder), positions)
    truth.write_parquet(folder / f"truth-{index:03d}.parquet")
    return {"positions": positions.height, "vessels": cfg.n_vessels, "seconds": time.perf_counter() - t0}


def _child(args: list[str]) -> dict[str, Any]:
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{res.stderr}")
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=100_000_000)
    ap.add_argument("--chunk", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--dir", type=Path, default=None, help="keep the generated data here (default: a temp dir)"
    )
    ap.add_argument("--chunk-index", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.chunk_index is not None:
        print(json.dumps(generate_chunk(args.dir, args.chunk_index, args.chunk, args.seed)))
        return
    sys.path.insert(0, str(HERE))
    from ais import machine  # type: ignore[import-not-found]

    print(f"# armswatch AIS events at scale — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()} (other jobs may share it: timings are noisy)")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="aisscale-", dir=args.dir) as tmp:
        folder = Path(tmp)
        chunks = max(1, round(args.points / args.chunk))
        total, t0 = 0, time.perf_counter()
        for i in range(chunks):
            info = _child([__file__, "--chunk-index", str(i), "--chunk", str(args.chunk), "--seed", str(args.seed),
                           "--dir", str(folder)])  # fmt: skip
            total += info["positions"]
            print(f"chunk {i + 1}/{chunks}: {info['positions']:,} positions, {info['vessels']} vessels, "
                  f"{info['seconds']:.1f} s", flush=True)  # fmt: skip
        pl.concat(
            [pl.read_parquet(p) for p in sorted(folder.glob("truth-*.parquet"))], how="diagonal"
        ).write_parquet(folder / "truth.parquet")
        print(f"SIMULATED data: {total:,} positions in {time.perf_counter() - t0:.0f} s")
        load = f"{os.getloadavg()[0]:.1f}"
        det = _child([str(HERE / "ais.py"), "--stage", "detect", "--dir", str(folder)])
        load += f" / {os.getloadavg()[0]:.1f}"
        print("\n## Parquet scan + all events (port_call, gap, encounter, loitering, spoofing)")
        print(f"load average (1 min) before / after: {load} on {os.cpu_count()} cores")
        print(f"positions: {det['positions']:,}  wall: {det['seconds']:.1f} s "
              f"({det['positions'] / det['seconds']:,.0f} positions/s)  CPU: {det['cpu_s']:.1f} s")  # fmt: skip
        print(f"events: {det['events']:,}  peak RSS of the detection process: {det['peak_rss_mb']:.0f} MB")
        print("target: 100 M positions in < 3 min and < 8 GB on 2 cores")
        print("\n## Accuracy against injected ground truth (SIMULATED)")
        for s in det["scores"]:
            print(f"{s['type']:<10} detected {s['detected']:>7} truth {s['truth']:>7} "
                  f"precision {s['precision']:.3f} recall {s['recall']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
