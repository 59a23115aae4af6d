"""Reading line-oriented files in bounded memory: chunks of whole lines, over-long lines cut out.

Every AIS text and CSV reader goes through :func:`iter_chunks`. It reads ``chunk_bytes`` at a time
and yields byte chunks that end on a line break, so a parser never sees half a line. A line longer
than ``max_line`` bytes (an NMEA sentence is at most 82 characters; a MarineCadastre row about 150)
is never held in memory whole: it is skipped while it streams past and replaced by the one-byte line
:data:`TOO_LONG`, so line numbers stay right and the reader counts it as a ``line_too_long`` bad
record. Memory is therefore bounded by about ``chunk_bytes + max_line`` whatever the input (a file
of 300 MB without a line break, a 200 MB CSV cell).

For CSV (``quote=b'"'``) a chunk ends only where the double quotes before it are balanced, so a
quoted field containing line breaks stays in one chunk (up to ``max_line`` bytes for the record).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np

CHUNK_BYTES: Final = 16 * 1024 * 1024
MAX_LINE_BYTES: Final = 64 * 1024
"""Longest line (record) accepted; longer ones are ``line_too_long`` bad records."""
TOO_LONG: Final = b"\x1a"
"""The placeholder line (ASCII SUB) that stands for a line that was too long."""


@dataclass(frozen=True)
class Chunk:
    """Whole lines of a file: ``data`` (ends with a line break unless ``last``), the number of
    bytes of the file read so far (``done``) and whether this is the final chunk."""

    data: bytes
    done: int
    last: bool


def _cut(data: bytes, quote: bytes | None) -> int:
    """Index of the last line break of ``data`` at which quotes are balanced (-1: none); one
    vectorised pass (a cumulative count of quotes read at every line break)."""
    if quote is None or quote not in data:
        return data.rfind(b"\n")
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10)
    if breaks.size == 0:
        return -1
    quotes_before = np.cumsum(arr == quote[0], dtype=np.int64)[breaks]
    balanced = breaks[quotes_before % 2 == 0]
    return int(balanced[-1]) if balanced.size else -1


def _drop_long_lines(data: bytes, max_line: int) -> bytes:
    """Replace every line longer than ``max_line`` inside ``data`` by :data:`TOO_LONG` (vectorised
    check; the chunk is rebuilt only when such a line exists)."""
    if len(data) <= max_line:
        return data
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(data)]))
    long = np.flatnonzero(ends - starts > max_line)
    if long.size == 0:
        return data
    parts: list[bytes] = []
    pos = 0
    for i in long:
        parts += [data[pos : starts[i]], TOO_LONG]
        pos = int(ends[i])
    parts.append(data[pos:])
    return b"".join(parts)


def iter_chunks(
    source: Path | BinaryIO,
    chunk_bytes: int = CHUNK_BYTES,
    max_line: int = MAX_LINE_BYTES,
    quote: bytes | None = None,
) -> Iterator[Chunk]:
    """Chunks of whole lines of ``source`` (a path or a binary file object); see the module doc."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from _chunks(fh, chunk_bytes, max_line, quote)
    else:
        yield from _chunks(source, chunk_bytes, max_line, quote)


def _chunks(fh: BinaryIO, chunk_bytes: int, max_line: int, quote: bytes | None) -> Iterator[Chunk]:
    done = 0
    pending = b""
    skipping = False  # inside an over-long line: drop bytes until its line break
    while True:
        block = fh.read(chunk_bytes)
        done += len(block)
        last = not block
        if skipping:
            nl = block.find(b"\n")
            if nl < 0 and not last:
                continue
            skipping = False
            block = TOO_LONG + (block[nl:] if nl >= 0 else b"")
        data, pending = pending + block, b""
        if not last:
            cut = _cut(data, quote)
            data, pending = data[: cut + 1], data[cut + 1 :]
            if len(pending) > max_line and quote is not None and b"\n" in pending:
                # quotes never balance within max_line: give up balancing for these lines
                nl = pending.rfind(b"\n")
                data, pending = data + pending[: nl + 1], pending[nl + 1 :]
            if len(pending) > max_line:  # the line being read is too long: stop holding it
                pending, skipping = b"", True  # its placeholder goes out with the line's end
        if data or last:
            yield Chunk(_drop_long_lines(data, max_line), done, last)
        if last:
            return
