"""Live ingest benchmark: `armswatch ais listen --tcp` fed SIMULATED NMEA at a fixed rate.

Usage (from the repo root)::

    .venv/bin/python benchmarks/live.py [--rate 5000] [--seconds 600] [--batch-seconds 60]

A TCP server in this process sends distinct type 1 position sentences (SIMULATED: 2,000 vessels
around the Sea of Japan, MMSIs 999xxxxxx) at ``--rate`` messages per second, paced every 10 ms, for
``--seconds``; the listener runs as its own process (the real command) into a temporary workspace
and stops at ``--seconds`` + 5 s (its ``--duration``), storing the last batch. Reported: messages
sent / received / stored, the achieved send rate, the time the listener needed after the feed ended
(the last batch), its CPU seconds, and its resident memory sampled every 2 s (peak and per minute).
"Keeps up" = everything sent was received and stored, and the listener's CPU stayed below the wall
time (it is not falling behind). No real data is used: a live feed cannot be replayed from
``../shared/data`` (its NMEA samples are a few hundred lines).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.live.feeds: the sentence encoder

from tests.live.feeds import type1

from armswatch.maritime.store import scan_positions
from armswatch.workspace import Workspace


def pool(n: int, seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    fleet = [999_000_000 + rng.randrange(1_000_000) for _ in range(2000)]
    return [
        (
            type1(rng.choice(fleet), rng.uniform(35, 45), rng.uniform(128, 140), rng.uniform(0, 20)) + "\r\n"
        ).encode()
        for _ in range(n)
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(rate: int, seconds: float, batch_seconds: float, root: Path) -> dict[str, Any]:
    lines = pool(50_000)
    sent = 0
    done = asyncio.Event()
    finished = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        if done.is_set():
            writer.close()
            return
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(elapsed * rate) - sent
            if due > 0:
                chunk = [lines[(sent + i) % len(lines)] for i in range(due)]
                writer.write(b"".join(chunk))
                await writer.drain()
                sent += due
                await asyncio.sleep(0.01)
        done.set()
        await finished.wait()  # keep the connection open until the listener stops
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    t0 = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "armswatch.cli.main", "ais", "listen", "--tcp", f"127.0.0.1:{port}",
        "--batch-seconds", str(batch_seconds), "--duration", f"{seconds + 5}s", "--simulated", "-q",
        "--output-format", "json", "-w", str(root),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    samples: list[tuple[float, float]] = []
    cpu = 0.0
    while proc.returncode is None:
        try:
            samples.append((time.monotonic() - t0, rss_mb(proc.pid)))
            cpu = cpu_s(proc.pid)
        except (OSError, IndexError):
            pass
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 2.0)
    out, err = await proc.communicate()
    ended = time.monotonic() - t0
    finished.set()
    server.close()
    await server.wait_closed()
    report = json.loads(out) if out.strip() else {"error": err.decode()[-2000:]}
    per_minute = {
        f"{int(m)} min": round(max(r for t, r in samples if int(t // 60) == m), 1)
        for m in sorted({t // 60 for t, _ in samples})
    }
    with Workspace.open(root) as ws:
        stored = scan_positions(ws).select("mmsi").collect().height
    return {
        "rate_target": rate, "seconds": seconds, "batch_seconds": batch_seconds, "sent": sent,
        "achieved_rate": round(sent / seconds), "received": report.get("messages"), "stored_positions": stored,
        "batches": report.get("batches"), "rejected": report.get("rejected"),
        "listener_wall_s": round(ended, 1), "after_feed_end_s": round(ended - seconds, 1),
        "listener_cpu_s": round(cpu, 1), "peak_rss_mb": round(max(r for _, r in samples), 1),
        "rss_by_minute_mb": per_minute, "exit": proc.returncode,
        "keeps_up": report.get("messages") == sent and stored == sent and cpu < ended,
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=5000)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--batch-seconds", type=float, default=60)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "case"
        Workspace.init(root, analyst="bench").close()
        result = asyncio.run(run(a.rate, a.seconds, a.batch_seconds, root))
    load = os.getloadavg()
    print(
        f"# SIMULATED feed; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load[0]:.1f}"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
