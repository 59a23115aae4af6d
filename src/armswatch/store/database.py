"""Opening a workspace database and migrating it with Alembic.

SQLite (a file in the workspace, no server) is the default; a PostgreSQL URL works the same way.
Opening a database written by an older armswatch upgrades it; one written by a newer armswatch
(a schema revision this code does not know) is refused with a clear message.
"""

from __future__ import annotations

import ast
import os
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from armswatch.errors import WorkspaceError

if TYPE_CHECKING:  # Alembic is imported only when a database is created or upgraded
    from alembic.config import Config


def _script_location() -> str:
    return str(resources.files("armswatch.store") / "migrations")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    return cfg


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def ancestors(revisions: set[str]) -> set[str]:
    """The given revisions and every revision they build on."""
    graph = declared_graph()
    if graph is not None and revisions <= set(graph):
        found: set[str] = set()
        todo = list(revisions)
        while todo:
            rev = todo.pop()
            if rev not in found:
                found.add(rev)
                todo.extend(graph.get(rev, ()))
        return found
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    out: set[str] = set()
    for rev in revisions:
        if rev in known_revisions():
            out.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return out


BUSY_TIMEOUT_MS = 60000


def busy_timeout_ms() -> int:
    """How long a writer waits for SQLite's write lock (``ARMSWATCH_BUSY_TIMEOUT_MS``, default 60 s)."""
    raw = os.environ.get("ARMSWATCH_BUSY_TIMEOUT_MS", "")
    return int(raw) if (raw.isascii() and raw.isdigit() and len(raw) <= 9) else BUSY_TIMEOUT_MS


def busy_error(exc: BaseException) -> WorkspaceError | None:
    """The clear error for a database whose write lock stayed taken past the timeout, else None."""
    text_ = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text_ or "database is busy" in text_:
        return WorkspaceError(
            f"the database is busy: another armswatch process held its write lock for more than "
            f"{busy_timeout_ms() / 1000:g} s; retry when it has finished (ARMSWATCH_BUSY_TIMEOUT_MS waits longer)"
        )
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
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
    """Revisions stored in the database's ``alembic_version`` table (empty for a new database)."""
    return _stored_revisions(engine) or set()


_DECLARED = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.M)


def declared_graph() -> dict[str, tuple[str, ...]] | None:
    """revision -> the revisions it builds on, read from the migration files' text without
    importing them (or Alembic); None when a file does not declare them as plain literals."""
    graph: dict[str, tuple[str, ...]] = {}
    folder = resources.files("armswatch.store") / "migrations" / "versions"
    for item in folder.iterdir():
        if not item.name.endswith(".py") or item.name.startswith("_"):
            continue
        found = {m[1]: m[2] for m in _DECLARED.finditer(item.read_text(encoding="utf-8"))}
        try:
            rev = ast.literal_eval(found["revision"].split("#")[0].strip())
            down = ast.literal_eval(found["down_revision"].split("#")[0].strip())
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(rev, str):
            return None
        downs = down if isinstance(down, (tuple, list)) else [down]
        graph[rev] = tuple(d for d in downs if isinstance(d, str))
    return graph or None


def declared_heads() -> set[str] | None:
    """Head revisions per :func:`declared_graph` (None when it cannot be read)."""
    graph = declared_graph()
    if graph is None:
        return None
    return set(graph) - {d for downs in graph.values() for d in downs}


def _stored_revisions(engine: Engine) -> set[str] | None:
    try:
        with engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:
        return None


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (default: the newest this armswatch knows)."""
    if revision == "heads":
        heads = declared_heads()
        if heads is not None and _stored_revisions(engine) == heads:
            return  # already current: opening a workspace does not load Alembic
    current = current_revisions(engine)
    unknown = current - known_revisions()
    if unknown:
        raise WorkspaceError(
            f"workspace database is at schema revision {', '.join(sorted(unknown))}, which this "
            "armswatch does not know: it was written by a newer armswatch; upgrade armswatch to open it"
        )
    if revision == "heads" and current == head_revisions():
        return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
