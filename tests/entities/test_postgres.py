"""The import/history path on PostgreSQL too (throwaway cluster from the core backend contract test)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from armswatch.entities.history import changes, entity_at
from armswatch.entities.ingest import import_list
from armswatch.entities.lookup import find_vessels
from armswatch.workspace import Workspace

from .fixtures import un_xml, write_ofac

contract = pytest.importorskip("tests.core.test_backend_contract")
postgres_url = contract.postgres_url


@pytest.fixture
def pg_ws(postgres_url: str, tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.init(
        tmp_path / "case", database_url=contract._fresh_schema_url(postgres_url), analyst="pg"
    )
    yield ws
    ws.close()


def test_import_history_on_postgres(pg_ws: Workspace, tmp_path: Path) -> None:
    jan = tmp_path / "jan.xml"
    jan.write_text(un_xml("2024-01-15"), encoding="utf-8")
    mar = tmp_path / "mar.xml"
    mar.write_text(un_xml("2024-03-01", orgs=()), encoding="utf-8")
    import_list(pg_ws, jan)
    import_list(pg_ws, mar)
    assert import_list(pg_ws, mar).store.already_imported
    assert changes(pg_ws, "un_sc")[1].delisted == ("unsc-690735",)
    assert entity_at(pg_ws, "unsc-690735", date(2024, 3, 12)).listings[0].status == "delisted"
    import_list(pg_ws, write_ofac(tmp_path / "ofac"), list_date=date(2021, 7, 1))
    assert [v.entity_id for v in find_vessels(pg_ws, imo="7937317")] == ["ofac-17069"]
