"""Start-up and whole-command speed: what a user waits for.

Measures, as whole processes (median of N runs, wall seconds and CPU seconds of the child):

* ``python -c pass`` (the floor on this machine, measured in the same run),
* ``armswatch --version`` and ``armswatch --help`` (targets: < 0.3 s),
* ``armswatch findings list`` on a demo workspace (target: fixed overhead < 1 s),
* ``armswatch screen QUERIES --list UN.xml`` with the candidate-generation positives from
  ``../shared/data/sanctions`` against the UN consolidated list, first run (parsing the list) and
  second run (list and index from the cache), as queries per second of the whole command
  (target: ≥ 200/s).

Usage: ``python benchmarks/startup.py [--runs 5] [--demo DIR] [--data ../shared/data]``. Without
``--demo`` a demo workspace is built in a temporary folder first (about a minute). The screening part
is skipped, and says so, when the evaluation data is not there.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BIN = Path(sys.executable).parent
ARMSWATCH = str(BIN / "armswatch")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}"


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run; fails loudly when the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_of(cmd: list[str], runs: int, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    timed(cmd, cwd, env)  # warm the file cache
    results = [timed(cmd, cwd, env) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    return f"{wall:6.3f} s wall, {cpu:6.3f} s CPU"


def startup(runs: int, demo: Path) -> None:
    print(f"\n## Start-up (median of {runs}; one warm-up run first)")
    print(f"python -c pass              {median_of([sys.executable, '-c', 'pass'], runs)}")
    print(f"armswatch --version         {median_of([ARMSWATCH, '--version'], runs)}")
    print(f"armswatch --help            {median_of([ARMSWATCH, '--help'], runs)}")
    print(
        f"armswatch findings list     {median_of([ARMSWATCH, 'findings', 'list'], runs, cwd=demo)}  (demo workspace)"
    )


def screening(data: Path, runs: int) -> None:
    un = next((data / "sanctions" / "un").glob("*.xml"), None)
    positives = data / "sanctions" / "pairs" / "candidate_generation_benchmark_positives_un_untreated.csv"
    if un is None or not positives.exists():
        print(f"\n## Screening: skipped, evaluation data not found under {data}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        queries = folder / "queries.csv"
        with positives.open(encoding="utf-8") as src, queries.open("w", encoding="utf-8", newline="") as dst:
            rows = list(csv.DictReader(src))
            writer = csv.writer(dst)
            writer.writerow(["id", "name", "schema", "birth_date"])
            for i, r in enumerate(rows):
                writer.writerow([f"q{i}", r["full_name"], "Person", r["date_of_birth"]])
        one = folder / "one.csv"
        one.write_text(
            "\n".join(queries.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8"
        )
        cmd = [ARMSWATCH, "screen", str(queries), "--list", str(un), "-o", str(folder / "m.csv"), "-q"]
        cold, warm, fixed = [], [], []
        for i in range(runs):
            env = dict(os.environ, ARMSWATCH_CACHE_DIR=str(folder / f"cache{i}"))
            cold.append(timed(cmd, env=env))
            warm.append(timed(cmd, env=env))
            fixed.append(timed([*cmd[:2], str(one), *cmd[3:]], env=env))
        n = len(rows)
        print(
            f"\n## Screening {n} queries ({positives.name}) against {un.name}, whole command, median of {runs}"
        )
        one_wall = statistics.median(r[0] for r in fixed)
        one_cpu = statistics.median(r[1] for r in fixed)
        print(f"{'1 query, cached':<24} {one_wall:6.2f} s wall, {one_cpu:6.2f} s CPU (the fixed cost)")
        for label, results in (("first run (parse list)", cold), ("cached list and index", warm)):
            wall = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[1] for r in results)
            print(
                f"{label:<24} {wall:6.2f} s wall ({n / wall:5.0f} queries/s), "
                f"{cpu:6.2f} s CPU ({n / cpu:5.0f} queries/CPU-s)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--demo", type=Path, help="an existing demo workspace (default: build one)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    print(f"# armswatch start-up benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        demo = args.demo
        if demo is None:
            demo = Path(tmp) / "demo"
            print("building a demo workspace …", flush=True)
            subprocess.run([ARMSWATCH, "demo", str(demo), "-q"], check=True, capture_output=True)
        startup(args.runs, demo)
    screening(args.data, args.runs)
    print(f"\nmachine at the end: {machine()}")


if __name__ == "__main__":
    main()
