from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from armswatch.entities.importer import detect_format, load_entities, ofac_parts
from armswatch.entities.problem import by_reason
from armswatch.errors import MissingFileError

from .fixtures import write_ofac


def _by_id(snap, entity_id):
    return next(e for e in snap.entities if e.id == entity_id)


def test_ofac_vessel_imo_mmsi_flags_and_owner(tmp_path: Path) -> None:
    snap = load_entities(write_ofac(tmp_path), list_date=date(2021, 7, 1))
    assert snap.dataset == "us_ofac_sdn"
    assert snap.list_date == date(2021, 7, 1)
    vessel = _by_id(snap, "ofac-17069")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["7937317"]
    assert vessel.get("mmsi") == ["445114000"]
    assert vessel.get("flag") == ["kp"]
    assert vessel.get("pastFlags") == ["pa"]
    assert set(vessel.get("previousName")) == {"MOONLIGHT", "CHONG GON GANG"}
    assert vessel.get("owner") == ["ofac-15000"]  # owner column names a listed party
    assert vessel.get("callSign") == []  # -0- is null


def test_ofac_bad_imo_check_digit_is_counted(tmp_path: Path) -> None:
    snap = load_entities(write_ofac(tmp_path))
    assert _by_id(snap, "ofac-15001").get("imoNumber") == []
    assert by_reason(snap.problems)["ofac: vessel IMO with bad check digit"] == 1


def test_ofac_programs_aliases_addresses(tmp_path: Path) -> None:
    snap = load_entities(write_ofac(tmp_path))
    komid = _by_id(snap, "ofac-9345")
    assert komid.schema.name == "LegalEntity"
    assert set(komid.get("alias")) == {"KOMID", "CHANGGWANG SINYONG CORPORATION"}
    assert komid.get("country") == ["kp"]
    sanction = _by_id(snap, "ofac-9345-sanction")
    assert set(sanction.get("program")) == {"NPWMD", "DPRK2"}
    assert by_reason(snap.problems)["ofac: address for unknown ent_num"] == 1


def test_ofac_comments_continue_remarks_and_link(tmp_path: Path) -> None:
    snap = load_entities(write_ofac(tmp_path))
    person = _by_id(snap, "ofac-12211")
    assert person.schema.name == "Person"
    assert person.get("lastName") == ["KIM"]
    assert person.get("passportNumber") == ["123456"]
    links = [e for e in snap.entities if e.schema.name == "UnknownLink"]
    assert [(link.get("subject"), link.get("object")) for link in links] == [(["ofac-12211"], ["ofac-9345"])]


def test_ofac_any_part_names_the_set(tmp_path: Path) -> None:
    write_ofac(tmp_path, prefix="x_")
    dataset, files = ofac_parts(tmp_path / "x_alt.csv")
    assert dataset == "us_ofac_sdn"
    assert set(files) == {"primary", "add", "alt", "comments"}
    assert detect_format(tmp_path / "x_sdn.csv") == "ofac-csv"


def test_ofac_missing_primary(tmp_path: Path) -> None:
    (tmp_path / "add.csv").write_text('1,2,-0- ,-0- ,"Cuba",-0- \r\n', encoding="utf-8")
    with pytest.raises(MissingFileError):
        load_entities(tmp_path / "add.csv", "ofac-csv")


def test_linked_to_name_ending_in_period() -> None:
    from armswatch.entities.format_ofac import parse_ofac

    primary = (
        '1,"ALFA S.A.",-0- ,"SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        '2,"BETA LTDA.",-0- ,"SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Linked To: ALFA S.A.; Linked To: GAMMA."\r\n'
    )
    snap = parse_ofac({"primary": primary}, dataset="us_ofac_sdn", list_date=None)
    (link,) = [e for e in snap.entities if e.schema.name == "UnknownLink"]
    assert link.get("object") == ["ofac-1"]
    assert by_reason(snap.problems)["ofac: Linked To a name not in the list"] == 1


