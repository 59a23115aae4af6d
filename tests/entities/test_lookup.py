from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from armswatch.entities.history import entity_at
from armswatch.entities.ingest import import_list
from armswatch.entities.lookup import designations_of, find_vessels, ids_by_value, list_entities
from armswatch.errors import InputError
from armswatch.workspace import Workspace

from .fixtures import OFAC_SDN, write_ofac


def test_find_vessels_by_imo_and_mmsi(ws: Workspace, tmp_path: Path) -> None:
    import_list(ws, write_ofac(tmp_path), list_date=date(2021, 7, 1))
    (by_imo,) = find_vessels(ws, imo="IMO 7937317")
    (by_mmsi,) = find_vessels(ws, mmsi="445114000")
    assert by_imo.entity_id == by_mmsi.entity_id == "ofac-17069"
    assert find_vessels(ws, imo="9161003") == []
    with pytest.raises(InputError, match="IMO"):
        find_vessels(ws, imo="1234568")
    with pytest.raises(InputError):
        find_vessels(ws)
    assert designations_of(ws, "ofac-17069") == ["ofac-17069-sanction"]
    with pytest.raises(InputError):
        ids_by_value(ws, "notes", ["x"])


def test_find_vessels_by_imo_in_followthemoney_form(ws: Workspace, tmp_path: Path) -> None:
    """OpenSanctions (FtM JSON) keeps the IMO number as "IMO9123453"; lookups by the number find it."""
    import json

    path = tmp_path / "os.ftm.json"
    vessels = [
        {"id": "os-v", "schema": "Vessel", "properties": {"name": ["SIM PINE"], "imoNumber": ["IMO9123453"]}},
        {"id": "os-w", "schema": "Vessel", "properties": {"name": ["SIM OAK"], "imoNumber": ["IMO 9074729"]}},
    ]
    path.write_text("".join(json.dumps(v) + "\n" for v in vessels), encoding="utf-8")
    import_list(ws, path, format="ftm", dataset="os", list_date=date(2024, 3, 1))
    assert [v.entity_id for v in find_vessels(ws, imo="9123453")] == ["os-v"]
    assert [v.entity_id for v in find_vessels(ws, imo="IMO 9123453")] == ["os-v"]
    assert [v.entity_id for v in find_vessels(ws, imo="9074729")] == ["os-w"]


def test_ofac_delisting_with_list_dates(ws: Workspace, tmp_path: Path) -> None:
    import_list(ws, write_ofac(tmp_path / "a"), list_date=date(2021, 7, 1))
    without_vessel = "".join(line + "\n" for line in OFAC_SDN.splitlines() if not line.startswith("17069,"))
    second = import_list(ws, write_ofac(tmp_path / "b", sdn=without_vessel), list_date=date(2022, 1, 1))
    assert second.delisted == 1 and second.listed == 0
    (view,) = find_vessels(ws, imo="7937317")
    assert view.listings[0].status == "delisted"
    assert view.listings[0].delisted_on == date(2022, 1, 1)
    (then,) = find_vessels(ws, imo="7937317", as_of=date(2021, 12, 31))
    assert then.listings[0].status == "listed"
    names_now = {e.id for e in list_entities(ws, schema="Vessel")}
    assert names_now == {"ofac-15001"}
    assert {e.id for e in list_entities(ws, query="chong chon", as_of=date(2021, 8, 1))} == {"ofac-17069"}


def test_user_csv_import_and_out_of_order_snapshot(ws: Workspace, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_text("ref,name\nA,ALPHA TRADING\n", encoding="utf-8")
    old = tmp_path / "old.csv"
    old.write_text("ref,name\nA,ALPHA TRADING\nB,BETA LLC\n", encoding="utf-8")
    kw = {"format": "csv", "dataset": "watch", "mapping": "id=ref,name=name"}
    import_list(ws, new, list_date=date(2024, 6, 1), **kw)
    import_list(ws, old, list_date=date(2024, 1, 1), **kw)  # an older edition imported later
    alpha = entity_at(ws, "watch-A")
    (name,) = [s for s in alpha.statements if s["prop"] == "name"]
    assert (name["first_seen"], name["last_seen"]) == ("2024-01-01", "2024-06-01")
    beta = entity_at(ws, "watch-B").listings[0]
    assert beta.status == "delisted" and beta.delisted_on == date(2024, 6, 1)
    (run,) = [r for r in ws.list_runs(tool="entities.import") if r.summary.get("list_date") == "2024-01-01"]
    assert run.summary["date_source"] == "option"
