"""Live feeds end to end on 127.0.0.1: a TCP NMEA server, an aisstream-style websocket server and a
UDP sender, each with a disconnect mid-stream, then the stored rows counted (no loss, no duplicate)."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from tests.live.feeds import aisstream_messages, nmea_lines
from websockets.asyncio.server import ServerConnection, serve

from armswatch.errors import InputError
from armswatch.live.backoff import Backoff
from armswatch.live.session import BatchPolicy, Session, listen
from armswatch.live.source import AisstreamSource, TcpSource, UdpSource
from armswatch.live.spool import Spool
from armswatch.maritime.store import scan_positions, scan_statics
from armswatch.workspace import Workspace

FAST = Backoff(initial=0.01, maximum=0.05, rng=random.Random(7))


class Counting:
    """The spool's ingest, counting the lines handed to it (to know when everything arrived)."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.lines = 0
        self.calls = 0

    def __call__(self, data: bytes, fmt: str) -> Any:
        self.lines += data.count(b"\n")
        self.calls += 1
        return self.spool.ingest(data, fmt)


async def _until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _positions(ws: Workspace) -> pl.DataFrame:
    return scan_positions(ws).collect()


def _succeeded(ws: Workspace) -> int:
    runs = ws.list_runs(tool="ais.ingest")
    assert all(r.status == "succeeded" for r in runs)
    return len(runs)


def test_tcp_feed_with_a_disconnect_mid_line_loses_and_repeats_nothing(ws: Workspace) -> None:
    lines = [(s + "\r\n").encode() for s in nmea_lines(100)]
    first = b"".join(lines[:60])
    cut = len(b"".join(lines[:37])) + 20  # a line split across two reads
    # the first connection breaks in the middle of line 61; the server sends it again, whole, after
    plan = [[first[:cut], first[cut:], lines[60][:30]], [b"".join(lines[60:])]]

    async def main() -> Any:
        connections = 0
        stop = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            for part in plan[connections - 1] if connections <= len(plan) else []:
                writer.write(part)
                await writer.drain()
                await asyncio.sleep(0.05)
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        write = Counting(Spool(ws, source_id=None))
        src = TcpSource("127.0.0.1", port)
        task = asyncio.create_task(
            listen(src, write, policy=BatchPolicy(seconds=0.2, max_messages=30), backoff=FAST, stop=stop)
        )
        await _until(lambda: connections >= 3, "the third connection")  # both parts were read to the end
        stop.set()
        report = await task
        server.close()
        return report

    report = asyncio.run(main())
    pos = _positions(ws)
    assert pos.height == 100 and pos["mmsi"].n_unique() == 100
    assert report.messages == 101 and report.added["positions"] == 100
    assert report.disconnects >= 2 and report.reconnects >= 2
    assert report.rejected == {"garbage_line": 1}  # the broken half line, counted, not stored
    assert _succeeded(ws) == len(report.batches) >= 2
    assert not Spool(ws).pending()


