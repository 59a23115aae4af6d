"""Parsers never crash on odd input: they return a snapshot (problems counted) or raise InputError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.entities.format_csv import parse_csv
from armswatch.entities.format_ftm import parse_ftm_lines
from armswatch.entities.format_ofac import parse_ofac
from armswatch.entities.format_un import parse_un_xml
from armswatch.errors import InputError

from .fixtures import OFAC_SDN, un_xml

cell = st.one_of(st.just("-0- "), st.text(max_size=12), st.integers(0, 99999).map(str))
row = st.lists(cell, min_size=0, max_size=14).map(lambda cells: ",".join(f'"{c}"' for c in cells))


@settings(max_examples=60, deadline=None)
@given(st.lists(row, max_size=6), st.sampled_from(["", OFAC_SDN]))
def test_ofac_random_rows(rows: list[str], base: str) -> None:
    text = base + "\r\n".join(rows)
    try:
        snap = parse_ofac({"primary": text, "alt": text, "add": text}, dataset="us_ofac_sdn", list_date=None)
    except InputError:
        return
    assert all(e.id for e in snap.entities)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2000), st.binary(max_size=20))
def test_un_truncated_or_garbled(cut: int, junk: bytes) -> None:
    data = un_xml().encode()
    try:
        snap = parse_un_xml(data[:cut] + junk + data[cut + len(junk) :], source="x.xml")
    except InputError:
        return
    assert snap.dataset == "un_sc"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=5))
def test_ftm_random_lines(lines: list[str]) -> None:
    snap = parse_ftm_lines(lines)
    assert sum(snap.problems.values()) + len(snap.entities) <= len([x for x in lines if x.strip()])


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_csv_random_text(text: str) -> None:
    try:
        parse_csv("name,imo\n" + text, {"name": "name", "imoNumber": "imo"})
    except InputError:
        return
