"""Opening a workspace database and migrating it with Alembic.

SQLite (a file in the workspace, no server) is the default; a PostgreSQL URL works the same way.
Opening a database written by an older armswatch upgrades it; one written by a newer armswatch
(a schema revision this code does not know) is refused with a clear message.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from armswatch.errors import WorkspaceError


def _script_location() -> str:
    return str(resources.files("armswatch.store") / "migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def ancestors(revisions: set[str]) -> set[str]:
    """The given revisions and every revision they build on."""
    script = ScriptDirectory.from_config(alembic_config())
    out: set[str] = set()
    for rev in revisions:
        if rev in known_revisions():
            out.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return out


BUSY_TIMEOUT_MS = 60000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Write transactions take the write lock at BEGIN (waiting up to the busy timeout), so two
    writers never both read and then collide on the upgrade to a write lock."""
    write = conn.get_execution_options().get("armswatch_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:
        raise WorkspaceError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (default: the newest this armswatch knows)."""
    current = current_revisions(engine)
    unknown = current - known_revisions()
    if unknown:
        raise WorkspaceError(
            f"workspace database is at schema revision {', '.join(sorted(unknown))}, which this "
            "armswatch does not know: it was written by a newer armswatch; upgrade armswatch to open it"
        )
    if revision == "heads" and current == head_revisions():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
