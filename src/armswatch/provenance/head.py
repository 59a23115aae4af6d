"""The audit chain head kept outside the database, beside it in the workspace folder.

``armswatch.head`` holds the sequence number and hash of the newest audit entry. Deleting entries
from the end of the chain (and the head row inside the database) is caught by comparing the chain
with this file; a file *behind* the chain is normal after a crash between a commit and the file
update, and is brought forward on the next write or open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from pathlib import Path

from armswatch.io.atomic import write_text_atomic

HEAD_FILE = "armswatch.head"


class HeadFileError(ValueError):
    """The head file exists but cannot be read."""


def read_head(root: Path) -> tuple[int, str] | None:
    path = root / HEAD_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise HeadFileError(f"{path}: cannot read the head file: {exc}") from exc
    try:
        data = json.loads(text)
        seq, digest = int(data["seq"]), str(data["hash"])
    except (ValueError, TypeError, KeyError) as exc:
        raise HeadFileError(f"{path}: malformed head file") from exc
    if len(digest) != 64:
        raise HeadFileError(f"{path}: malformed head file (hash)")
    return seq, digest


def write_head(root: Path, seq: int, digest: str) -> None:
    """Move the head file forward to (seq, digest); never backwards."""
    lock = root / ".armswatch.head.lock"
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        current: tuple[int, str] | None = None
        with contextlib.suppress(HeadFileError):
            current = read_head(root)
        if current is None or current[0] < seq:
            write_text_atomic(root / HEAD_FILE, json.dumps({"seq": seq, "hash": digest}) + "\n")
