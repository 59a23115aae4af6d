"""Reading CSV text from users and lists, with bounded memory and per-record problems.

:func:`iter_lines` feeds :mod:`csv` one line at a time (``io.StringIO`` would copy the whole text at
four bytes a character); :data:`MAX_COLUMNS` bounds a header (a 100,000-column header would make
every row a 100,000-key dict). A cell over the :mod:`csv` field limit (128 KiB) makes that record
unreadable, not the file: readers count it and go on.

:func:`csv_rows` reads the small CSV files users hand to ``screen`` and ``entities compare``: a
missing file, text that is not UTF-8 and a missing column are input errors naming the file (and
line); every row comes with the line it ends on in the file (blank lines and quoted line breaks
included), so per-row problems name the right line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

from armswatch.errors import InputError, MissingFileError

MAX_COLUMNS: Final = 1000


def iter_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ``\\n`` endings, one at a time (no copy of the whole)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def check_header(header: Sequence[str], source: str) -> None:
    """Refuse a header with more than :data:`MAX_COLUMNS` columns (line 1 of ``source``)."""
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"header has {len(header):,} columns (at most {MAX_COLUMNS:,})", path=source, record=1
        )


def csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """``(line, row)`` for each data row of a headed CSV with the ``required`` columns."""
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text (save the file as UTF-8)", path=str(path), record=line) from exc
    reader = csv.DictReader(iter_lines(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        check_header(header, str(path))
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
        raise InputError(f"unreadable CSV: {exc}", path=str(path), record=reader.reader.line_num) from exc