def test_websocket_feed_reconnects_and_a_replayed_overlap_is_stored_once(ws: Workspace) -> None:
    msgs = aisstream_messages(100)
    plan = [[*msgs[:50], "this is not json"], msgs[45:]]  # the server replays 5 messages after reconnecting
    subscriptions: list[dict[str, Any]] = []

    async def main() -> Any:
        connections = 0
        stop = asyncio.Event()

        async def handler(conn: ServerConnection) -> None:
            nonlocal connections
            connections += 1
            subscriptions.append(json.loads(await conn.recv()))
            for m in plan[connections - 1] if connections <= len(plan) else []:
                await conn.send(m.encode() if connections == 2 else m)  # binary frames too
            await conn.close()

        async with serve(handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            src = AisstreamSource(f"ws://127.0.0.1:{port}/v0/stream", "KEY", [[[41.0, 129.0], [44.0, 134.0]]])
            task = asyncio.create_task(
                listen(src, Spool(ws).ingest, policy=BatchPolicy(seconds=0.2), backoff=FAST, stop=stop)
            )
            await _until(lambda: connections >= 3, "the third connection")
            stop.set()
            return await task

    report = asyncio.run(main())
    assert subscriptions[0] == {"APIKey": "KEY", "BoundingBoxes": [[[41.0, 129.0], [44.0, 134.0]]]}
    pos = _positions(ws)
    assert pos.height == 100  # 105 received, the 5 replayed ones deduplicated
    assert report.messages == 106 and report.rejected == {"garbage_line": 1}
    assert pos["ts"].min().isoformat().startswith("2024-03-01T12:00:00")  # the server's time_utc
    _succeeded(ws)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_udp_datagrams_are_stored_and_garbage_counted(ws: Workspace) -> None:
    lines = nmea_lines(40, first_mmsi=273200000)
    datagrams = [f"{a}\r\n{b}\r\n".encode() for a, b in zip(lines[::2], lines[1::2], strict=True)]
    datagrams.insert(7, b"hello receiver\n")

    async def main() -> Any:
        stop = asyncio.Event()
        port = _free_udp_port()
        src = UdpSource("127.0.0.1", port)
        write = Counting(Spool(ws))
        task = asyncio.create_task(listen(src, write, policy=BatchPolicy(seconds=0.2), stop=stop))
        await _until(lambda: src.counters.connections == 1, "the UDP socket")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i, d in enumerate(datagrams):
                s.sendto(d, ("127.0.0.1", port))
                if i % 5 == 4:
                    await asyncio.sleep(0.01)
        await _until(lambda: write.lines >= 41, "every datagram stored")
        stop.set()
        return await task

    report = asyncio.run(main())
    assert _positions(ws).height == 40
    assert report.rejected == {"garbage_line": 1}


TYPE5 = [
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    "!AIVDM,2,2,1,A,88888888880,2*25",
]


def test_a_batch_cut_between_two_sentences_of_one_message_keeps_them_together(ws: Workspace) -> None:
    spool = Spool(ws)
    batches: list[bytes] = []

    def write(data: bytes, fmt: str) -> Any:
        batches.append(data)
        return spool.ingest(data, fmt)

    async def main() -> None:
        session = Session("nmea", "test", write, BatchPolicy(seconds=60, max_messages=3))
        writer = asyncio.create_task(session.writer())
        chunk = "".join(f"{s} 1709294400.000\n" for s in [*nmea_lines(2), TYPE5[0]]).encode()
        await session.accept(chunk, 3)  # reaches --max-batch with the message half received
        await session.accept(f"{TYPE5[1]} 1709294400.000\n".encode(), 1)
        await session.close()
        await writer

    asyncio.run(main())
    assert [b.count(b"\n") for b in batches] == [2, 2]
    statics = scan_statics(ws).collect()
    assert statics.height == 1 and statics["mmsi"][0] == 351759000
    assert _positions(ws).height == 2


def test_a_batch_left_in_the_spool_by_a_killed_session_is_stored_once(ws: Workspace) -> None:
    spool = Spool(ws)
    data = "".join(f"{s} 1709294400.000\n" for s in nmea_lines(10)).encode()
    spool.write(data, "nmea")
    (spool.folder / ".live-x.nmea.tmp").write_bytes(data[:50])  # a half-written batch is never read
    assert len(spool.pending()) == 1
    assert sum(o.added for o in Spool(ws).drain()) == 10
    spool.write(data, "nmea")  # the same batch again (killed after publishing, before removal)
    assert sum(o.added for o in Spool(ws).drain()) == 0
    assert _positions(ws).height == 10 and not spool.pending()


@pytest.mark.parametrize("bad", [["--tcp", "nohost"], ["--udp", "127.0.0.1:1", "--tcp", "127.0.0.1:2"], []])
def test_cli_refuses_bad_source_options(bad: list[str], ws: Workspace) -> None:
    from typer.testing import CliRunner

    from armswatch.cli.main import app

    result = CliRunner().invoke(app, ["ais", "listen", *bad, "-w", str(ws.root)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_an_aisstream_error_reply_is_reported_and_retried(ws: Workspace) -> None:
    msgs = aisstream_messages(10)

    async def main() -> Any:
        connections = 0
        stop = asyncio.Event()

        async def handler(conn: ServerConnection) -> None:
            nonlocal connections
            connections += 1
            sub = json.loads(await conn.recv())
            if connections == 1 or sub["APIKey"] != "KEY":
                await conn.send('{"error": "Api Key Is Not Valid"}')
            else:
                for m in msgs:
                    await conn.send(m)
            await conn.close()

        async with serve(handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            src = AisstreamSource(f"ws://127.0.0.1:{port}/v0/stream", "KEY", [[[41.0, 129.0], [44.0, 134.0]]])
            task = asyncio.create_task(listen(src, Spool(ws).ingest, backoff=FAST, stop=stop))
            await _until(lambda: connections >= 3, "the third connection")
            stop.set()
            return await task

    report = asyncio.run(main())
    assert any("Api Key Is Not Valid" in e for e in report.errors) and report.reconnects >= 2
    assert _positions(ws).height == 10 and report.rejected == {}


def test_udp_port_in_use_is_one_clear_error(ws: Workspace) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(InputError, match=r"cannot listen on udp://127\.0\.0\.1"):
            asyncio.run(listen(UdpSource("127.0.0.1", port), Spool(ws).ingest, duration=5))
