"""``read_csv_rows``: the one bulk-CSV row reader (size, UTF-8, header, per-row reasons, --strict) and
its options (blank rows, a column limit, the missing-columns message, each row's line)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.errors import InputError
from armswatch.io.csvrows import read_csv_rows


def _parse(row: dict[Any, Any]) -> tuple[str, int]:
    if None in row:
        raise InputError("more cells than header columns")
    if not (row["n"] or "").strip().isdigit():
        raise InputError("n is not a number")
    return row["name"], int(row["n"])


DATA = b"\xef\xbb\xbf Name ,N\nA,1\nB,x\n,\nC,3,extra\n\nD,4\n"


def test_rows_lines_and_reasons() -> None:
    read = read_csv_rows(DATA, "f.csv", ("name", "n"), _parse)
    assert read.rows == [("A", 1), ("D", 4)] and read.lines == [2, 7]  # BOM, case and spaces in the header
    assert dict(read.bad) == {"n is not a number": 2, "more cells than header columns": 1}
    assert read.first_bad == {"n is not a number": 3, "more cells than header columns": 5}  # "," is line 4
    skipped = read_csv_rows(DATA, "f.csv", ("name", "n"), _parse, skip_blank=True)
    assert dict(skipped.bad) == {"n is not a number": 1, "more cells than header columns": 1}  # "," skipped
    with pytest.raises(InputError, match=r"^f\.csv:line 3: n is not a number$"):
        read_csv_rows(DATA, "f.csv", ("name", "n"), _parse, strict=True)


@pytest.mark.parametrize(
    ("data", "options", "message"),
    [
        (b"", {}, r"^f\.csv: empty file: no header$"),
        (b"name\nA\n", {}, r"^f\.csv:line 1: header lacks columns \['n'\]$"),
        (
            b"name\nA\n",
            {"missing_message": lambda m: f"no {'/'.join(m)} column"},
            r"^f\.csv:line 1: no n column$",
        ),
        (
            b"name,n," + b",".join(b"c%d" % i for i in range(70)) + b"\n",
            {"max_columns": 64},
            "more than 64 columns",
        ),
        (b"name,n," + b"x" * 65 + b"\n", {"max_columns": 64}, "over-long name"),
        (b"name,n\n\xff\n", {}, r"^f\.csv:line 2: not UTF-8 text$"),
        (b"name,n\n" + b"A,1\n" * 10, {"max_bytes": 20}, "larger than"),
        (
            b"name,nnnnnnnn\n",
            {"max_field": 4},
            r"^f\.csv:line 1: header is not CSV: field larger than field limit",
        ),
    ],
)
def test_bad_files_name_file_and_line(data: bytes, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_csv_rows(data, "f.csv", ("name", "n"), _parse, **options)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_never_crashes(data: bytes, blank: bool) -> None:
    try:
        read = read_csv_rows(b"name,n\n" + data, "fuzz.csv", ("name", "n"), _parse, skip_blank=blank)
    except InputError:
        return
    assert len(read.rows) == len(read.lines) and all(isinstance(n, int) for _, n in read.rows)
