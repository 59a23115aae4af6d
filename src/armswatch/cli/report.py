"""``armswatch report``, ``armswatch export`` and ``armswatch demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import (
    AnalystOpt,
    GeoFormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    geo_file_format,
    open_workspace,
    say,
)
from armswatch.io.atomic import write_text_atomic

export_app = typer.Typer(
    help="Export workspace content for QGIS, Google Earth and spreadsheets.\n\nExample: armswatch export findings -o findings.geojson",
    no_args_is_help=True,
)


def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    title: Annotated[str | None, typer.Option(help="Report title (default: the case name).")] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Render the workspace's findings, sites and provenance as one self-contained, offline HTML file.

    Example: armswatch report -o report.html
    """
    from armswatch.report.build import build_report

    with open_workspace(workspace) as ws:
        html = build_report(ws, title=title)
    write_text_atomic(output, html)
    say(f"report written: {output.resolve()}", quiet)


@export_app.command("findings")
def export_findings(
    output: OutputOpt = "-",
    fmt: GeoFormatOpt = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (prefix).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export findings with their provenance (run, parameters, input hashes) as GeoJSON, CSV or KML.

    Example: armswatch export findings -o findings.geojson
    """
    from armswatch.report.build import export_findings_text

    chosen = geo_file_format(output, fmt, writing=True)
    with open_workspace(workspace) as ws:
        text = export_findings_text(ws, chosen, kind=kind, status=status)
    if output == "-":
        typer.echo(text, nl=False)
    else:
        write_text_atomic(Path(output), text)


def demo(
    folder: Annotated[
        Path, typer.Argument(help="Folder for the demo workspace (must not hold a workspace yet).")
    ] = Path("armswatch-demo"),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Report file (default: FOLDER/reports/demo-report.html)."),
    ] = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Build a demo workspace from bundled data (public lists and SIMULATED imagery and AIS) and write its report.

    Example: armswatch demo /tmp/armswatch-demo
    """
    from armswatch.demo import build_demo

    report_path = build_demo(folder, report=output, analyst=analyst, quiet=quiet)
    typer.echo(str(report_path.resolve()))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("demo")(demo)
    app.add_typer(export_app, name="export")
