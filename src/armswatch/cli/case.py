"""``armswatch case``: a whole case in one zip file, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import AnalystOpt, WorkspaceOpt, open_workspace, say

app = typer.Typer(
    help="Move a whole case: export it to one zip, import it elsewhere.\n\n"
    "Example: armswatch case export -o case.zip && armswatch case import case.zip ../copy",
    no_args_is_help=True,
)


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the case (database as JSON lines, blobs, Parquet tables, audit chain, head, manifest).

    The case is verified first: a tampered case is not exported (exit 3).

    Example: armswatch case export -o rajin-2024.zip
    """
    from armswatch.case.export import export_case

    with open_workspace(workspace) as ws:
        manifest = export_case(ws, output)
    say(f"exported {manifest.files} files, {manifest.rows} records to {output}")


@app.command("import")
def import_(
    archive: Annotated[Path, typer.Argument(help="A zip written by 'armswatch case export'.")],
    folder: Annotated[Path, typer.Argument(help="Folder for the new workspace (must not be one).")],
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="SQLAlchemy URL of an empty database (default: SQLite in the folder)."
        ),
    ] = None,
    analyst: AnalystOpt = None,
) -> None:
    """Check the zip completely (paths, sizes, hashes, chain) and only then create the workspace.

    Example: armswatch case import rajin-2024.zip ~/cases/rajin-copy
    """
    from armswatch.case.load import import_case

    ws = import_case(archive, folder, database_url=database_url, analyst=analyst)
    say(f"imported case {ws.name!r} into {ws.root}; 'armswatch verify' passes")
    ws.close()


_ = open_workspace
