from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from armswatch.entities.history import changes, entities_at, entity_at
from armswatch.entities.ingest import import_list
from armswatch.entities.schema import entity_snapshot, entity_statement
from armswatch.errors import InputError, NotFoundError
from armswatch.workspace import Workspace

from .fixtures import un_xml

KOMID = ("690735", "KPe.001", "KOREA MINING DEVELOPMENT CORP")
TANGUN = ("690736", "KPe.002", "KOREA TANGUN TRADING CORP")
RI = ("6908001", "KPi.001", "Director")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(entity_statement)).scalar_one())


@pytest.fixture
def two_lists(ws: Workspace, tmp_path: Path) -> Workspace:
    # January: Ri (Director) and KOMID. March: Ri promoted, KOMID delisted, Tangun listed.
    old = _write(tmp_path, "un_jan.xml", un_xml("2024-01-15", (RI,), (KOMID,)))
    new = _write(
        tmp_path, "un_mar.xml", un_xml("2024-03-01", (("6908001", "KPi.001", "Minister"),), (TANGUN,))
    )
    first = import_list(ws, old)
    second = import_list(ws, new)
    assert first.list_date == date(2024, 1, 15) and first.date_source == "list"
    assert second.listed == 1 and second.delisted == 1
    return ws


def test_listings_and_delistings_across_snapshots(two_lists: Workspace) -> None:
    (jan, mar) = changes(two_lists, "un_sc")
    assert set(jan.listed) == {"unsc-6908001", "unsc-690735"}
    assert mar.listed == ("unsc-690736",)
    assert mar.delisted == ("unsc-690735",)
    assert mar.previous_date == date(2024, 1, 15)


def test_as_of_answers_what_was_true_then(two_lists: Workspace) -> None:
    before = entity_at(two_lists, "unsc-690735", date(2024, 1, 1))
    assert before.listings[0].status == "not listed" and before.entity is None
    during = entity_at(two_lists, "unsc-690735", date(2024, 2, 10))
    assert during.listings[0].status == "listed"
    assert during.entity is not None and during.entity.get("alias") == ["KOMID"]
    after = entity_at(two_lists, "unsc-690735", date(2024, 3, 12))
    assert after.listings[0].status == "delisted"
    assert after.listings[0].delisted_on == date(2024, 3, 1)
    assert after.entity is not None  # the last listed values are still shown
    ri_then = entity_at(two_lists, "unsc-6908001", date(2024, 2, 1)).entity
    ri_now = entity_at(two_lists, "unsc-6908001").entity
    assert ri_then is not None and ri_now is not None
    assert ri_then.get("position") == ["Director"]
    assert ri_now.get("position") == ["Minister"]
    assert entity_at(two_lists, "unsc-6908001").listings[0].since == date(2024, 1, 15)


def test_statement_first_and_last_seen(two_lists: Workspace) -> None:
    rows = entity_at(two_lists, "unsc-6908001").statements
    names = [r for r in rows if r["prop"] == "name" and r["value"] == "RI JE-SON"]
    assert names[0]["first_seen"] == "2024-01-15" and names[0]["last_seen"] == "2024-03-01"
    assert names[0]["run_id"].startswith("run-") and names[0]["artifact_id"].startswith("sha256:")


def test_entities_at_uses_each_snapshot(two_lists: Workspace) -> None:
    ids_feb = {e.id for e in entities_at(two_lists, date(2024, 2, 1)) if e.schema.name == "Organization"}
    ids_now = {e.id for e in entities_at(two_lists) if e.schema.name == "Organization"}
    assert ids_feb == {"unsc-690735"}
    assert ids_now == {"unsc-690736"}


def test_reimport_same_file_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path, "un.xml", un_xml())
    import_list(ws, path)
    count = _count(ws)
    again = import_list(ws, path)
    assert again.store.already_imported and again.run_id is None
    assert _count(ws) == count
    assert len(ws.list_runs(tool="entities.import")) == 1


def test_malformed_xml_leaves_failed_run_and_no_statements(ws: Workspace, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.xml", un_xml()[:-30])
    with pytest.raises(InputError, match=r"bad\.xml"):
        import_list(ws, bad)
    assert _count(ws) == 0
    with ws.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entity_snapshot)).scalar_one() == 0
    (run,) = ws.list_runs(tool="entities.import")
    assert run.status == "failed"


def test_unknown_entity(ws: Workspace) -> None:
    with pytest.raises(NotFoundError):
        entity_at(ws, "nope")


def test_entities_at_schema_filter_includes_descendants(two_lists: Workspace) -> None:
    legal = {e.schema.name for e in entities_at(two_lists, schema="LegalEntity")}
    assert legal == {"Organization", "Person"}  # Person is a LegalEntity in FtM
    assert {e.schema.name for e in entities_at(two_lists, schema="Organization")} == {"Organization"}
    assert entities_at(two_lists, schema="Vessel") == []


def test_same_date_correction_imported_last_wins(ws: Workspace, tmp_path: Path) -> None:
    first = _write(tmp_path, "a.xml", un_xml("2024-01-15", (RI,), (KOMID,)))
    corrected = _write(tmp_path, "b.xml", un_xml("2024-01-15", (RI,), ()) + "\n")
    import_list(ws, first)
    import_list(ws, corrected)
    assert entity_at(ws, "unsc-690735").listings[0].status == "delisted"
    assert entity_at(ws, "unsc-6908001").listings[0].status == "listed"


def test_report_names_listed_and_delisted(two_lists: Workspace) -> None:
    from armswatch.entities.report import report_section

    section = report_section(two_lists)
    assert section is not None
    assert "1 listed (KOREA TANGUN TRADING CORP), 1 delisted (KOREA MINING DEVELOPMENT CORP)" in section.html


def test_corrected_edition_of_the_same_date_counts_its_delistings(ws: Workspace, tmp_path: Path) -> None:
    """A corrected file with the same list date supersedes the first: what it lacks is delisted."""
    first = _write(tmp_path, "un_a.xml", un_xml("2024-01-15", (RI,), (KOMID,)))
    corrected = _write(tmp_path, "un_b.xml", un_xml("2024-01-15", (RI,), (KOMID, TANGUN)))
    again = _write(tmp_path, "un_c.xml", un_xml("2024-01-15", (RI,), (TANGUN,)))
    import_list(ws, first)
    second = import_list(ws, corrected)
    assert (second.listed, second.delisted) == (1, 0)
    third = import_list(ws, again)
    assert (third.listed, third.delisted) == (0, 1)
    assert entity_at(ws, "unsc-690735").listings[0].status == "delisted"


def test_a_file_with_no_entities_is_refused_and_delists_nothing(ws: Workspace, tmp_path: Path) -> None:
    """An empty or wholly unreadable edition would otherwise silently delist the whole list."""
    import_list(ws, _write(tmp_path, "un_jan.xml", un_xml("2024-01-15", (RI,), (KOMID,))))
    empty = _write(tmp_path, "un_feb.xml", un_xml("2024-02-15", (), ()))
    with pytest.raises(InputError, match="no entities"):
        import_list(ws, empty)
    assert entity_at(ws, "unsc-690735").listings[0].status == "listed"
    assert len(changes(ws, "un_sc")) == 1
