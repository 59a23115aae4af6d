from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, text

from armswatch.config import DEFAULT_DB_URL, WorkspaceConfig, resolve_database_url, write_config
from armswatch.errors import WorkspaceError
from armswatch.store import database
from armswatch.workspace import Workspace


def _old_workspace(root: Path) -> str:
    """A workspace whose database stopped at the first schema revision, holding one source."""
    root.mkdir()
    write_config(
        root, WorkspaceConfig(name="old", created="2024-01-01T00:00:00+00:00", database_url=DEFAULT_DB_URL)
    )
    url = resolve_database_url(root, DEFAULT_DB_URL)
    engine = database.make_engine(url)
    database.migrate(engine, "0001_initial")
    with engine.begin() as conn:
        conn.execute(
            insert(database_schema().source).values(
                id="rusi", name="RUSI", reliability="B", created_at="2024-01-01T00:00:00+00:00"
            )
        )
    engine.dispose()
    return url


def database_schema():  # type: ignore[no-untyped-def]
    from armswatch.store import schema

    return schema


def test_opening_an_older_workspace_upgrades_it(tmp_path: Path) -> None:
    root = tmp_path / "old"
    url = _old_workspace(root)
    engine = database.make_engine(url)
    assert database.current_revisions(engine) == {"0001_initial"}
    engine.dispose()
    with Workspace.open(root) as ws:
        assert database.current_revisions(ws.engine) == database.head_revisions()
        assert [s.id for s in ws.list_sources()] == ["rusi"]


def test_a_newer_workspace_is_refused(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "new") as ws, ws.transaction() as conn:
        conn.execute(text("DELETE FROM alembic_version"))  # several heads: one row each
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999_future')"))
    with pytest.raises(WorkspaceError, match="newer armswatch"):
        Workspace.open(tmp_path / "new")


def test_every_head_migration_matches_the_tables(ws: Workspace) -> None:
    """The migrations create exactly the tables the code declares (in every package's schema module)."""
    import pkgutil
    from importlib import import_module

    from sqlalchemy import inspect

    import armswatch
    from armswatch.store.schema import metadata

    for mod in pkgutil.walk_packages(armswatch.__path__, "armswatch."):
        if mod.name.endswith(".schema"):
            import_module(mod.name)

    tables = set(inspect(ws.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(metadata.tables)


def test_sqlite_path_outside_workspace_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        resolve_database_url(tmp_path, "sqlite:///../elsewhere.db")


def test_discovery_walks_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.init(tmp_path / "case").close()
    deep = tmp_path / "case" / "notes" / "2024"
    deep.mkdir(parents=True)
    monkeypatch.delenv("ARMSWATCH_WORKSPACE", raising=False)
    monkeypatch.chdir(deep)
    with Workspace.open() as ws:
        assert ws.root.resolve() == (tmp_path / "case").resolve()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open()
