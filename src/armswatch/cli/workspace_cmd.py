"""``armswatch init``, ``armswatch join`` and ``armswatch info``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    QuietOpt,
    WorkspaceOpt,
    check_format,
    open_workspace,
    say,
    show_record,
)
from armswatch.workspace import Workspace

DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ARMSWATCH_DATABASE_URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in the folder).",
    ),
]
BlobsOpt = Annotated[
    str | None,
    typer.Option(
        "--blobs",
        help="Shared case store every analyst sees: a mounted folder (blobs and Parquet tables) or "
        "s3://bucket/prefix (blobs; credentials and endpoint from the environment or AWS config).",
    ),
]


def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")],
    name: Annotated[str | None, typer.Option(help="Case name (default: the folder name).")] = None,
    database_url: DatabaseUrlOpt = None,
    blobs: BlobsOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create a case workspace: armswatch.toml, database, blob store and Parquet tables folder.

    A database that already holds a case is refused: join it with 'armswatch join'. On PostgreSQL
    the database records the case store (--blobs, default: this folder) so every client can check it.

    Example: armswatch init ~/cases/rajin-2024 --name "Rajin shuttles 2024"
    """
    ws = Workspace.init(folder, name=name, database_url=database_url, analyst=analyst, blobs=blobs)
    say(f"created workspace {ws.name!r} in {ws.root}", quiet)
    ws.close()


def join(
    folder: Annotated[
        Path, typer.Argument(help="Folder for this client's workspace file (created if missing).")
    ],
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            envvar="ARMSWATCH_DATABASE_URL",
            help="The shared case's database, e.g. postgresql+psycopg://user@host/db.",
        ),
    ],
    blobs: BlobsOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Join a case that lives in a shared database: write a local armswatch.toml pointing at it.

    The case store defaults to the one the database names; --blobs gives this client's own path to
    it (another mount point). Refused, leaving nothing behind, unless this client sees that store.

    Example: armswatch join --database-url postgresql+psycopg://analyst@db/rajin --blobs /mnt/cases/rajin ~/cases/rajin
    """
    ws = Workspace.join(folder, database_url=database_url, blobs=blobs, analyst=analyst)
    say(f"joined case {ws.name!r} in {ws.root} (case store {ws.blobs.location})", quiet)
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
            "blob store": ws.blobs.location,
        }
        record.update(ws.counts())
        problems = ws.verify_audit()
        record["audit chain"] = (
            "intact" if not problems else f"{len(problems)} problem(s): run 'armswatch audit verify'"
        )
    show_record(record, fmt)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("join")(join)
    app.command("info")(info)
