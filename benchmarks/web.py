"""The workbench on a large case: p95 of list pages and API endpoints, and a bounded load run.

    .venv/bin/python benchmarks/web.py [--findings 100000] [--positions 10000000] [--keep DIR]
                                       [--clients 50] [--seconds 60] [--requests 40]

Builds a case (SIMULATED AIS from ``maritime.simulate`` written through the position store, events
detected by ``maritime.events.detect_events``, findings written through the provenance spine in runs
of 200), starts ``armswatch serve`` on 127.0.0.1 in its own process, logs in, then

1. times how long after the server process starts the review queue answers (the "usable within
   2 s" target is for a fresh ``make demo`` workspace; the big case is reported too);
2. requests each list page and API endpoint ``--requests`` times one after another and reports
   p50/p95 (target: p95 < 300 ms);
3. runs ``--clients`` concurrent clients for ``--seconds`` over a mix of those endpoints and
   reports p50/p95, requests per second and errors (target: 0 errors).

``--keep DIR`` builds the case in DIR once and reuses it on later runs. Targets are printed beside
the figures; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

USER, PASSWORD = "bench", "bench-password-1"
TARGET_MS = 300.0


# ------------------------------------------------------------------ building the case
def build(root: Path, n_findings: int, n_positions: int, seed: int = 11) -> dict[str, Any]:
    from armswatch.auth.users import add_user
    from armswatch.maritime import store
    from armswatch.maritime.simulate import SimConfig, simulate
    from armswatch.sites.starter import load_starter
    from armswatch.workspace import Workspace

    t0 = time.perf_counter()
    ws = Workspace.init(root, name="web benchmark (SIMULATED)", analyst="bench-builder")
    ws.save_sites(load_starter("dprk-russia"))
    days, report_s = 7.0, 60.0
    per_vessel = days * 86400 / report_s * 0.93
    chunk_points = 2_000_000
    written, mmsis, chunks, i = 0, [], max(1, round(n_positions / chunk_points)), 0
    while written < n_positions:  # the simulator's count per vessel varies: top up with a smaller chunk
        vessels_wanted = round(min(n_positions / chunks, n_positions - written) / per_vessel)
        cfg = SimConfig(n_vessels=max(4, vessels_wanted + 1), days=days, report_s=report_s, seed=seed + i)
        sim = simulate(cfg)
        pos = sim.positions.with_columns(pl.col("mmsi") + i * 100_000)
        store.write_positions(ws, pos)
        vessels = sim.vessels.with_columns(pl.col("mmsi") + i * 100_000)
        statics = vessels.select(
            "mmsi",
            pl.lit(cfg.start).alias("ts"),
            pl.col("name"),
            pl.lit("simulated").alias("source"),
            pl.lit(1, pl.UInt64).alias("line"),
        )
        store.write_statics(ws, statics)
        mmsis += vessels["mmsi"].to_list()
        written += pos.height
        print(f"  positions: chunk {i + 1}, {written:,} written", flush=True)
        i += 1
    t_pos = time.perf_counter() - t0

    t1 = time.perf_counter()
    from armswatch.maritime.events import detect_events, workspace_context
    from armswatch.web.query.events import save_events

    ctx, _ = workspace_context(ws)
    events = detect_events(store.scan_positions(ws), ctx)
    save_events(ws, "run-benchmark-events", events)
    t_events = time.perf_counter() - t1

    t2 = time.perf_counter()
    made = bulk_findings(ws, n_findings, mmsis, np.random.default_rng(seed))
    t_findings = time.perf_counter() - t2
    add_user(ws, USER, "reviewer", PASSWORD)
    ws.close()
    info = {
        "positions": written,
        "vessels": len(mmsis),
        "events": events.height,
        "findings": made,
        "build_s": {
            "positions": round(t_pos, 1),
            "events": round(t_events, 1),
            "findings": round(t_findings, 1),
        },
    }
    (root / "bench-case.json").write_text(json.dumps(info, indent=2))
    return info


def bulk_findings(ws: Any, n: int, mmsis: list[int], rng: np.random.Generator) -> int:
    """``n`` SIMULATED findings under one recorded run, inserted in bulk.

    Through the spine (``run.add_finding``) each finding also gets its own audit entry and seal, about
    20 ms apiece here: 100,000 would take over half an hour to build. The benchmark measures reading,
    so the rows are inserted directly, in the same tables and shapes the spine writes.
    """
    from sqlalchemy import insert

    from armswatch.provenance.clock import to_iso
    from armswatch.store import schema as t

    sites = [s.id for s in ws.list_sites()]
    evidence = ws.add_artifact(b"SIMULATED benchmark evidence", name="bench.txt", simulated=True)
    with ws.run("bench.synthetic", parameters={"findings": n}, inputs=[evidence.id]) as run:
        run_id = run.id
    kinds = [
        "ais.gap",
        "ais.encounter",
        "ais.dark_port_call",
        "imagery.change",
        "entities.match",
        "sanctions.vessel_activity",
    ]
    words = ["unlikely", "roughly even chance", "likely", "very likely"]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    created = datetime.now(UTC)
    k_i, m_i, s_i = (
        rng.integers(len(kinds), size=n),
        rng.integers(len(mmsis), size=n),
        rng.integers(len(sites), size=n),
    )
    minutes, hours, w_i = (
        rng.integers(7 * 24 * 60, size=n),
        rng.integers(1, 48, size=n),
        rng.integers(len(words), size=n),
    )
    lon, lat = rng.uniform(129, 135, size=n), rng.uniform(39, 43, size=n)
    batch = 10_000
    for lo in range(0, n, batch):
        rows, subjects, links = [], [], []
        for i in range(lo, min(n, lo + batch)):
            fid = f"fnd-bench-{i:07d}"
            kind, mmsi, site = kinds[k_i[i]], int(mmsis[m_i[i]]), sites[s_i[i]]
            t0 = start + timedelta(minutes=int(minutes[i]))
            subj = [f"vessel:mmsi:{mmsi}", f"site:{site}"]
            rows.append(
                {
                    "id": fid,
                    "run_id": run_id,
                    "kind": kind,
                    "title": f"SIMULATED {kind} #{i} (MMSI {mmsi}) near {site}",
                    "summary": "",
                    "subjects": subj,
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(lon[i]), 4), round(float(lat[i]), 4)],
                    },
                    "start_at": to_iso(t0),
                    "end_at": to_iso(t0 + timedelta(hours=int(hours[i]))),
                    "confidence": words[w_i[i]],
                    "status": "new",
                    "simulated": True,
                    "details": {},
                    "created_at": to_iso(created + timedelta(microseconds=i)),
                }
            )
            subjects += [{"finding_id": fid, "subject": s} for s in subj]
            links.append({"finding_id": fid, "artifact_id": evidence.id})
        with ws.transaction() as conn:
            conn.execute(insert(t.finding), rows)
            conn.execute(insert(t.finding_subject), subjects)
            conn.execute(insert(t.finding_evidence), links)
        print(f"  findings: {min(n, lo + batch):,}", flush=True)
    return n


# ------------------------------------------------------------------ serving and measuring
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, port: int) -> tuple[subprocess.Popen[bytes], float, float]:
    """Start ``armswatch serve``; return the process, seconds to the login page and to the queue."""
    import httpx

    cmd = [
        sys.executable,
        "-c",
        "from armswatch.cli.main import main; main()",
        "serve",
        "--port",
        str(port),
        "-w",
        str(root),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(base + "/login", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
        if proc.poll() is not None:
            raise SystemExit("armswatch serve exited")
    t_login = time.perf_counter() - t0
    token = login(base)
    r = httpx.get(base + "/queue", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    r.raise_for_status()
    t_queue = time.perf_counter() - t0
    print(f"  server CPU until the first queue page: {cpu_seconds(proc.pid):.2f} s (wall {t_queue:.2f} s)")
    return proc, t_login, t_queue


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), independent of how busy the machine is."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def login(base: str) -> str:
    import httpx

    r = httpx.post(base + "/api/v1/login", json={"username": USER, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


def endpoints(base: str, token: str) -> dict[str, str]:
    import httpx

    h = {"Authorization": f"Bearer {token}"}
    some = httpx.get(base + "/api/v1/findings?limit=1&kind=ais.gap", headers=h, timeout=60).json()["items"][0]
    fid = some["id"]
    mmsi = next(s for s in some["subjects"] if s.startswith("vessel:mmsi:")).split(":")[-1]
    site = next(s for s in some["subjects"] if s.startswith("site:")).split(":", 1)[1]
    bbox = "129,39,135,43.5"
    return {
        "page /queue": "/queue",
        "page /queue?status=new&kind=ais.gap": "/queue?status=new&kind=ais.gap",
        "page /queue deep (offset 90,000)": "/queue?offset=90000",
        "page /findings/{id}": f"/findings/{fid}",
        "page /sites/{id}": f"/sites/{site}",
        "page /vessels/{mmsi}": f"/vessels/{mmsi}",
        "page /timeline": "/timeline",
        "page /map": "/map",
        "page /search?q=name": "/search?q=SIM",
        "api findings (first page)": "/api/v1/findings",
        "api findings (filters)": "/api/v1/findings?status=new&kind=ais&confidence=likely&start=2026-03-03&end=2026-03-05",
        "api findings?site=": f"/api/v1/findings?site={site}",
        "api findings/{id}": f"/api/v1/findings/{fid}",
        "api sites": "/api/v1/sites",
        "api vessels/{mmsi}": f"/api/v1/vessels/{mmsi}",
        "api vessels/{mmsi}/track": f"/api/v1/vessels/{mmsi}/track",
        "api events (bbox, 1 day)": f"/api/v1/events?bbox={bbox}&start=2026-03-03&end=2026-03-04",
        "api map/tracks (bbox, 1 day)": f"/api/v1/map/tracks?bbox={bbox}&start=2026-03-03&end=2026-03-04",
        "api map/tracks (bbox, 7 days)": f"/api/v1/map/tracks?bbox={bbox}",
        "api map/findings (1 day)": "/api/v1/map/findings?start=2026-03-03&end=2026-03-04",
    }


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def sequential(base: str, token: str, eps: dict[str, str], n: int, pid: int) -> list[dict[str, Any]]:
    import httpx

    out = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for name, path in eps.items():
            t = time.perf_counter()
            first = client.get(path)
            first_ms = (time.perf_counter() - t) * 1000
            cpu0 = cpu_seconds(pid)
            times, sizes, errors = [], [], int(first.status_code != 200)
            for _ in range(n):
                t = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                sizes.append(len(r.content))
                errors += int(r.status_code != 200)
            cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / n
            row = {
                "endpoint": name,
                "first_ms": round(first_ms, 1),
                "server_cpu_ms": round(cpu_ms, 1),
                "p50_ms": round(pct(times, 50), 1),
                "p95_ms": round(pct(times, 95), 1),
                "bytes": int(np.median(sizes)),
                "errors": errors,
            }
            print(
                f"  {name:40s} first {row['first_ms']:8.1f}  server CPU {cpu_ms:6.1f}  p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f} ms"
                f"  {row['bytes']:>9,} B  errors {errors}",
                flush=True,
            )
            out.append(row)
    return out


async def load(base: str, token: str, eps: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    paths = list(eps.values())
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(i: int, client: httpx.AsyncClient) -> None:
        k = i
        while time.perf_counter() < stop:
            path = paths[k % len(paths)]
            k += 1
            t = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code != 200:
                    errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120, limits=limits
    ) as client:
        await asyncio.gather(*(client_loop(i, client) for i in range(clients)))
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(pct(latencies, 50), 1),
        "p95_ms": round(pct(latencies, 95), 1),
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def startup(root: Path) -> None:
    from armswatch.auth.users import add_user, list_users
    from armswatch.workspace import Workspace

    with Workspace.open(root, analyst="bench") as ws:
        if USER not in {u.name for u in list_users(ws)}:
            add_user(ws, USER, "viewer", PASSWORD)
    for i in range(3):
        proc, t_login, t_queue = start_server(root, free_port())
        proc.terminate()
        proc.wait(timeout=30)
        print(
            f"start {i + 1}: login page after {t_login:.2f} s, review queue (after logging in) after {t_queue:.2f} s"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--positions", type=int, default=10_000_000)
    ap.add_argument("--keep", type=Path, help="build the case here once and reuse it")
    ap.add_argument("--requests", type=int, default=40, help="sequential requests per endpoint")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument(
        "--startup",
        type=Path,
        metavar="WORKSPACE",
        help="only time 'armswatch serve' start-up on WORKSPACE (e.g. a fresh 'make demo'; adds user "
        f"{USER!r} if missing), 3 times",
    )
    args = ap.parse_args()
    if args.startup:
        startup(args.startup)
        return

    root = args.keep or Path(tempfile.mkdtemp(prefix="armswatch-web-bench-")) / "case"
    if (root / "bench-case.json").exists():
        info = json.loads((root / "bench-case.json").read_text())
        print(f"reusing the case in {root}: {info}")
    else:
        print(
            f"building the case in {root} ({args.findings:,} findings, {args.positions:,} positions)…",
            flush=True,
        )
        info = build(root, args.findings, args.positions)
        print(f"built: {info}")
    port = free_port()
    proc, t_login, t_queue = start_server(root, port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"server start: login page after {t_login:.2f} s, first review queue after {t_queue:.2f} s")
        token = login(base)
        eps = endpoints(base, token)
        print(
            f"sequential: {args.requests} requests per endpoint after one first request (target p95 < {TARGET_MS:.0f} ms)"
        )
        rows = sequential(base, token, eps, args.requests, proc.pid)
        print(
            f"load: {args.clients} concurrent clients for {args.seconds:.0f} s over the same endpoints…",
            flush=True,
        )
        result = asyncio.run(load(base, token, eps, args.clients, args.seconds))
        print(f"  {result}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    figures = {
        "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "case": info,
        "start_s": {"login": round(t_login, 2), "queue": round(t_queue, 2)},
        "sequential": rows,
        "load": result,
    }
    slow = [r["endpoint"] for r in rows if r["p95_ms"] >= TARGET_MS]
    print(
        f"p95 over target ({TARGET_MS:.0f} ms): {', '.join(slow) or 'none'}; load errors: {result['errors']}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
