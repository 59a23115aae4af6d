"""``armswatch ais listen`` as a process: SIGTERM / SIGINT stop it after storing the last batch."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.live.feeds import nmea_lines

from armswatch.maritime.store import scan_positions
from armswatch.workspace import Workspace


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_after_flushing_the_last_batch(tmp_path: Path, sig: signal.Signals) -> None:
    root = tmp_path / "case"
    Workspace.init(root, analyst="tester").close()
    payload = "".join(f"{s}\r\n" for s in nmea_lines(20)).encode()

    async def main() -> tuple[int, str, str]:
        connections = asyncio.Event()
        count = 0

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal count
            count += 1
            if count == 1:
                writer.write(payload)
                await writer.drain()
            else:
                connections.set()  # the listener read the first connection to its end
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "armswatch.cli.main", "ais", "listen", "--tcp", f"127.0.0.1:{port}",
            "--batch-seconds", "3600", "--max-backoff", "1", "--output-format", "json", "-w", str(root),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "ARMSWATCH_ANALYST": "tester"},
        )  # fmt: skip
        await asyncio.wait_for(connections.wait(), 120)
        proc.send_signal(sig)
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        server.close()
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = asyncio.run(main())
    assert code == 0, err
    report = json.loads(out)
    assert report["messages"] == 20 and report["added"]["positions"] == 20 and report["batches"] == 1
    with Workspace.open(root) as ws:
        assert scan_positions(ws).collect().height == 20
        assert [r.status for r in ws.list_runs(tool="ais.ingest")] == ["succeeded"]
        assert [s.name for s in ws.list_sources()] == [f"AIS receiver {report['source']}"]
        (art,) = ws.list_artifacts()
        assert art.source_id == ws.list_sources()[0].id and art.name.startswith("live-")
