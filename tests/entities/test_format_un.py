from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from armswatch.entities.format_un import parse_un_xml
from armswatch.entities.importer import load_entities
from armswatch.entities.problem import by_reason
from armswatch.errors import InputError

from .fixtures import un_xml


def _by_id(snap, entity_id):
    return next(e for e in snap.entities if e.id == entity_id)


def test_un_person_names_aliases_and_original_script() -> None:
    snap = parse_un_xml(un_xml().encode())
    assert snap.dataset == "un_sc"
    assert snap.list_date == date(2024, 1, 15)
    person = _by_id(snap, "unsc-6908001")
    assert person.schema.name == "Person"
    assert set(person.get("name")) == {"RI JE-SON", "리제선"}
    langs = {st.value: st.lang for st in person.get_statements("name")}
    assert langs == {"RI JE-SON": None, "리제선": "kor"}
    assert person.get("alias") == ["RI CHE-SON"]
    assert person.get("weakAlias") == ["RI JE SON"]
    assert person.get("nationality") == ["kp"]
    assert person.get("birthDate") == ["1938"]
    assert person.get("passportNumber") == ["381420754"]
    assert person.get("position") == ["Director"]
    assert not snap.problems


def test_un_entity_sanction_address_and_previous_name() -> None:
    snap = parse_un_xml(un_xml().encode())
    org = _by_id(snap, "unsc-690735")
    assert org.schema.name == "Organization"
    assert org.get("alias") == ["KOMID"]  # quotes stripped
    assert org.get("previousName") == ["OLD TRADING CO"]
    assert org.get("imoNumber") == ["5342883"]
    (address_id,) = org.get("addressEntity")
    address = _by_id(snap, address_id)
    assert address.get("city") == ["Pyongyang"]
    sanction = next(e for e in snap.entities if e.schema.name == "Sanction" and e.get("entity") == [org.id])
    assert sanction.get("unscId") == ["KPe.001"]
    assert sanction.get("program") == ["DPRK"]
    assert sanction.get("listingDate") == ["2009-04-24"]
    assert sanction.get("authority") == ["United Nations Security Council"]


def test_malformed_xml_names_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text(un_xml()[:-40], encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_entities(bad)
    assert "broken.xml" in str(info.value)
    assert "line" in str(info.value)


def test_entity_expansion_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CONSOLIDATED_LIST>&a;</CONSOLIDATED_LIST>'
    with pytest.raises(InputError, match="forbidden"):
        parse_un_xml(bomb, source="bomb.xml")


def test_wrong_root_is_input_error() -> None:
    with pytest.raises(InputError, match="not a UN consolidated list"):
        parse_un_xml(b"<other/>")


def test_record_without_dataid_is_counted_not_fatal() -> None:
    text = un_xml().replace("<DATAID>690735</DATAID>", "")
    snap = parse_un_xml(text.encode())
    assert by_reason(snap.problems)["un: record without DATAID"] == 1
    assert any(k == "un: record without DATAID (first: ENTITY 1)" for k in snap.problems)
    assert any(e.id == "unsc-6908001" for e in snap.entities)


def test_un_company_imo_number_in_all_comment_wordings() -> None:
    """The UN list writes "IMO number: N", "Company Number IMO N" and
    "International Maritime Organization (IMO) Number: N"."""
    comments = [
        "IMO number: 5571322.",
        "Company Number IMO 5434358.",
        "by these resolutions. International Maritime Organization (IMO) Number: 1790183.",
        "IMO NUMBER: 5676084",
    ]
    records = "".join(
        f"<ENTITY><DATAID>{i}</DATAID><FIRST_NAME>CO {i}</FIRST_NAME><COMMENTS1>{text}</COMMENTS1></ENTITY>"
        for i, text in enumerate(comments)
    )
    xml = f'<CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS/><ENTITIES>{records}</ENTITIES></CONSOLIDATED_LIST>'
    snap = parse_un_xml(xml.encode())
    imos = {e.id: e.get("imoNumber") for e in snap.entities if e.schema.name == "Organization"}
    assert imos == {
        "unsc-0": ["5571322"],
        "unsc-1": ["5434358"],
        "unsc-2": ["1790183"],
        "unsc-3": ["5676084"],
    }


def test_un_birth_year_range_covers_every_year() -> None:
    dob = (
        "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>"
        "<FROM_YEAR>1973</FROM_YEAR><TO_YEAR>1976</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
    )
    xml = (
        '<CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID>'
        f"<FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>CHOL</SECOND_NAME>{dob}</INDIVIDUAL></INDIVIDUALS>"
        "<ENTITIES/></CONSOLIDATED_LIST>"
    )
    person = _by_id(parse_un_xml(xml.encode()), "unsc-7")
    assert sorted(person.get("birthDate")) == ["1973", "1974", "1975", "1976"]


@pytest.mark.parametrize("encoding", ["NaN", "UTF-16", "x" * 300])
def test_impossible_encoding_is_input_error(encoding: str) -> None:
    """Regression (issue 9): encoding="NaN" raised LookupError (traceback)."""
    data = f'<?xml version="1.0" encoding="{encoding}"?><CONSOLIDATED_LIST/>'.encode()
    with pytest.raises(InputError):
        parse_un_xml(data, source="x.xml")


def test_too_many_elements_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import armswatch.entities.format_un as un

    monkeypatch.setattr(un, "MAX_MARKUP", 100)
    with pytest.raises(InputError, match="more than 100 XML elements"):
        parse_un_xml(b"<CONSOLIDATED_LIST>" + b"<a/>" * 200 + b"</CONSOLIDATED_LIST>", source="x.xml")


def test_between_years_in_other_digits_are_not_a_crash() -> None:
    text = un_xml().replace(
        "<INDIVIDUAL_DATE_OF_BIRTH>",
        "<INDIVIDUAL_DATE_OF_BIRTH><FROM_YEAR>\u00b2\u00b2</FROM_YEAR><TO_YEAR>1999</TO_YEAR>",
        1,
    )
    parse_un_xml(text.encode(), source="x.xml")
