from __future__ import annotations

import os
import stat
from pathlib import Path

from armswatch.io.atomic import write_bytes_atomic, write_text_atomic


def test_a_device_target_is_written_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` must not rename a file over the device (it did: /dev/null became a file)."""
    link = tmp_path / "out"
    link.symlink_to(os.devnull)
    write_text_atomic(link, "text")
    write_bytes_atomic(link, b"bytes")
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_text_atomic(target, "old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
