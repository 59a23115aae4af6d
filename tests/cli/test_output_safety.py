"""Stranger-written text (AIS names, list entries, paths) is printed literally and is never a formula."""

from __future__ import annotations

import csv
import io

import pytest

from armswatch.cli.common import emit, render, say, show_record
from armswatch.io.text import csv_cell, one_line

HOSTILE = ["[/x]", "[link=file:///etc/passwd]x[/link]", "[bold red]RED", "A\x1b[2JB", "[/]"]


@pytest.mark.parametrize("name", HOSTILE)
def test_table_and_record_print_markup_literally(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    emit([{"name": name, "mmsi": 273000001}], fmt="table", title=name)
    show_record({"name": name})
    say(f"imported {name}")
    out, err = capsys.readouterr()
    visible = one_line(name)
    assert visible in out
    assert visible in err
    assert "\x1b[2J" not in out + err


@pytest.mark.parametrize("formula", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_start_a_formula_are_prefixed(formula: str) -> None:
    text = render([{"name": formula, "lon": -73.9}], "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'" + formula.replace("\r", "\n")
    assert rows[1][1] == "-73.9"


@pytest.mark.parametrize("number", ["-12.5", "+3", "-1e-3", "-.5"])
def test_csv_numbers_are_not_mangled(number: str) -> None:
    assert csv_cell(number) == number


def test_polars_csv_frames_follow_the_same_rule() -> None:
    import polars as pl

    from armswatch.io.text import csv_safe_frame

    values = ["=1+1", "-12.5", "ok", "@x", "+3", "\tx", "a\r\nb", "[/x]"]
    out = csv_safe_frame(pl.DataFrame({"name": values, "n": list(range(len(values)))}))
    assert out["name"].to_list() == [csv_cell(v) for v in values]
    assert out["n"].to_list() == list(range(len(values)))
