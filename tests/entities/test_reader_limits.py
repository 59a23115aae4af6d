"""Regressions from the issue 9 fuzz campaign: entity readers count bad records, never crash."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest

from armswatch.entities import csvfile
from armswatch.entities.format_csv import parse_csv
from armswatch.entities.format_ftm import parse_ftm_lines
from armswatch.entities.format_ofac import parse_ofac
from armswatch.entities.problem import Problems, by_reason, reason_of
from armswatch.errors import InputError

from .fixtures import OFAC_SDN


@pytest.fixture
def small_field_limit() -> Iterator[int]:
    """A 1,000-character csv field limit for the test (FtM sets the process-wide limit to 30 MiB)."""
    previous = csv.field_size_limit(1000)
    yield 1000
    csv.field_size_limit(previous)


GOOD = '{"id": "p1", "schema": "Person", "properties": {"name": ["Kim Jong"]}}'


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "a", "schema": "Person", "properties": ' + "[" * 1000 + "]" * 1000 + "}", "nested too deep"),
        ("[" * 100_000, "nested too deep"),
        ('{"id": "a", "schema": 5}', "unknown schema"),
        ('{"id": "a", "schema": ["Person"]}', "unknown schema"),
        ('{"id": "a", "schema": "Spaceship"}', "unknown schema"),
        ('{"id": {"x": 1}, "schema": "Person"}', "id is not text"),
        ('{"id": "a", "schema": "Person", "properties": [1]}', "properties is not an object"),
        ('{"id": "a", "schema": "Person", "properties": {"name": [{"a": 1}]}}', "property value is not text"),
        ("[1, 2]", "not a JSON object"),
        ("{not json", "not JSON"),
    ],
)
def test_ftm_bad_line_is_a_counted_problem_with_its_line(line: str, reason: str) -> None:
    snap = parse_ftm_lines([GOOD, line, GOOD.replace("p1", "p2")])
    assert [e.id for e in snap.entities] == ["p1", "p2"]
    (key,) = snap.problems
    assert reason in key and key.endswith("(first: line 2)")


def test_ftm_integer_over_4300_digits_is_text_not_a_crash() -> None:
    line = '{"id": "a", "schema": "Person", "properties": {"name": [' + "9" * 5000 + "]}}"
    snap = parse_ftm_lines([line])
    assert snap.entities[0].get("name") == ["9" * 5000]


def test_ftm_float_keeps_its_text() -> None:
    snap = parse_ftm_lines(['{"id": "a", "schema": "Person", "properties": {"name": [1e400]}}'])
    assert snap.entities[0].get("name") == ["1e400"]


def test_problems_name_the_first_place_and_count_all() -> None:
    from collections import Counter

    counter: Counter[str] = Counter()
    problems = Problems(counter)
    problems.add("x: bad", 7)
    problems.add("x: bad", 9)
    problems.add("y: other", "ent_num 3", 2)
    assert counter == {"x: bad (first: line 7)": 2, "y: other (first: ent_num 3)": 2}
    assert by_reason(counter) == {"x: bad": 2, "y: other": 2}
    assert reason_of("x: bad (first: line 7)") == "x: bad"


def test_csv_header_over_the_column_limit_is_refused() -> None:
    header = ",".join(f"c{i}" for i in range(csvfile.MAX_COLUMNS + 1))
    with pytest.raises(InputError, match="columns") as info:
        parse_csv(header + "\n", {"name": "c1"}, source="wide.csv")
    assert "wide.csv:1" in str(info.value)


def test_csv_over_long_cell_is_one_bad_record_with_its_line(small_field_limit: int) -> None:
    text = "name,imo\nA,\n" + "B" + "x" * (small_field_limit * 2) + ",\nC,\n"
    snap = parse_csv(text, {"name": "name"})
    assert sorted(e.first("name") for e in snap.entities) == ["A", "C"]
    assert dict(snap.problems) == {"csv: unreadable row (cell too long) (first: line 3)": 1}


def test_csv_problems_name_their_line() -> None:
    snap = parse_csv("name,type\nA,Person\nB,Spaceship\n", {"name": "name", "schema": "type"})
    assert dict(snap.problems) == {"csv: unknown schema (first: line 3)": 1}


def test_ofac_over_long_cell_is_one_bad_record(small_field_limit: int) -> None:
    bad = '99999,"' + "x" * (small_field_limit * 2) + '","individual"\n'
    snap = parse_ofac({"primary": OFAC_SDN + bad}, dataset="us_ofac_sdn", list_date=None)
    assert any(k.startswith("ofac: primary row unreadable") for k in snap.problems)
    assert snap.entities


def test_iter_lines_keeps_line_ends() -> None:
    assert list(csvfile.iter_lines("a\r\nb\nc")) == ["a\r\n", "b\n", "c"]
    assert list(csvfile.iter_lines("")) == []


def test_un_person_fields_on_an_entity_are_counted_not_a_crash() -> None:
    """Regression (fuzz campaign): a TITLE, DESIGNATION or NATIONALITY on an ENTITY raised InvalidData
    or KeyError (an Organization has no such property)."""
    from armswatch.entities.format_un import parse_un_xml

    xml = (
        '<CONSOLIDATED_LIST dateGenerated="2024-03-01"><ENTITIES><ENTITY><DATAID>1</DATAID>'
        "<FIRST_NAME>OMM</FIRST_NAME><TITLE><VALUE>Sir</VALUE></TITLE><DESIGNATION><VALUE>Boss</VALUE>"
        "</DESIGNATION><NATIONALITY><VALUE>Korea</VALUE></NATIONALITY><GENDER>Male</GENDER></ENTITY>"
        "</ENTITIES></CONSOLIDATED_LIST>"
    )
    snap = parse_un_xml(xml.encode(), source="x.xml")
    assert any(e.id == "unsc-1" for e in snap.entities)
    assert by_reason(snap.problems) == {
        "un: title given for an Organization": 1,
        "un: position given for an Organization": 1,
        "un: nationality given for an Organization": 1,
        "un: gender given for an Organization": 1,
    }


def test_ftm_invalid_dataset_name_in_the_data_is_counted_and_ignored() -> None:
    """Regression (fuzz campaign): datasets ["\\x7fz"] raised pydantic's ValidationError."""
    line = '{"id": "a", "schema": "Person", "datasets": ["\\u007fz"], "properties": {"name": ["A"]}}'
    snap = parse_ftm_lines([GOOD, line])
    assert snap.dataset == "ftm" and len(snap.entities) == 2
    assert dict(snap.problems) == {
        "ftm: datasets[0] is not a valid dataset name (ignored) (first: line 2)": 1
    }


@pytest.mark.parametrize("name", ["My List", "\x7fz", "a-b"])
def test_invalid_dataset_option_is_an_input_error(name: str) -> None:
    with pytest.raises(InputError, match="not valid"):
        parse_ftm_lines([GOOD], dataset=name)
    with pytest.raises(InputError, match="not valid"):
        parse_csv("name\nA\n", {"name": "name"}, dataset=name, source="u.csv")
