"""Turning bytes off the wire into whole, timed lines that the AIS file readers understand (pure).

* NMEA (TCP, UDP): lines are cut at ``\\n`` (``\\r\\n`` too); a line still incomplete at the end of a
  read waits for the next read (:class:`LineSplitter`), one longer than 64 KiB is dropped and
  counted. Every line gets the receive time appended as a trailing UNIX time
  (``!AIVDM,...*5C 1733540000.123``): the NMEA reader prefers a sender's own tag block ``c:`` or
  leading time, so a receiver that stamps its output (AIS-catcher with tag blocks) keeps its times.
* aisstream.io (websocket): each message is one JSON object, written as one line (line breaks
  between JSON tokens become spaces); its time is the server's ``MetaData.time_utc``.
* At a batch cut, the sentences of a multi-sentence NMEA message that is not complete yet stay for
  the next batch (:func:`split_open_fragments`), so a type 5 message split by a flush is not lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

MAX_LINE: Final = 64 * 1024
_SENTENCE: Final = re.compile(rb"[A-Z]{2}VD[MO],([1-9]),([1-9]),")


class ServerError(ConnectionError):
    """The feed said no (aisstream sends ``{"error": ...}`` and closes, e.g. on a bad API key)."""


@dataclass
class LineSplitter:
    """Whole lines out of a byte stream; keeps an unfinished line for the next :meth:`feed`."""

    pending: bytes = b""
    too_long: int = 0
    _skipping: bool = field(default=False, repr=False)

    def feed(self, data: bytes) -> bytes:
        """The complete lines now available (each ending ``\\n``), possibly empty."""
        data = self.pending + data
        cut = data.rfind(b"\n")
        if cut < 0:
            self.pending = data
            if len(self.pending) > MAX_LINE:  # a line that never ends: drop what we have, count once
                self.pending = b""
                if not self._skipping:
                    self.too_long += 1
                self._skipping = True
            return b""
        head, self.pending = data[: cut + 1], data[cut + 1 :]
        if self._skipping:  # the rest of an over-long line: up to its end
            first = head.find(b"\n")
            head = head[first + 1 :]
            self._skipping = False
        return head

    def finish(self) -> bytes:
        """At the end of a connection: the unfinished last line (its checksum will judge it)."""
        rest, self.pending = self.pending, b""
        skipping, self._skipping = self._skipping, False
        return b"" if skipping or not rest.strip() else rest + b"\n"


def stamp_nmea(lines: bytes, received: float) -> tuple[bytes, int]:
    """Append the receive time to every non-blank line; returns the text and its number of lines."""
    suffix = f" {received:.3f}".encode()
    parts = [p.rstrip(b"\r") for p in lines.split(b"\n")]
    kept = [p + suffix for p in parts if p.strip()]
    if not kept:
        return b"", 0
    return b"\n".join(kept) + b"\n", len(kept)


def aisstream_line(message: str | bytes) -> bytes:
    """One aisstream.io websocket message as one JSON line; raises :class:`ServerError` for the
    server's ``{"error": ...}`` reply."""
    data = message.encode("utf-8", "replace") if isinstance(message, str) else message
    data = data.replace(b"\r", b" ").replace(b"\n", b" ").strip()
    if data.startswith(b"{") and data[1:].lstrip().startswith(b'"error"'):
        text = data[:200].decode("utf-8", "replace")
        raise ServerError(f"the feed refused the subscription: {text}")
    return data + b"\n"


def split_open_fragments(lines: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Split trailing sentences of an unfinished multi-sentence message off the end of ``lines``
    (the ones to keep for the next batch). ``lines``: the batch's lines, last ones last."""
    tail: list[bytes] = []
    for i in range(len(lines) - 1, max(-1, len(lines) - 10), -1):
        m = _SENTENCE.search(lines[i])
        if m is None:
            break
        count, number = int(m[1]), int(m[2])
        if count == 1 or (number == count and not tail):
            break  # a complete message ends the batch
        tail.insert(0, lines[i])
        if number == 1:
            return lines[:i], tail
    return lines, []