def test_consolidated_set_names_and_dataset(tmp_path: Path) -> None:
    from .fixtures import OFAC_ADD, OFAC_ALT, OFAC_SDN

    (tmp_path / "CONS_PRIM.CSV").write_text(OFAC_SDN, encoding="utf-8", newline="")
    (tmp_path / "CONS_ADD.CSV").write_text(OFAC_ADD, encoding="utf-8", newline="")
    (tmp_path / "CONS_ALT.CSV").write_text(OFAC_ALT, encoding="utf-8", newline="")
    dataset, files = ofac_parts(tmp_path / "CONS_ALT.CSV")
    assert dataset == "us_ofac_cons"
    assert set(files) == {"primary", "add", "alt"}
    snap = load_entities(tmp_path / "CONS_PRIM.CSV")
    assert snap.dataset == "us_ofac_cons"
    assert by_reason(snap.problems)["ofac: no comments file next to the primary file"] == 1


def test_ofac_birth_dates_in_remarks_are_kept_and_passport_is_the_number_only() -> None:
    """OFAC writes "DOB 18 Jun 1964", "DOB circa 1947", "DOB Jan 1950", "DOB 1955 to 1957"."""
    from armswatch.entities.format_ofac import parse_ofac

    def person(num: int, remarks: str) -> str:
        return f'{num},"KIM, Chol","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\r\n'

    primary = (
        person(1, "DOB 18 Jun 1964; Passport 381420754 issued 07 Dec 2011 expires 07 Dec 2016.")
        + person(2, "DOB circa 1947; alt. DOB circa 1946.")
        + person(3, "DOB Jan 1950; Passport 0310857 (Eritrea).")
        + person(4, "DOB 1955 to 1957.")
        + person(5, "DOB 01 Jan 1960 to 31 Dec 1962.")
        + person(6, "DOB sometime.")
    )
    snap = parse_ofac({"primary": primary}, dataset="us_ofac_sdn", list_date=None)
    births = {e.id: sorted(e.get("birthDate")) for e in snap.entities if e.schema.name == "Person"}
    assert births == {
        "ofac-1": ["1964-06-18"],
        "ofac-2": ["1946", "1947"],
        "ofac-3": ["1950-01"],
        "ofac-4": ["1955", "1956", "1957"],  # a range stands for every year in it
        "ofac-5": ["1960-01-01", "1961", "1962-12-31"],
        "ofac-6": [],
    }
    assert by_reason(snap.problems)["ofac: unparsed birthDate"] == 1
    passports = {e.id: e.get("passportNumber") for e in snap.entities if e.schema.name == "Person"}
    assert passports["ofac-1"] == ["381420754"]
    assert passports["ofac-3"] == ["0310857"]


def test_linked_to_a_shared_name_picks_the_party_of_the_same_programme() -> None:
    """OFAC lists two MINISTRY OF STATE SECURITY (DPRK3 and CAATSA - RUSSIA); a DPRK official's link
    must reach the DPRK one, not whichever comes last in the file."""
    from armswatch.entities.format_ofac import parse_ofac

    def row(num: int, name: str, kind: str, program: str, remarks: str = "-0- ") -> str:
        return f'{num},"{name}",{kind},"{program}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\r\n'

    primary = (
        row(20129, "MINISTRY OF STATE SECURITY", "-0- ", "DPRK3")
        + row(20130, "KANG, Song Nam", '"individual"', "DPRK3", "Linked To: MINISTRY OF STATE SECURITY.")
        + row(25437, "MINISTRY OF STATE SECURITY", "-0- ", "CAATSA - RUSSIA")
        + row(1, "SOMEONE", '"individual"', "SDGT", "Linked To: MINISTRY OF STATE SECURITY.")
    )
    snap = parse_ofac({"primary": primary}, dataset="us_ofac_sdn", list_date=None)
    links = {e.first("subject"): e.get("object") for e in snap.entities if e.schema.name == "UnknownLink"}
    assert links == {"ofac-20130": ["ofac-20129"]}
    assert by_reason(snap.problems)["ofac: Linked To a name several parties share"] == 1
