"""Benchmark: `armswatch verify` on a large case (target: 10 M AIS positions, 100 k findings and
1 M entity statements verified in under 60 s).

Builds a SIMULATED case (random positions, findings and statements: verification cost depends on
sizes, not on content) in a temporary folder, then times :func:`verify_workspace` (chain, head
anchors, every sealed record, blobs, Parquet files). The build is not timed.
Run: .venv/bin/python benchmarks/verify.py [--positions N] [--findings N] [--statements N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_positions(ws: object, n: int, rng: np.random.Generator) -> int:
    from armswatch.maritime import store
    from armswatch.maritime.schema import POSITION_SCHEMA

    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1e6)
    chunk = 2_000_000
    files = 0
    for offset in range(0, n, chunk):
        m = min(chunk, n - offset)
        frame = pl.DataFrame(
            {
                "mmsi": rng.integers(273_000_000, 273_020_000, m, dtype=np.uint32),
                "ts": pl.Series(start + np.sort(rng.integers(0, 30 * 86400 * 10**6, m)), dtype=pl.Int64).cast(
                    POSITION_SCHEMA["ts"]
                ),
                "lat": rng.uniform(30, 50, m),
                "lon": rng.uniform(120, 150, m),
                "line": np.arange(offset + 1, offset + m + 1, dtype=np.uint64),
                "source": ["sha256:" + "0" * 64] * m,
            }
        )
        result = store.write_positions(ws, frame)  # type: ignore[arg-type]
        files += len(result.files)
    return files


def build_findings(ws: object, n: int) -> None:
    """Findings written in bulk (one audit entry seals 10,000): verification cost is per record."""
    from armswatch.entities.statement import bulk_insert
    from armswatch.store import schema as t

    art = ws.add_artifact(b"evidence", name="evidence.txt")  # type: ignore[attr-defined]
    with ws.run("bench.findings") as run:  # type: ignore[attr-defined]
        run_id = run.id
    per_batch = 10_000
    for start in range(0, n, per_batch):
        ids = [f"fnd-bench{i:011d}" for i in range(start, min(n, start + per_batch))]
        findings = [
            {
                "id": fid, "run_id": run_id, "kind": "bench", "title": f"finding {fid}", "summary": "",
                "subjects": [f"vessel:mmsi:{k}"], "geometry": {"type": "Point", "coordinates": [130.5, 42.25]},
                "start_at": None, "end_at": None, "confidence": "likely", "status": "new", "simulated": True,
                "details": {"k": k}, "created_at": "2024-01-01T00:00:00+00:00",
            }
            for k, fid in enumerate(ids, start)
        ]  # fmt: skip
        with ws.transaction() as conn:  # type: ignore[attr-defined]
            conn.execute(t.finding.insert(), findings)
            subjects = [{"finding_id": f["id"], "subject": f["subjects"][0]} for f in findings]
            bulk_insert(conn, t.finding_subject, subjects)
            bulk_insert(conn, t.finding_evidence, [{"finding_id": i, "artifact_id": art.id} for i in ids])
            ws._audit(  # type: ignore[attr-defined]
                conn, "bench.findings", "workspace", "bench", {"n": len(ids)},
                seal=[
                    ("finding", [(i,) for i in ids]),
                    ("finding_subject", [(s["finding_id"], s["subject"]) for s in subjects]),
                    ("finding_evidence", [(i, art.id) for i in ids]),
                ],
            )  # fmt: skip


def build_statements(ws: object, n: int) -> None:
    from armswatch.entities.schema import entity_statement
    from armswatch.entities.statement import bulk_insert

    per_batch = 100_000
    for start in range(0, n, per_batch):
        rows = [
            {
                "id": hashlib.sha1(str(i).encode()).hexdigest(),
                "entity_id": f"e-{i // 10}",
                "schema": "Person",
                "prop": "name",
                "value": f"NAME {i}",
                "lang": None,
                "original_value": None,
                "dataset": "bench",
                "first_seen": "2024-01-01",
                "last_seen": "2024-01-01",
                "run_id": None,
                "artifact_id": None,
            }
            for i in range(start, min(n, start + per_batch))
        ]
        with ws.transaction() as conn:  # type: ignore[attr-defined]
            bulk_insert(conn, entity_statement, rows)
            ws._audit(  # type: ignore[attr-defined]
                conn, "bench.statements", "workspace", "bench", {"n": len(rows)},
                seal=[("entity_statement", [(r["id"],) for r in rows])],
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=10_000_000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=None, help="Build here (default: a temporary folder).")
    parser.add_argument(
        "--verify-only", action="store_true", help="Only verify the case already built in --folder."
    )
    args = parser.parse_args()

    from armswatch.provenance.verify import verify_workspace
    from armswatch.workspace import Workspace

    folder = args.folder or Path(tempfile.mkdtemp(prefix="armswatch-verify-bench-"))
    rng = np.random.default_rng(1)
    if not args.verify_only:
        t0 = time.perf_counter()
        ws = Workspace.init(folder / "case", analyst="bench")
        with ws.run("bench.ingest"):
            files = build_positions(ws, args.positions, rng)
        build_findings(ws, args.findings)
        build_statements(ws, args.statements)
        print(f"built in {time.perf_counter() - t0:.0f} s: {args.positions:,} positions in {files} Parquet files, "
              f"{args.findings:,} findings, {args.statements:,} statements (SIMULATED)")  # fmt: skip
        ws.close()
    ws = Workspace.open(folder / "case")
    t1, c1 = time.perf_counter(), time.process_time()
    report = verify_workspace(ws)
    elapsed, cpu_s = time.perf_counter() - t1, time.process_time() - c1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"verify: {elapsed:.1f} s wall, {cpu_s:.1f} s CPU, {'intact' if report.ok else f'{len(report.problems)} problems'}; "
          f"checked {dict(report.counts)}; peak RSS {peak:.0f} MB")  # fmt: skip
    print(
        f"machine: {cpu()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.0f}; target < 60 s: {'met' if elapsed < 60 else 'NOT met'}"
    )
    ws.close()


if __name__ == "__main__":
    main()
