"""Where live AIS comes from: an aisstream.io websocket, a TCP NMEA server, or UDP NMEA datagrams.

A stream source (:class:`AisstreamSource`, :class:`TcpSource`) is one connection: :meth:`chunks`
connects and yields whole timed lines until the connection ends (the session reconnects). UDP has
no connection: :class:`UdpSource` binds and hands each datagram's lines to a callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.live.framing import LineSplitter, aisstream_line, stamp_nmea

READ_BYTES: Final = 64 * 1024
AISSTREAM_URL: Final = "wss://stream.aisstream.io/v0/stream"

Clock = Callable[[], float]


def host_port(text: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` (IPv6 as ``[::1]:PORT``)."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if (
        not sep
        or not host
        or not (port.isascii() and port.isdigit())
        or len(port) > 5
        or not 0 < int(port) < 65536
    ):
        raise InputError(f"{option} must be HOST:PORT (got {text!r})")
    return host, int(port)


def parse_bbox(text: str) -> list[list[float]]:
    """``min_lon,min_lat,max_lon,max_lat`` -> aisstream's ``[[lat, lon], [lat, lon]]`` corners."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise InputError(f"--bbox must be min_lon,min_lat,max_lon,max_lat (got {text!r})") from exc
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InputError(f"--bbox {text!r} is not a box in longitude/latitude degrees")
    return [[min_lat, min_lon], [max_lat, max_lon]]


@dataclass
class Counters:
    """Problems met on the wire, by reason (added to the session report)."""

    line_too_long: int = 0
    connections: int = 0


@dataclass
class TcpSource:
    """Raw NMEA from a TCP server (AIS-catcher ``-S PORT``, a receiver's NMEA port)."""

    host: str
    port: int
    clock: Clock = time.time
    counters: Counters = field(default_factory=Counters)
    fmt: str = "nmea"

    @property
    def label(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    async def chunks(self) -> AsyncIterator[tuple[bytes, int]]:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.counters.connections += 1
        splitter = LineSplitter()
        try:
            while data := await reader.read(READ_BYTES):
                lines = splitter.feed(data)
                if lines:
                    yield stamp_nmea(lines, self.clock())
            rest = splitter.finish()
            if rest:
                yield stamp_nmea(rest, self.clock())
        finally:
            self.counters.line_too_long += splitter.too_long
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass
class AisstreamSource:
    """aisstream.io: a websocket that, after a subscription message (API key, bounding boxes),
    pushes one JSON message per AIS report."""

    url: str
    api_key: str
    boxes: Sequence[list[list[float]]]
    mmsi: Sequence[str] = ()
    counters: Counters = field(default_factory=Counters)
    fmt: str = "aisstream"

    @property
    def label(self) -> str:
        return self.url.split("?", 1)[0]

    def subscription(self) -> dict[str, Any]:
        sub: dict[str, Any] = {"APIKey": self.api_key, "BoundingBoxes": [list(b) for b in self.boxes]}
        if self.mmsi:
            sub["FiltersShipMMSI"] = list(self.mmsi)
        return sub

    async def chunks(self) -> AsyncIterator[tuple[bytes, int]]:
        from websockets.asyncio.client import connect

        async with connect(self.url, max_size=MAX_MESSAGE, open_timeout=20, ping_interval=20) as ws:
            self.counters.connections += 1
            await ws.send(json.dumps(self.subscription()))  # within aisstream's 3 s deadline
            async for message in ws:
                yield aisstream_line(message), 1


MAX_MESSAGE: Final = 1 << 20
"""Largest websocket message accepted (an aisstream message is well under 2 KB)."""


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, deliver: Callable[[bytes, int], None], clock: Clock) -> None:
        self.deliver = deliver
        self.clock = clock

    def datagram_received(self, data: bytes, addr: Any) -> None:
        text, n = stamp_nmea(data, self.clock())
        if n:
            self.deliver(text, n)


@dataclass
class UdpSource:
    """Raw NMEA datagrams sent to HOST:PORT (AIS-catcher ``-u HOST PORT``); each datagram holds
    whole sentences. UDP has no flow control: what arrives while the batch queue is full is dropped
    and counted."""

    host: str
    port: int
    clock: Clock = time.time
    counters: Counters = field(default_factory=Counters)
    fmt: str = "nmea"

    @property
    def label(self) -> str:
        return f"udp://{self.host}:{self.port}"

    async def serve(self, deliver: Callable[[bytes, int], None], stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(deliver, self.clock), local_addr=(self.host, self.port)
            )
        except OSError as exc:
            raise InputError(f"cannot listen on {self.label}: {exc.strerror or exc}") from exc
        self.counters.connections += 1
        try:
            await stop.wait()
        finally:
            transport.close()
