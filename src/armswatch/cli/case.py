"""``armswatch case``: a whole case in one zip file, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import AnalystOpt, QuietOpt, WorkspaceOpt, open_workspace, progress_for, say

app = typer.Typer(
    help="Move a whole case: export it to one zip, import it elsewhere.\n\n"
    "Example: armswatch case export -o case.zip && armswatch case import case.zip ../copy",
    no_args_is_help=True,
)


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write the case (database as JSON lines, blobs, Parquet tables, audit chain, head, manifest).

    The case is verified first: a tampered case is not exported (exit 3).

    Example: armswatch case export -o rajin-2024.zip
    """
    from armswatch.case.export import export_case

    with open_workspace(workspace) as ws, progress_for(quiet) as bar:
        manifest = export_case(ws, output, progress=bar)
    say(f"exported {manifest.files} files, {manifest.rows} records to {output}", quiet)


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
    quiet: QuietOpt = False,
) -> None:
    """Check the zip completely (paths, sizes, hashes, chain) and only then create the workspace.

    Example: armswatch case import rajin-2024.zip ~/cases/rajin-copy
    """
    from armswatch.case.load import import_case

    with progress_for(quiet) as bar:
        ws = import_case(archive, folder, database_url=database_url, analyst=analyst, progress=bar)
    say(f"imported case {ws.name!r} into {ws.root}; 'armswatch verify' passes", quiet)
    ws.close()


_ = open_workspace
