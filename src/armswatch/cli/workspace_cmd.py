"""``armswatch init`` and ``armswatch info``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    WorkspaceOpt,
    check_format,
    open_workspace,
    say,
    show_record,
)
from armswatch.workspace import Workspace


def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")],
    name: Annotated[str | None, typer.Option(help="Case name (default: the folder name).")] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="ARMSWATCH_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in the folder).",
        ),
    ] = None,
    analyst: AnalystOpt = None,
) -> None:
    """Create a case workspace: armswatch.toml, database, blob store and Parquet tables folder.

    Example: armswatch init ~/cases/rajin-2024 --name "Rajin shuttles 2024"
    """
    ws = Workspace.init(folder, name=name, database_url=database_url, analyst=analyst)
    say(f"created workspace {ws.name!r} in {ws.root}")
    ws.close()


def info(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """Show the workspace: where it is, its database and what it holds.

    Example: armswatch info --format json
    """
    check_format(fmt, ("table", "json"))
    with open_workspace(workspace) as ws:
        record: dict[str, object] = {
            "name": ws.name,
            "root": str(ws.root.resolve()),
            "database": ws.engine.url.render_as_string(hide_password=True),
        }
        record.update(ws.counts())
        problems = ws.verify_audit()
        record["audit chain"] = (
            "intact" if not problems else f"{len(problems)} problem(s): run 'armswatch audit verify'"
        )
    show_record(record, fmt)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("info")(info)
