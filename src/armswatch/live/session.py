"""One listening session: receive, cut time-bounded batches, hand them to a writer thread, reconnect.

The event loop only receives; batches are ingested in a worker thread (one at a time, in order), so
a slow ingest never stops the socket being read, up to ``max_pending`` batches waiting. Beyond that
a stream source stops reading (TCP/websocket flow control pushes back to the sender) and UDP drops
datagrams (counted as ``dropped_overload``): memory stays bounded by
``(max_pending + 1) × max_messages`` lines.

A batch is cut every ``seconds`` (counted from its first message) or at ``max_messages`` lines; on
stop (``stop`` event: SIGINT/SIGTERM in the CLI, or ``duration``) the last batch is flushed and the
session waits until every batch is stored. Lost connections are retried with :class:`Backoff`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from armswatch.errors import InputError
from armswatch.live.backoff import Backoff
from armswatch.live.framing import ServerError, split_open_fragments
from armswatch.live.journal import Journal
from armswatch.live.source import Counters, UdpSource
from armswatch.live.spool import BatchOutcome

Writer = Callable[..., list[BatchOutcome]]
"""Spools and ingests one batch: ``write(data, fmt)``, or with a journal ``write(data, fmt, spooled)``
where ``spooled()`` is to be called once the batch is whole in the spool (:meth:`Spool.ingest`)."""
Notify = Callable[[str], None]


class StreamSource(Protocol):
    fmt: str
    counters: Counters

    @property
    def label(self) -> str: ...

    def chunks(self) -> AsyncIterator[tuple[bytes, int]]: ...


@dataclass(frozen=True)
class Batch:
    """A cut batch and the journal file holding its lines until it is in the spool."""

    data: bytes
    journal: Path | None = None


@dataclass(frozen=True)
class BatchPolicy:
    seconds: float = 60.0
    max_messages: int = 100_000
    max_pending: int = 2

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.max_messages < 1 or self.max_pending < 1:
            raise InputError("--batch-seconds must be > 0 and --max-batch >= 1")


@dataclass
class SessionReport:
    """What a session did: messages received, batches and runs, rows added, problems by reason."""

    source: str
    messages: int = 0
    batches: list[BatchOutcome] = field(default_factory=list)
    problems: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    added: Counter[str] = field(default_factory=Counter)
    disconnects: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)

    def record(self, outcome: BatchOutcome) -> None:
        self.batches.append(outcome)
        self.rejected.update(outcome.summary.get("rejected", {}))
        for table in ("positions", "base_stations", "statics"):
            self.added[table] += int(outcome.summary.get(table, {}).get("added", 0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "messages": self.messages, "batches": len(self.batches),
            "runs": [b.run_id for b in self.batches], "added": dict(self.added),
            "rejected": dict(sorted(self.rejected.items())), "problems": dict(sorted(self.problems.items())),
            "disconnects": self.disconnects, "reconnects": self.reconnects, "errors": self.errors[-20:],
        }  # fmt: skip


class Session:
    """Batching and writing for one source (see the module docstring)."""

    def __init__(
        self, fmt: str, label: str, write: Writer, policy: BatchPolicy, notify: Notify | None = None,
        journal: Journal | None = None,
    ) -> None:  # fmt: skip
        self.fmt = fmt
        self.journal = journal
        self.write = write
        self.policy = policy
        self.notify = notify or (lambda _m: None)
        self.report = SessionReport(label)
        self.chunks: list[bytes] = []
        self.count = 0
        self.opened: float | None = None
        self.queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=policy.max_pending)
        self.held: list[Batch] = []

    # ----------------------------------------------------------- receiving
    def _add(self, data: bytes, n: int) -> None:
        if self.opened is None:
            self.opened = time.monotonic()
        if self.journal is not None:
            self.journal.append(data)  # on disk before it counts as received
        self.chunks.append(data)
        self.count += n
        self.report.messages += n

    async def accept(self, data: bytes, n: int) -> None:
        """Add lines from a stream source; waits (flow control) while the batch queue is full."""
        self._add(data, n)
        if self.count >= self.policy.max_messages:
            await self._queue(self._cut())

    def accept_nowait(self, data: bytes, n: int) -> None:
        """Add lines from UDP: dropped (and counted) when the buffer and the queue are both full."""
        if self.count >= self.policy.max_messages:
            if self.queue.full():
                self.report.problems["dropped_overload"] += n
                return
            self.queue.put_nowait(self._cut())
        self._add(data, n)

    def _cut(self, final: bool = False) -> Batch:
        data = b"".join(self.chunks)
        carry: list[bytes] = []
        if self.fmt == "nmea" and not final:
            parts = data.rstrip(b"\n").rsplit(b"\n", 9)  # the last lines (the first part may hold many)
            _, carry = split_open_fragments(parts[1:] if len(parts) == 10 else parts)
            if carry:
                data = data[: len(data) - sum(len(c) + 1 for c in carry)]
        self.chunks = [b"\n".join(carry) + b"\n"] if carry else []
        self.count = len(carry)
        self.opened = time.monotonic() if carry else None
        sealed = None
        if self.journal is not None:  # the sealed file holds exactly the batch; the carry starts the next
            sealed = self.journal.seal(len(data), self.chunks[0] if carry else b"")
        return Batch(data, sealed)

    async def _queue(self, batch: Batch) -> None:
        """Queue a cut batch; a batch whose queueing was interrupted (stop) is queued by :meth:`close`."""
        self.held.append(batch)
        await self.queue.put(batch)
        self.held.remove(batch)

    # ----------------------------------------------------------- writing
    async def writer(self) -> None:
        while (batch := await self.queue.get()) is not None:
            try:
                outcomes = await asyncio.to_thread(self._store, batch)
            except Exception as exc:  # the batch stays in the spool and is retried with the next one
                self.report.problems["batch_not_stored_yet"] += 1
                self.report.errors.append(f"{type(exc).__name__}: {exc}")
                self.notify(f"batch not stored yet (kept in the spool, retried): {type(exc).__name__}: {exc}")
                continue
            for outcome in outcomes:
                self.report.record(outcome)
                self.notify(_batch_line(outcome))

    def _store(self, batch: Batch) -> list[BatchOutcome]:
        """In the writer thread: spool and ingest one batch; its journal file goes once the batch
        is in the spool (ingest errors leave the batch there to be retried)."""
        if self.journal is None:
            return self.write(batch.data, self.fmt)
        journal, sealed = self.journal, batch.journal
        return self.write(batch.data, self.fmt, lambda: journal.release(sealed))

    async def ticker(self) -> None:
        step = min(1.0, self.policy.seconds / 4)
        while True:
            await asyncio.sleep(step)
            if self.journal is not None:
                self.journal.sync()
            if self.opened is not None and time.monotonic() - self.opened >= self.policy.seconds:
                await self._queue(self._cut())

    async def close(self) -> None:
        for batch in self.held:
            await self.queue.put(batch)
        self.held.clear()
        if self.chunks:
            await self.queue.put(self._cut(final=True))
        await self.queue.put(None)


def _batch_line(b: BatchOutcome) -> str:
    s = b.summary
    bad = s.get("rejected", {})
    problems = ", ".join(f"{k} {v}" for k, v in bad.items())
    return (
        f"{b.name}: run {b.run_id}, {s.get('positions', {}).get('offered', 0)} positions, "
        f"{b.added} new" + (f"; bad records: {problems}" if problems else "")
    )


async def _stream(src: StreamSource, session: Session, backoff: Backoff, stop: asyncio.Event) -> None:
    """Read, and on a lost connection wait (backoff with jitter) and connect again, until stopped."""
    while not stop.is_set():
        got = False
        try:
            async for data, n in src.chunks():
                if not got:
                    got = True
                    backoff.reset()
                await session.accept(data, n)
            session.report.disconnects += 1
            reason = "the server closed the connection"
        except ServerError as exc:
            reason = str(exc)
        except (TimeoutError, OSError, EOFError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # websockets' ConnectionClosed, InvalidStatus, InvalidMessage...
            if type(exc).__module__.split(".")[0] != "websockets" or type(exc).__name__ == "InvalidURI":
                raise
            reason = f"{type(exc).__name__}: {exc}"
        if stop.is_set():
            return
        delay = backoff.next_delay()
        session.report.reconnects += 1
        session.report.errors.append(reason)
        session.notify(f"{src.label}: {reason}; reconnecting in {delay:.1f} s")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


async def listen(
    src: StreamSource | UdpSource,
    write: Writer,
    *,
    policy: BatchPolicy = BatchPolicy(),
    backoff: Backoff | None = None,
    stop: asyncio.Event | None = None,
    duration: float | None = None,
    notify: Notify | None = None,
    journal: Journal | None = None,
) -> SessionReport:
    """Run one session until ``stop`` is set or ``duration`` seconds have passed; returns its report
    after the last batch is stored. With a ``journal`` every received chunk is on disk before it
    counts as received (see :mod:`armswatch.live.journal`)."""
    stop = stop or asyncio.Event()
    session = Session(src.fmt, src.label, write, policy, notify, journal)
    writer = asyncio.create_task(session.writer())
    ticker = asyncio.create_task(session.ticker())
    timer = asyncio.get_running_loop().call_later(duration, stop.set) if duration else None
    if isinstance(src, UdpSource):
        reader = asyncio.create_task(src.serve(session.accept_nowait, stop))
    else:
        reader = asyncio.create_task(_stream(src, session, backoff or Backoff(), stop))
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, waiter, ticker):
            task.cancel()
        if timer is not None:
            timer.cancel()
        results = await asyncio.gather(reader, waiter, ticker, return_exceptions=True)
        await session.close()
        await writer
        if journal is not None:
            journal.close()
    failure = next(
        (r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)),
        None,
    )
    if failure is not None:
        raise failure
    session.report.problems.update(
        {"line_too_long_on_wire": src.counters.line_too_long} if src.counters.line_too_long else {}
    )
    return session.report
