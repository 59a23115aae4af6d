"""Reading the small CSV files users hand to ``screen`` and ``entities compare``.

One place for what both need: a missing file, text that is not UTF-8 and a missing column are input
errors naming the file (and line); every row comes with the line it ends on in the file (blank
lines and quoted line breaks included), so per-row problems name the right line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from armswatch.errors import InputError, MissingFileError


def csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """``(line, row)`` for each data row of a headed CSV with the ``required`` columns."""
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text (save the file as UTF-8)", path=str(path), record=line) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)} (need {', '.join(required)})",
                path=str(path),
                record=1,
            )
        reader.fieldnames = header
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", path=str(path), record=reader.line_num) from exc
