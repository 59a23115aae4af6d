from __future__ import annotations

import json
from pathlib import Path

import pytest

from armswatch.entities.importer import load_entities
from armswatch.entities.problem import by_reason
from armswatch.errors import InputError


def test_ftm_lines_with_bad_lines_counted(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    lines = [
        json.dumps(
            {
                "id": "v1",
                "schema": "Vessel",
                "properties": {"name": ["SEA STAR"], "imoNumber": ["9161003"]},
                "datasets": ["demo_ds"],
            }
        ),
        "not json",
        json.dumps({"id": "x", "schema": "NoSuchSchema", "properties": {}}),
        json.dumps({"schema": "Person"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    snap = load_entities(path)
    assert snap.dataset == "demo_ds"
    assert [e.id for e in snap.entities] == ["v1"]
    assert snap.entities[0].get("imoNumber") == ["9161003"]
    assert sum(snap.problems.values()) == 3


def test_user_csv_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "watch.csv"
    path.write_text(
        "ref,kind,title,imo,aka\nA1,Vessel,SEA STAR,IMO 9161003,STAR;STELLA\nA2,Bogus,X,,\n", encoding="utf-8"
    )
    snap = load_entities(
        path, mapping="id=ref,schema=kind,name=title,imoNumber=imo,alias=aka", dataset="mine"
    )
    assert snap.dataset == "mine"
    (vessel,) = snap.entities
    assert vessel.id == "mine-A1"
    assert vessel.get("imoNumber") == ["9161003"]
    assert sorted(vessel.get("alias")) == ["STAR", "STELLA"]
    assert by_reason(snap.problems)["csv: unknown schema"] == 1


def test_user_csv_unknown_column(tmp_path: Path) -> None:
    path = tmp_path / "watch.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column"):
        load_entities(path, "csv", mapping="name=c")


def test_ftm_lines_not_utf8_is_an_input_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    good = json.dumps({"id": "a", "schema": "Person", "properties": {"name": ["Kim"]}})
    path.write_bytes(
        good.encode() + b'\n{"id": "b", "schema": "Person", "properties": {"name": ["K\xe9m"]}}\n'
    )
    with pytest.raises(InputError, match="not UTF-8") as err:
        load_entities(path, "ftm")
    assert err.value.record == 2


def test_user_csv_keeps_imo_company_numbers_and_checks_ship_numbers(tmp_path: Path) -> None:
    path = tmp_path / "watch.csv"
    path.write_text(
        "ref,kind,title,imo\nC1,Company,YUJONG SHIPPING,5434358\nV1,Vessel,BAD SHIP,5434358\n",
        encoding="utf-8",
    )
    snap = load_entities(path, mapping="id=ref,schema=kind,name=title,imoNumber=imo", dataset="mine")
    by_id = {e.id: e for e in snap.entities}
    assert by_id["mine-C1"].get("imoNumber") == ["5434358"]  # a company number has no check digit
    assert by_id["mine-V1"].get("imoNumber") == []
    assert by_reason(snap.problems)["csv: bad IMO number"] == 1
