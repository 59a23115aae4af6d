"""AIS events on Dask: the same SIMULATED data in one process and on a LocalCluster of 1 and 2 workers.

    .venv/bin/python benchmarks/ais_dask.py --points 10000000 [--chunk 2500000] [--days 7]

1. Generates SIMULATED tracks (``armswatch.maritime.simulate``, via ``benchmarks/ais_scale.py``
   chunks) into the workspace positions layout (``day=/bucket=``) in a temporary folder.
2. Runs, each in a fresh process: the local detection (``detect`` over the Parquet scan, one
   process, polars using every core), then ``detect_on_cluster`` on a LocalCluster of 1 and of 2
   single-threaded worker processes (``--scheduler local:1`` / ``local:2``). Reports wall seconds
   (with and without starting the cluster), positions/s, the ratio to the local run, CPU seconds
   of the client (which hosts the scheduler) and of every worker, the load average, and whether
   the events are the same as the local run's (floats compared to 9 digits).
3. A cost model from the measured per-partition task times (Dask's task stream): seconds per
   position of each task kind, the per-day critical path (days are a chain; a day's buckets run in
   parallel, its encounter task sees the whole day), projected to 10^10 positions on N workers.
   It is a PROJECTION from one machine's measurements, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(args: list[str]) -> dict[str, Any]:
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{res.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


class _Tables:
    def __init__(self, root: Path) -> None:
        self.tables_dir = root


def _normal(ev: pl.DataFrame) -> list[tuple[object, ...]]:
    def clean(v: object) -> object:
        if isinstance(v, float):
            return round(v, 9)
        if isinstance(v, dict):
            return tuple(sorted((k, clean(x)) for k, x in v.items()))
        return v

    return [
        tuple(clean(json.loads(v) if k == "details" else v) for k, v in row.items())
        for row in ev.iter_rows(named=True)
    ]


def stage_local(folder: Path, out: Path) -> dict[str, Any]:
    from armswatch.maritime import store
    from armswatch.maritime.events import Context, detect
    from armswatch.maritime.simulate import ports_frame

    ctx = Context.build(ports_frame())
    t0, c0, load0 = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    lf = store.scan_positions(_Tables(folder))
    n = lf.select(pl.len()).collect().item()
    found = detect(lf, ctx)
    secs, cpu = time.perf_counter() - t0, _cpu_s() - c0
    found.events.write_parquet(out)
    return {"positions": n, "seconds": secs, "cpu_s": cpu, "events": found.events.height,
            "load": [load0, os.getloadavg()[0]],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def _worker_cpu() -> float:
    return _cpu_s()


def stage_dask(folder: Path, out: Path, workers: int, buckets: int | None) -> dict[str, Any]:
    from distributed import get_task_stream

    from armswatch.maritime import store
    from armswatch.maritime.distributed import Job, connect
    from armswatch.maritime.event_task import detect_on_cluster
    from armswatch.maritime.events import Context, EventParams
    from armswatch.maritime.simulate import ports_frame

    ctx = Context.build(ports_frame())
    t_start, c_start = time.perf_counter(), _cpu_s()
    with connect(f"local:{workers}") as client:
        startup = time.perf_counter() - t_start
        w0 = client.run(_worker_cpu)
        t0, c0, load0 = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
        with get_task_stream(client) as stream:
            found = detect_on_cluster(
                Job(client, folder),
                store.positions_path(_Tables(folder)),
                None,
                ctx,
                EventParams(),
                buckets=buckets,
            )
        secs, cpu = time.perf_counter() - t0, _cpu_s() - c0
        w1 = client.run(_worker_cpu)
        buckets = None
        tasks = []
        for rec in stream.data:
            label = str(rec["key"]).rsplit("-", 1)[0]
            compute = sum(s["stop"] - s["start"] for s in rec["startstops"] if s["action"] == "compute")
            tasks.append({"label": label, "kind": label.split("-")[0], "seconds": compute})
            if label.startswith("bucket-"):
                buckets = max(buckets or 0, int(label.rsplit("-", 1)[1]) + 1)
    found.events.write_parquet(out)
    n = store.scan_positions(_Tables(folder)).select(pl.len()).collect().item()
    return {"positions": n, "seconds": secs, "startup_s": startup, "client_cpu_s": cpu,
            "worker_cpu_s": sorted(w1[k] - w0[k] for k in w1), "events": found.events.height,
            "load": [load0, os.getloadavg()[0]], "tasks": tasks, "buckets": buckets,
            "total_client_cpu_s": _cpu_s() - c_start}  # fmt: skip


def stage_kill(folder: Path, reference: Path, after_s: float) -> dict[str, Any]:
    """Kill one of two worker processes ``after_s`` seconds into the job; the events must still be
    the reference's (Dask re-runs the dead worker's tasks; the writes are idempotent)."""
    import signal
    import threading

    from armswatch.maritime import store
    from armswatch.maritime.distributed import Job, connect
    from armswatch.maritime.event_task import detect_on_cluster
    from armswatch.maritime.events import Context, EventParams
    from armswatch.maritime.simulate import ports_frame

    ctx = Context.build(ports_frame())
    out: dict[str, Any] = {}
    with connect("local:2") as client:
        pid = sorted(client.run(os.getpid).items())[0][1]
        job = Job(client, folder)
        run = threading.Thread(target=lambda: out.setdefault("d", detect_on_cluster(
            job, store.positions_path(_Tables(folder)), None, ctx, EventParams())))  # fmt: skip
        t0 = time.perf_counter()
        run.start()
        time.sleep(after_s)
        os.kill(pid, signal.SIGKILL)
        killed = time.perf_counter() - t0
        run.join()
        ended = time.perf_counter() - t0
    same = _normal(out["d"].events) == _normal(pl.read_parquet(reference))
    return {"killed_s": killed, "ended_s": ended, "same": same, "events": out["d"].events.height}


REAL_FILES = (("NYHarbor_2020_06_30_first_hour.csv", "marinecadastre", None),
              ("derived_NYHarbor_2020_12_first_week_points.csv", "csv", {"ts": "timestamp_utc"}))  # fmt: skip


def stage_real(data: Path, tmp: Path) -> dict[str, Any]:
    """REAL NOAA AIS (New York harbour): ingest and events here and on a LocalCluster of 2 workers."""
    from armswatch.maritime import store
    from armswatch.maritime.distributed import Job, connect
    from armswatch.maritime.event_task import detect_on_cluster
    from armswatch.maritime.events import Context, EventParams, detect
    from armswatch.maritime.ingest import ingest_file
    from armswatch.maritime.ingest_task import ingest_on_cluster
    from armswatch.workspace import Workspace

    here, there = Workspace.init(tmp / "real-here"), Workspace.init(tmp / "real-there")
    ctx = Context.build()
    out: dict[str, Any] = {}
    with connect("local:2") as client:
        for name, fmt, mapping in REAL_FILES:
            a = ingest_file(here, data / name, fmt=fmt, mapping=mapping)[1]
            b = ingest_on_cluster(
                there, Job(client, there.tables_dir), [data / name], fmt=fmt, mapping=mapping
            )[0][1]
            out[name] = {"positions": a["positions"]["added"], "same_counts": a["positions"] == b["positions"]
                         and a["rejected"] == b["rejected"]}  # fmt: skip
        local = detect(store.scan_positions(here), ctx)
        dist = detect_on_cluster(
            Job(client, there.tables_dir), store.positions_path(there), None, ctx, EventParams()
        )
    out["same_rows"] = _digest(here) == _digest(there)
    out["events"] = local.events.height
    out["same_events"] = _normal(local.events) == _normal(dist.events)
    out["types"] = dict(local.events["event_type"].value_counts().iter_rows())
    here.close()
    there.close()
    return out


def _digest(ws: Any) -> tuple[int, int]:
    """Rows of the positions table and an order-free digest of their content."""
    import numpy as np

    from armswatch.maritime import store

    rows = store.scan_positions(ws).collect().drop("source")
    return rows.height, int(np.bitwise_xor.reduce(rows.hash_rows(seed=0).to_numpy())) if rows.height else 0


def stage_ingest(files: list[Path], folder: Path, workers: int) -> dict[str, Any]:
    """Ingest the files into a fresh workspace here (workers = 0) or on a LocalCluster."""
    from armswatch.workspace import Workspace

    ws = Workspace.init(folder, analyst="bench")
    t0, c0, load0 = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    startup, wcpu = 0.0, [0.0]
    if workers == 0:
        from armswatch.maritime.ingest import ingest_file

        for f in files:
            ingest_file(ws, f, fmt="parquet", simulated=True)
    else:
        from armswatch.maritime.distributed import Job, connect
        from armswatch.maritime.ingest_task import ingest_on_cluster

        with connect(f"local:{workers}") as client:
            startup = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), _cpu_s()
            w0 = client.run(_worker_cpu)
            ingest_on_cluster(ws, Job(client, ws.tables_dir), files, fmt="parquet", simulated=True)
            w1 = client.run(_worker_cpu)
            wcpu = sorted(w1[k] - w0[k] for k in w1)
    secs, cpu = time.perf_counter() - t0, _cpu_s() - c0
    n, digest = _digest(ws)
    ws.close()
    return {"positions": n, "digest": digest, "seconds": secs, "cpu_s": cpu, "worker_cpu_s": wcpu,
            "startup_s": startup, "load": [load0, os.getloadavg()[0]]}  # fmt: skip


def ingest_table(tmp: Path, folder: Path, k: int, workers: list[int]) -> None:
    """Write the positions as ``k`` Parquet files (in time order, like daily files) and ingest them
    here and on each LocalCluster size."""
    from armswatch.maritime import store

    inputs = tmp / "inputs"
    inputs.mkdir()
    pos = store.scan_positions(_Tables(folder)).drop("source").sort("ts").collect()
    step = -(-pos.height // k)
    files = []
    for i in range(k):
        files.append(inputs / f"sim-{i:02d}.parquet")
        pos.slice(i * step, step).write_parquet(files[-1])
    del pos
    names = [str(f) for f in files]
    print(f"\n## ais ingest of {k} Parquet files (SIMULATED), fresh workspace each")
    print(
        "| run | wall s | positions/s | wall / single process | CPU s (client + workers) | load avg before/after | same rows |"
    )
    print("|---|---|---|---|---|---|---|")
    ref: dict[str, Any] = {}
    for w in [0, *workers]:
        r = _child([__file__, "--stage", "ingest", "--dir", str(tmp / f"ws{w}"), "--n", str(w), *names])
        ref = ref or r
        cpu = r["cpu_s"] + sum(r["worker_cpu_s"])
        name = (
            "single process"
            if w == 0
            else f"LocalCluster {w} worker(s) (+{r['startup_s']:.1f} s cluster start)"
        )
        same = (
            "–"
            if w == 0
            else ("yes" if (r["positions"], r["digest"]) == (ref["positions"], ref["digest"]) else "NO")
        )
        print(f"| {name} | {r['seconds']:.1f} | {r['positions'] / r['seconds']:,.0f} | {r['seconds'] / ref['seconds']:.2f} "
              f"| {cpu:.1f} | {r['load'][0]:.1f} / {r['load'][1]:.1f} | {same} |")  # fmt: skip


def cost_model(run: dict[str, Any], days: int, total: float = 1e10) -> list[str]:
    """Seconds per position of each task kind (measured) -> projected wall time for ``total``
    positions over ``days`` days on N workers (16 detection buckets per day)."""
    per: dict[str, float] = {}
    for t in run["tasks"]:
        per[t["kind"]] = per.get(t["kind"], 0.0) + t["seconds"]
    n = run["positions"]
    # task times are wall clock on a shared machine; the workers' CPU seconds over the tasks' wall
    # seconds rescale them to a worker that has its core to itself
    share = min(1.0, sum(run["worker_cpu_s"]) / sum(per.values()))
    c = {k: v * share / n for k, v in per.items()}  # CPU seconds per position, over the kind's tasks
    lines = [f"task kind: seconds per million positions (task wall x {share:.2f} = worker CPU / task wall)"]
    lines += [f"  {k:<6} {v * 1e6:8.3f} s" for k, v in sorted(c.items())]
    day = total / days
    buckets = 16
    work_day = sum(c.values()) * day  # all tasks of one day, summed
    chain_day = c.get("pairs", 0.0) * day + (c.get("bucket", 0.0) + c.get("written", 0.0)) * day / buckets
    cov_day = c.get("heard", 0.0) * day
    lines.append(
        f"PROJECTION (not a measurement): {total:.0e} positions over {days} days = {day:,.0f} positions/day, "
        f"{buckets} buckets/day (~{day / buckets:,.0f} positions per bucket partition)"
    )
    lines.append(
        "  per day: work = sum of all task seconds; critical path = one bucket (with its carry) + pairs"
    )
    lines.append(f"  work per day {work_day:,.0f} s; critical path per day {chain_day:,.0f} s "
                 f"(the encounter task sees the whole day: {c.get('pairs', 0.0) * day:,.0f} s)")  # fmt: skip
    for workers in (1, 2, 8, 32, 128, 512):
        events_s = days * max((work_day - cov_day) / workers, chain_day)
        cov_s = days * cov_day / workers
        hours = (events_s + cov_s) / 3600
        lines.append(
            f"  N = {workers:>3} workers: ~{hours:,.1f} h  "
            f"(coverage {cov_s / 3600:,.1f} h + days {events_s / 3600:,.1f} h)"
        )
    lines.append(
        "  assumes: cost linear in positions (measured at this scale), a day's 27 M positions fit one"
    )
    lines.append(
        "  worker's memory for the encounter task (~1.4 GB, from 208 MB at 4 M), storage as fast as this disk,"
    )
    lines.append("  no scheduler or network cost beyond what the LocalCluster run included; the client's")
    lines.append("  coverage reduce (outages) and findings are not in the model.")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=10_000_000)
    ap.add_argument("--chunk", type=int, default=2_500_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", default="1,2", help="LocalCluster sizes to run (comma list)")
    ap.add_argument("--project-days", type=int, default=365, help="days the 10^10 positions span")
    ap.add_argument(
        "--buckets", type=int, default=None, help="detection buckets per day (default: chosen per job)"
    )
    ap.add_argument(
        "--ingest-files", type=int, default=4, help="also time ais ingest of this many files (0: skip)"
    )
    ap.add_argument(
        "--kill-after", type=float, default=20.0, help="kill a worker this many seconds into a job (0: skip)"
    )
    ap.add_argument("--stage", choices=["local", "dask", "ingest", "kill", "real"], help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage == "local":
        print(json.dumps(stage_local(args.dir, args.out)))
        return
    if args.stage == "dask":
        print(json.dumps(stage_dask(args.dir, args.out, args.n, args.buckets)))
        return
    if args.stage == "real":
        print(json.dumps(stage_real(SHARED / "ais" / "noaa", args.dir)))
        return
    if args.stage == "kill":
        print(json.dumps(stage_kill(args.dir, args.out, args.kill_after)))
        return
    if args.stage == "ingest":
        print(json.dumps(stage_ingest(args.files, args.dir, args.n)))
        return
    sys.path.insert(0, str(HERE))
    from ais import machine  # type: ignore[import-not-found]

    print(f"# armswatch AIS events on Dask — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}; load average now {os.getloadavg()} (shared machine: see CPU seconds)")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        "data: SIMULATED tracks (armswatch.maritime.simulate); REAL NOAA AIS only for the equality check at the end"
    )
    with tempfile.TemporaryDirectory(prefix="aisdask-") as tmp:
        folder = Path(tmp) / "tables"
        folder.mkdir()
        chunks = max(1, round(args.points / args.chunk))
        t0 = time.perf_counter()
        for i in range(chunks):
            _child([str(HERE / "ais_scale.py"), "--chunk-index", str(i), "--chunk", str(args.chunk),
                    "--seed", str(args.seed), "--dir", str(folder)])  # fmt: skip
        print(f"generated {chunks} chunk(s) in {time.perf_counter() - t0:.0f} s")
        table = folder / "ais_positions"
        local = _child([__file__, "--stage", "local", "--dir", str(folder), "--out", f"{tmp}/local.parquet"])
        n = local["positions"]
        print(f"\n## {n:,} SIMULATED positions, {local['events']:,} events")
        print(
            f"positions table: {sum(f.stat().st_size for f in table.rglob('*.parquet')) / 1e6:,.0f} MB Parquet"
        )
        print(
            "| run | wall s | positions/s | wall / single process | CPU s (client + workers) | load avg before/after | same events |"
        )
        print("|---|---|---|---|---|---|---|")
        print(f"| single process | {local['seconds']:.1f} | {n / local['seconds']:,.0f} | 1.00 | {local['cpu_s']:.1f} "
              f"| {local['load'][0]:.1f} / {local['load'][1]:.1f} | – |")  # fmt: skip
        reference = _normal(pl.read_parquet(f"{tmp}/local.parquet"))
        runs = {}
        for w in [int(x) for x in args.workers.split(",") if x]:
            out = f"{tmp}/dask{w}.parquet"
            more = ["--buckets", str(args.buckets)] if args.buckets else []
            d = _child(
                [__file__, "--stage", "dask", "--dir", str(folder), "--out", out, "--n", str(w), *more]
            )
            runs[w] = d
            same = _normal(pl.read_parquet(out)) == reference
            cpu = d["client_cpu_s"] + sum(d["worker_cpu_s"])
            print(f"| LocalCluster {w} worker(s), {d['buckets']} buckets/day (+{d['startup_s']:.1f} s cluster start) "
                  f"| {d['seconds']:.1f} | {n / d['seconds']:,.0f} | {d['seconds'] / local['seconds']:.2f} "
                  f"| {cpu:.1f} ({d['client_cpu_s']:.1f} + {' + '.join(f'{x:.1f}' for x in d['worker_cpu_s'])}) "
                  f"| {d['load'][0]:.1f} / {d['load'][1]:.1f} | {'yes' if same else 'NO'} |")  # fmt: skip
        print("\ntarget: Dask on one machine no slower than 1.5x the single-process run for 10 M positions")
        if runs:
            best = runs[max(runs)]
            print(f"\n## Cost model (from the {max(runs)}-worker run's task stream)")
            for line in cost_model(best, args.project_days):
                print(line)
        if args.kill_after:
            k = _child([__file__, "--stage", "kill", "--dir", str(folder), "--out", f"{tmp}/local.parquet",
                        "--kill-after", str(args.kill_after)])  # fmt: skip
            print(f"\n## A worker killed {k['killed_s']:.0f} s into the job (LocalCluster 2 workers; job ended at "
                  f"{k['ended_s']:.0f} s): {k['events']:,} events, same as the single-process run: "
                  f"{'yes' if k['same'] else 'NO'}"
                  f"{'' if k['ended_s'] > k['killed_s'] + 0.5 else ' (the job had ended before the kill: no check)'}")  # fmt: skip
        if (SHARED / "ais" / "noaa" / REAL_FILES[1][0]).is_file():
            r = _child([__file__, "--stage", "real", "--dir", tmp])
            files = ", ".join(f"{n}: {r[n]['positions']:,} positions, same counts {r[n]['same_counts']}"
                              for n, _, _ in REAL_FILES)  # fmt: skip
            print(
                "\n## REAL NOAA AIS, New York harbour (../shared/data/ais/noaa), local vs LocalCluster 2 workers"
            )
            print(f"ingest: {files}; same stored rows: {r['same_rows']}")
            print(f"events: {r['events']:,} {r['types']}; same events: {r['same_events']}")
        else:
            print(f"\nREAL data not found at {SHARED / 'ais' / 'noaa'}: the real-data check was not run")
        if args.ingest_files:
            ingest_table(Path(tmp), folder, args.ingest_files, [int(x) for x in args.workers.split(",") if x])


if __name__ == "__main__":
    main()
