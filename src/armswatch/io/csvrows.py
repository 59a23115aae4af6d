"""Reading a small bulk CSV file an analyst wrote: UTF-8 (with or without BOM), a header naming
required columns (case and spaces ignored), and rows turned into values by a parser that raises
:class:`InputError` for a bad row.

Bad rows are counted by reason with the first line of each, or with ``strict`` the first one is an
:class:`InputError` naming the file and line. A file that is not UTF-8, too large, empty, or whose
header is not CSV, lacks a column (or, with ``max_columns``, has too many or an over-long name) is one
:class:`InputError` naming the file and line. Each parsed row's line number is kept beside it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from armswatch.errors import InputError

T = TypeVar("T")

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_FIELD: Final = 16 * 1024


@dataclass
class RowsRead(Generic[T]):
    rows: list[T] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each row ends on, in the same order
    bad: Counter[str] = field(default_factory=Counter)
    first_bad: dict[str, int] = field(default_factory=dict)


def read_csv_rows(
    data: bytes,
    path: str,
    required: Sequence[str],
    parse: Callable[[dict[Any, Any]], T],
    *,
    strict: bool = False,
    max_bytes: int = MAX_BYTES,
    max_field: int = MAX_FIELD,
    max_columns: int | None = None,
    skip_blank: bool = False,
    missing_message: Callable[[list[str]], str] | None = None,
) -> RowsRead[T]:
    """Parse every row of ``data`` with ``parse`` (module docstring). ``skip_blank`` passes over rows
    whose cells are all empty; ``missing_message`` words the error for the missing columns."""
    if len(data) > max_bytes:
        raise InputError(f"file is larger than {max_bytes // 1024 // 1024} MB", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=path, record=f"line {line}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out: RowsRead[T] = RowsRead()

    def bad(reason: str, line: int) -> None:
        if strict:
            raise InputError(reason, path=path, record=f"line {line}")
        out.bad[reason] += 1
        out.first_bad.setdefault(reason, line)

    previous = csv.field_size_limit(max_field)
    try:
        try:
            header = [(h or "").strip().lower() for h in reader.fieldnames or []]
        except csv.Error as exc:
            raise InputError(f"header is not CSV: {exc}", path=path, record="line 1") from None
        if not header:
            raise InputError("empty file: no header", path=path)
        if max_columns is not None and (len(header) > max_columns or any(len(h) > 64 for h in header)):
            raise InputError(
                f"header has more than {max_columns} columns or an over-long name", path=path, record="line 1"
            )
        missing = [c for c in required if c not in header]
        if missing:
            message = missing_message(missing) if missing_message else f"header lacks columns {missing}"
            raise InputError(message, path=path, record="line 1")
        reader.fieldnames = header
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad(f"not CSV ({exc})", reader.line_num)
                continue
            if skip_blank and not any(str(v or "").strip() for k, v in row.items() if k is not None):
                continue
            try:
                out.rows.append(parse(row))
                out.lines.append(reader.line_num)
            except InputError as exc:
                bad(exc.message, reader.line_num)
    finally:
        csv.field_size_limit(previous)
    return out
