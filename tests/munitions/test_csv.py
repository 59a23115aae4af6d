"""The munition items CSV on the shared bulk-CSV reader: header case and spaces, blank rows, the column
limit, the missing ``type`` column, each error naming the file and line."""

from __future__ import annotations

import pytest

from armswatch.errors import InputError
from armswatch.munitions.csvfile import MAX_COLUMNS, read_items_csv


def test_header_case_blank_rows_and_lines() -> None:
    data = " Type ,Calibre,Markings\nrocket,122 mm,방-122 | KN\n,,\n\nshell,152 mm,\nshell,1,2,3\n".encode()
    read = read_items_csv(data, "items.csv")
    assert [(i.type, i.calibre) for i in read.items] == [("rocket", "122 mm"), ("shell", "152 mm")]
    assert [m.text for m in read.items[0].markings] == ["방-122", "KN"]
    assert dict(read.bad) == {"more cells than header columns": 1} and read.first_bad == {
        "more cells than header columns": 6
    }  # the blank row ",," is skipped, not counted
    with pytest.raises(InputError, match=r"^items\.csv:line 6: more cells than header columns$"):
        read_items_csv(data, "items.csv", strict=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"calibre,markings\n122 mm,x\n", r"^items\.csv:line 1: header has no 'type' column$"),
        (b"", r"^items\.csv: empty file: no header$"),
        (("type," + ",".join(f"c{i}" for i in range(MAX_COLUMNS)) + "\n").encode(), "more than 64 columns"),
        (b"type,lat\nshell,north\n", None),
    ],
)
def test_bad_files(data: bytes, message: str | None) -> None:
    if message is None:  # a bad cell is a bad row, not a bad file
        assert sum(read_items_csv(data, "items.csv").bad.values()) == 1
        return
    with pytest.raises(InputError, match=message):
        read_items_csv(data, "items.csv")
