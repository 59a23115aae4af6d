"""The journal of received lines: a hard kill (SIGKILL) of ``ais listen`` loses nothing it received."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.live.feeds import nmea_lines

from armswatch.live.journal import Journal, journal_folder, recover
from armswatch.live.spool import Spool
from armswatch.maritime.store import scan_positions
from armswatch.workspace import Workspace


def _lines(n: int) -> bytes:
    return "".join(f"{s} 1709294400.{i:03d}\n" for i, s in enumerate(nmea_lines(n))).encode()


def test_a_sealed_file_holds_exactly_its_batch_and_goes_when_released(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j", "s1", "nmea")
    data = _lines(4)
    j.append(data[:100])
    j.append(data[100:])
    first = j.current
    assert first is not None and first.read_bytes() == data
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[1] + b"\n"  # say the last line belongs to the next batch
    sealed = j.seal(len(data) - len(last), last)
    assert sealed == first and sealed.read_bytes() == data[: len(data) - len(last)]
    assert j.current is not None and j.current.read_bytes() == last  # the next batch starts with it
    j.release(sealed)
    assert not sealed.exists()
    assert j.seal(len(last)) is not None and j.seal(0) is None  # nothing received since: no file
    j.close()


def test_recover_takes_files_of_dead_sessions_only_and_whole_lines_only(ws: Workspace) -> None:
    folder = journal_folder(ws.root)
    lines = _lines(8).splitlines(keepends=True)
    live = Journal(folder, "running", "nmea")
    live.append(b"".join(lines[5:]))  # a running session's file (locked): never taken
    dead = folder / "dead-000001.nmea.journal"
    data = b"".join(lines[:5])
    dead.write_bytes(data + b"!AIVDM,1,1,,A,13u?e")  # killed in the middle of a line
    spool = Spool(ws)
    assert recover(spool) == 1
    assert not dead.exists() and live.current is not None and live.current.exists()
    (batch,) = spool.pending()
    assert batch.read_bytes() == data
    assert sum(o.added for o in spool.drain()) == 5
    live.close()
    assert recover(Spool(ws)) == 1  # once its session ended without releasing it, it is taken
    assert sum(o.added for o in Spool(ws).drain()) == 3
    assert scan_positions(ws).collect().height == 8


def _listen(root: Path, port: int, *more: str) -> asyncio.subprocess.Process:
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable, "-m", "armswatch.cli.main", "ais", "listen", "--tcp", f"127.0.0.1:{port}",
        "--max-backoff", "1", "--output-format", "json", "-w", str(root), *more,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "ARMSWATCH_ANALYST": "tester"},
    )  # fmt: skip


def test_sigkill_mid_batch_loses_nothing_received(tmp_path: Path) -> None:
    root = tmp_path / "case"
    Workspace.init(root, analyst="tester").close()
    payload = "".join(f"{s}\r\n" for s in nmea_lines(30)).encode()
    folder = journal_folder(root)

    async def main() -> dict[str, object]:
        sent = asyncio.Event()
        writers: list[asyncio.StreamWriter] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)  # kept open: the batch stays unfinished
            if not sent.is_set():
                writer.write(payload)
                await writer.drain()
                sent.set()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        proc = await _listen(root, port, "--batch-seconds", "3600")
        for _ in range(6000):  # until the 30 lines are in the journal
            files = list(folder.glob("*.journal")) if folder.is_dir() else []
            if sum(f.read_bytes().count(b"\n") for f in files) >= 30:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the listener never journalled the lines")
        proc.send_signal(signal.SIGKILL)  # no chance to flush the batch
        await proc.wait()
        with Workspace.open(root) as ws:
            assert scan_positions(ws).collect().height == 0  # nothing stored: all was in memory
        again = await _listen(root, port, "--duration", "2s")
        out, err = await asyncio.wait_for(again.communicate(), 120)
        for w in writers:
            w.close()
        server.close()
        await server.wait_closed()
        assert again.returncode == 0, err.decode()
        result: dict[str, object] = json.loads(out.decode())
        return result

    report = asyncio.run(main())
    assert report["recovered_journals"] == 1 and report["recovered_batches"] == 1
    with Workspace.open(root) as ws:
        assert scan_positions(ws).collect().height == 30
        assert [r.status for r in ws.list_runs(tool="ais.ingest")] == ["succeeded"]
    assert not list(folder.glob("*.journal"))
