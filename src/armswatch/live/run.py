"""The edge that ties a live session to a workspace: choose the source, register it, recover the
spool, run the asyncio session with SIGINT/SIGTERM as a graceful stop, return the report."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from armswatch.errors import InputError
from armswatch.live.backoff import Backoff
from armswatch.live.duration import parse_duration
from armswatch.live.journal import Journal, journal_folder, recover
from armswatch.live.session import BatchPolicy, SessionReport, StreamSource, listen
from armswatch.live.source import AisstreamSource, TcpSource, UdpSource, host_port, parse_bbox
from armswatch.live.spool import Spool


@dataclass(frozen=True)
class ListenOptions:
    aisstream_url: str | None = None
    api_key: str = ""
    boxes: Sequence[str] = ()
    tcp: str | None = None
    udp: str | None = None
    batch_seconds: float = 60.0
    max_batch: int = 100_000
    duration: str | None = None
    max_backoff: float = 60.0
    simulated: bool = False


def make_source(o: ListenOptions) -> StreamSource | UdpSource:
    if o.aisstream_url:
        if not o.aisstream_url.startswith(("ws://", "wss://")):
            raise InputError(f"--aisstream-url must be a ws:// or wss:// URL (got {o.aisstream_url!r})")
        return AisstreamSource(o.aisstream_url, o.api_key, [parse_bbox(b) for b in o.boxes])
    if o.tcp:
        return TcpSource(*host_port(o.tcp, "--tcp"))
    if o.udp:
        return UdpSource(*host_port(o.udp, "--udp"))
    raise InputError("give exactly one of --aisstream-url, --tcp or --udp")


def register_source(ws: Any, src: StreamSource | UdpSource) -> str:
    if isinstance(src, AisstreamSource):
        return str(ws.add_source("aisstream.io", url="https://aisstream.io", id="aisstream-io"))
    return str(ws.add_source(f"AIS receiver {src.label}"))


async def _main(src: StreamSource | UdpSource, spool: Spool, o: ListenOptions, notify: Any) -> SessionReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    journal = Journal(journal_folder(spool.ws.root), spool.session, src.fmt)
    try:
        return await listen(
            src, spool.ingest, policy=BatchPolicy(o.batch_seconds, o.max_batch),
            backoff=Backoff(maximum=max(1.0, o.max_backoff)), stop=stop,
            duration=parse_duration(o.duration, "--duration") if o.duration else None, notify=notify,
            journal=journal,
        )  # fmt: skip
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run_listen(ws: Any, o: ListenOptions, notify: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Listen until stopped; returns the session report (a dict) including batches recovered from
    the spool of an earlier, killed session."""
    BatchPolicy(o.batch_seconds, o.max_batch)  # bad values fail before anything is recorded
    if o.duration:
        parse_duration(o.duration, "--duration")
    src = make_source(o)
    spool = Spool(ws, source_id=register_source(ws, src), simulated=o.simulated)
    journals = recover(spool)  # lines a killed session had received but not yet batched
    recovered = spool.drain()
    if recovered and notify:
        notify(
            f"ingested {len(recovered)} batch(es) left by an earlier session"
            + (f" ({journals} from its journal of received lines)" if journals else "")
        )
    report = asyncio.run(_main(src, spool, o, notify))
    for outcome in recovered:
        report.record(outcome)
    report.problems.update(spool.rejected_files)
    return {**report.as_dict(), "recovered_batches": len(recovered), "recovered_journals": journals}
