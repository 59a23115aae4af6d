"""``armswatch dossier``: one vessel's or one facility's whole story, every statement with its provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import QuietOpt, WorkspaceOpt, open_workspace, progress, say

app = typer.Typer(
    help="Vessel and facility dossiers (HTML, PDF, JSON): identity, designations, ownership, movements, "
    "imagery, items and findings, each statement with its evidence and provenance.\n\n"
    "Example: armswatch dossier vessel 8660313 -o chon-ma-san.html",
    no_args_is_help=True,
)
registry_app = typer.Typer(
    help="The ship register (owners, managers, operators over time) imported from CSV.\n\n"
    "Example: armswatch dossier registry import register.csv",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")

DossierOutput = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="File to write: .html (default), .pdf or .json; - for JSON on standard output."
    ),
]
DossierFormat = Annotated[
    str | None, typer.Option("--format", "-f", help="html, pdf or json (default: from the file name).")
]


def _write(dossier: object, output: str, fmt: str | None, quiet: bool) -> None:
    from armswatch.dossier.model import Dossier
    from armswatch.dossier.render import output_format, render
    from armswatch.errors import InputError
    from armswatch.io.atomic import write_bytes_atomic

    assert isinstance(dossier, Dossier)
    chosen = "json" if output == "-" and not fmt else output_format(output, fmt)
    if output == "-":
        if chosen == "pdf":
            raise InputError("a PDF cannot go to standard output; give -o FILE.pdf")
        typer.echo(render(dossier, chosen).decode("utf-8"), nl=False)
        return
    data = render(dossier, chosen)
    write_bytes_atomic(Path(output).expanduser(), data)
    say(
        f"{dossier.title}: {len(dossier.statements)} statements written to {Path(output).expanduser()} ({chosen})",
        quiet,
    )


@app.command("vessel")
def vessel(
    key: Annotated[str, typer.Argument(help="IMO number (7 digits) or MMSI (9 digits).")],
    output: DossierOutput = "dossier.html",
    fmt: DossierFormat = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a vessel's dossier: identity over time (AIS, lists, register), designations, ownership chain to
    designated parties, port calls, gaps, encounters, loitering, identity and spoofing findings, on one
    map and one timeline.

    Example: armswatch dossier vessel 8660313 -o chon-ma-san.pdf
    """
    from armswatch.dossier.vessel import vessel_dossier

    with progress(quiet) as bar:
        bar.add_task("dossier: gathering", total=None)
        with open_workspace(workspace) as ws:
            dossier = vessel_dossier(ws, key)
        _write(dossier, output, fmt, quiet)


@app.command("site")
def site(
    site_id: Annotated[str, typer.Argument(help="Site id from the watchlist (armswatch sites list).")],
    output: DossierOutput = "dossier.html",
    fmt: DossierFormat = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a facility's dossier: location and precision, what sources say it does, imagery time series,
    vessel and rail movements at it and the sites it feeds, munition items traced to it, linked
    entities, findings and their review state.

    Example: armswatch dossier site february-11-plant -o plant.html
    """
    from armswatch.dossier.site import site_dossier

    with progress(quiet) as bar:
        bar.add_task("dossier: gathering", total=None)
        with open_workspace(workspace) as ws:
            dossier = site_dossier(ws, site_id)
        _write(dossier, output, fmt, quiet)


@registry_app.command("import")
def registry_import(
    path: Annotated[
        Path, typer.Argument(help="CSV with columns imo,name,flag,owner,manager,operator,from,to,source.")
    ],
    strict: Annotated[bool, typer.Option(help="Stop at the first bad row; import nothing.")] = False,
    source: Annotated[
        str | None, typer.Option(help="Name of the register the file comes from (a source).")
    ] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import a ship-register CSV (imo, name, flag, owner, manager, operator, from, to, source) as an artifact
    and rows of the vessel register; bad rows are counted by reason.

    Example: armswatch dossier registry import register.csv --source "Equasis extract 2024-05"
    """
    from armswatch.dossier.registry import import_registry

    with open_workspace(workspace) as ws:
        result = import_registry(ws, path, strict=strict, source=source)
    for reason, count in result.bad.items():
        say(f"{path}: {count} bad rows ({reason}; first at line {result.first_bad[reason]})", quiet)
    state = f"{result.added} added" if result.run_id else "already imported, nothing added"
    say(f"{path}: {result.rows} register rows, {state} (artifact {result.artifact_id})", quiet)
