"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload


@overload
@contextlib.contextmanager
def atomic_write(path: Path, mode: Literal["w"] = "w", encoding: str = "utf-8") -> Iterator[IO[str]]: ...
@overload
@contextlib.contextmanager
def atomic_write(path: Path, mode: Literal["wb"], encoding: str = "utf-8") -> Iterator[IO[bytes]]: ...


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO[str] | IO[bytes]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was. A target that
    exists and is not a regular file (``/dev/null``, a FIFO, a terminal) is written directly: renaming
    over it would replace the device with a file.
    """
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        if mode == "wb":
            with open(path, "wb") as raw:
                yield raw
        else:
            with open(path, "w", encoding=encoding, newline="") as text:
                yield text
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        if mode == "wb":
            with os.fdopen(fd, "wb") as fb:
                yield fb
                fb.flush()
                os.fsync(fb.fileno())
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline="") as ft:
                yield ft
                ft.flush()
                os.fsync(ft.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_write(path, "w") as fh:
        fh.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
