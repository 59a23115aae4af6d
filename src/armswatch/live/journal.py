"""Received lines on disk before they are batched: what a hard kill must not lose.

Every chunk a session receives is appended to the open journal file
``<workspace>/.live/journal/<session>-<n><ext>.journal`` and handed to the operating system before
the session goes on (``write`` + ``flush``: a killed process leaves it in the file) and synced to
the disk about once a second (:meth:`Journal.sync`; a power cut loses at most that second). When a
batch is cut the file is *sealed* (synced, kept open and locked) and a new one is started with the
lines carried to the next batch (an NMEA message whose sentences are not all in yet); a sealed file
is removed once its batch is whole in the spool (:meth:`Journal.release`).

A journal file still there when ``ais listen`` starts belongs to a session that was killed
(SIGKILL, power loss) before its batch reached the spool: :func:`recover` puts its whole lines in
the spool as a batch, and the spool stores it with the rest. Every session holds an exclusive
``flock`` on its journal files while they are open, so a second ``ais listen`` on the same
workspace never takes the files of one that is running. Lines of a journal whose batch also
reached the spool (killed between the two steps) are stored once: rows are deduplicated and every
line carries the receive time it was stamped with.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from armswatch.live.spool import EXTENSIONS, FORMAT_OF, Spool

SUFFIX: Final = ".journal"


def journal_folder(root: Path) -> Path:
    return Path(root) / ".live" / "journal"


@dataclass
class Journal:
    """The journal files of one session (call from the event loop's thread, except :meth:`release`,
    which the writer thread calls for a sealed file the loop no longer touches)."""

    folder: Path
    session: str
    fmt: str
    seq: int = 0
    current: Path | None = None
    _fh: BinaryIO | None = None
    _sealed: dict[Path, BinaryIO] = field(default_factory=dict)

    def _open(self) -> BinaryIO:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.seq += 1
        path = self.folder / f"{self.session}-{self.seq:06d}{EXTENSIONS[self.fmt]}{SUFFIX}"
        fh = open(path, "xb")  # noqa: SIM115 - kept open (and locked) until released
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.current, self._fh = path, fh
        return fh

    def append(self, data: bytes) -> None:
        """Put received lines in the open journal file (in the operating system's hands on return)."""
        if not data:
            return
        fh = self._fh or self._open()
        fh.write(data)
        fh.flush()

    def sync(self) -> None:
        """Make the open journal file durable (against a power cut, not only a kill)."""
        if self._fh is not None:
            os.fsync(self._fh.fileno())

    def seal(self, size: int, carry: bytes = b"") -> Path | None:
        """Close the batch being filled: its journal file is cut to the batch's ``size`` bytes,
        synced and kept until :meth:`release`; ``carry`` (the lines at its end that belong to the
        next batch) starts the next file. None when nothing was received since the last seal."""
        path, fh = self.current, self._fh
        self.current, self._fh = None, None
        if path is None or fh is None:
            self.append(carry)
            return None
        fh.truncate(size)
        os.fsync(fh.fileno())
        self._sealed[path] = fh
        self.append(carry)
        return path

    def release(self, path: Path | None) -> None:
        """The batch of ``path`` is whole in the spool: its journal file goes."""
        if path is None:
            return
        fh = self._sealed.pop(path, None)
        path.unlink(missing_ok=True)
        if fh is not None:
            fh.close()

    def close(self) -> None:
        """Stop journalling: files not released stay on disk (their batches were not spooled) for
        the next session to recover; their locks go with the handles."""
        for fh in [*self._sealed.values(), *([self._fh] if self._fh else [])]:
            fh.close()
        self._sealed.clear()
        self._fh = self.current = None


def _take(path: Path) -> bytes | None:
    """The whole lines of a journal file no running session holds (None when one does)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a running session's file
        data = fh.read()
    end = data.rfind(b"\n")  # a line cut by the kill is not a line
    return data[: end + 1] if end >= 0 else b""


def recover(spool: Spool) -> int:
    """Put the whole lines of every journal file left by a killed session in the spool (oldest
    first; each becomes one batch) and remove the file; returns how many files were recovered."""
    folder = journal_folder(spool.ws.root)
    if not folder.is_dir():
        return 0
    found = 0
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        fmt = FORMAT_OF.get(Path(path.name.removesuffix(SUFFIX)).suffix)
        if fmt is None:
            continue
        data = _take(path)
        if data is None:
            continue
        if data:
            spool.write(data, fmt)
        path.unlink(missing_ok=True)
        found += 1
    return found
