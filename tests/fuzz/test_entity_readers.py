"""Property tests: entity list readers return a snapshot (bad records counted) or one InputError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armswatch.entities.format_csv import parse_csv
from armswatch.entities.format_ftm import parse_ftm_lines
from armswatch.entities.format_ofac import parse_ofac
from armswatch.entities.format_un import parse_un_xml
from armswatch.errors import InputError

from .fixtures import OFAC_SDN, UN_XML

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
schema_value = st.one_of(st.sampled_from(["Person", "Vessel", "Company", "Spaceship", ""]), json_value)
props = st.one_of(
    st.dictionaries(
        st.sampled_from(["name", "imoNumber", "birthDate", "alias", "nope"]), json_value, max_size=4
    ),
    json_value,
)


@st.composite
def ftm_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:  # deep nesting
        depth = draw(st.integers(500, 3000))
        return '{"id": "a", "schema": "Person", "properties": ' + "[" * depth + "]" * depth + "}"
    if kind == 2:  # a huge integer
        return (
            '{"id": "a", "schema": "Person", "properties": {"name": ['
            + "7" * draw(st.integers(4000, 6000))
            + "]}}"
        )
    entity: dict[str, Any] = {"id": draw(st.one_of(st.text(min_size=1, max_size=10), json_value)),
                              "schema": draw(schema_value), "properties": draw(props)}  # fmt: skip
    return json.dumps(entity)


@SETTINGS
@given(st.lists(ftm_line(), max_size=6))
def test_ftm_lines_never_crash_and_every_line_is_accounted_for(lines: list[str]) -> None:
    snap = parse_ftm_lines(lines)
    assert sum(snap.problems.values()) + len(snap.entities) == len([x for x in lines if x.strip()])
    assert all(isinstance(e.id, str) and e.id for e in snap.entities)
    assert all("(first: line " in key for key in snap.problems)


TOKENS = ['encoding="NaN"', "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<![CDATA[", "\x00", "</", "<VALUE>",
          "<FROM_YEAR>\u00b2\u00b2</FROM_YEAR>", "<DATAID>" + "9" * 5000 + "</DATAID>", "<a>" * 300]  # fmt: skip


@SETTINGS
@given(st.integers(0, 2500), st.lists(st.sampled_from(TOKENS), max_size=3), st.binary(max_size=8))
def test_un_xml_with_tokens_never_crashes(cut: int, tokens: list[str], junk: bytes) -> None:
    data = UN_XML.encode()
    hostile = data[:cut] + "".join(tokens).encode() + junk + data[cut:]
    try:
        snap = parse_un_xml(hostile, source="x.xml")
    except InputError as err:
        assert err.path == "x.xml"
        return
    assert snap.dataset == "un_sc"


@SETTINGS
@given(
    st.text(max_size=300),
    st.sampled_from(["", OFAC_SDN]),
    st.sampled_from(["primary", "alt", "add", "comments"]),
)
def test_ofac_parts_with_any_text_never_crash(text: str, base: str, part: str) -> None:
    parts = {"primary": base, part: (base if part == "primary" else "") + text}
    try:
        snap = parse_ofac(parts, dataset="us_ofac_sdn", list_date=None)
    except InputError:
        return
    assert all(e.id for e in snap.entities)


cells = st.one_of(
    st.text(max_size=15), st.sampled_from(["Vessel", "Person", "=1+1", "9262522", "\r", '"', "\x00"])
)


@SETTINGS
@given(st.lists(st.lists(cells, max_size=6), max_size=8))
def test_user_csv_rows_never_crash_and_problems_name_lines(rows: list[list[str]]) -> None:
    text = "ref,name,type,imo\n" + "\n".join(",".join(f'"{c}"' for c in row) for row in rows)
    try:
        snap = parse_csv(text, {"id": "ref", "name": "name", "schema": "type", "imoNumber": "imo"})
    except InputError:
        return
    assert all("(first: line " in key for key in snap.problems)
