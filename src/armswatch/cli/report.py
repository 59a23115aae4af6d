"""``armswatch report``, ``armswatch export`` and ``armswatch demo``."""

from __future__ import annotations

from datetime import datetime
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
    progress,
    progress_for,
    say,
)
from armswatch.cli.export_case import export_case
from armswatch.io.atomic import write_text_atomic

export_app = typer.Typer(
    help="Export workspace content for QGIS, Google Earth and spreadsheets.\n\nExample: armswatch export findings -o findings.geojson",
    no_args_is_help=True,
)


DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def report(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write: .html, or .pdf (same content, via WeasyPrint)."),
    ] = Path("report.html"),
    title: Annotated[str | None, typer.Option(help="Report title (default: the case name).")] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Findings to publish: confirmed, new or all (= new and confirmed, the default); "
            "repeat or comma-separate. Rejected findings are never shown as results.",
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only findings of this kind (prefix, e.g. ais); repeatable."),
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site", help="Only findings about this site id (and only its row and map); repeatable."
        ),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--from", formats=DATE_FORMATS, help="Only findings whose time span reaches this date (UTC)."
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            "--to", formats=DATE_FORMATS, help="Only findings that start by this date (inclusive, UTC)."
        ),
    ] = None,
    appendix: Annotated[
        bool,
        typer.Option(
            "--appendix",
            "--include-rejected",
            help="List rejected findings (same filters) in a review appendix: not on the map or in charts.",
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Render the workspace's findings, sites and provenance as one self-contained, offline HTML file.

    By default the report shows new and confirmed findings; --status confirmed gives a report to
    publish. Findings without a time span (list matches) are kept by --from/--to.

    Example: armswatch report --status confirmed --kind imagery --from 2024-01-01 -o report.html
    """
    from armswatch.report.build import build_report
    from armswatch.report.scope import Selection

    selection = Selection.from_options(status, kind, site, since, until, appendix)
    with progress(quiet) as bar:
        task = bar.add_task("report", total=3)
        with open_workspace(workspace) as ws:
            bar.update(task, description="report: gathering findings and sections")
            html = build_report(ws, title=title, selection=selection, on_step=lambda: bar.advance(task))
        bar.update(task, description="report: writing")
        if output.suffix.lower() == ".pdf":
            from armswatch.dossier.pdf import html_to_pdf
            from armswatch.io.atomic import write_bytes_atomic

            write_bytes_atomic(output.expanduser(), html_to_pdf(html))
        else:
            write_text_atomic(output.expanduser(), html)
        bar.advance(task)
    say(f"report written: {output.expanduser().resolve()} ({selection.describe()})", quiet)
    if '<article class="card ' not in html:  # no finding card in our own template's output
        say("the report has no findings: widen --status, --kind, --site or --from/--to", quiet)


@export_app.command("findings")
def export_findings(
    output: OutputOpt = "-",
    fmt: GeoFormatOpt = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (prefix).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Export findings with their provenance (run, parameters, input hashes) as GeoJSON, CSV, KML or GeoPackage.

    Example: armswatch export findings -o findings.geojson
    """
    from armswatch.report.build import export_findings_text

    if output.lower().endswith(".gpkg") or (fmt or "").lower() == "gpkg":
        from armswatch.export.case import write_findings_gpkg

        with open_workspace(workspace) as ws:
            count = write_findings_gpkg(ws, Path(output).expanduser(), kind=kind, status=status)
        say(f"{count} findings written to {Path(output).expanduser()} (GeoPackage layer 'findings')", quiet)
        return
    chosen = geo_file_format(output, fmt, writing=True)
    with open_workspace(workspace) as ws:
        text = export_findings_text(ws, chosen, kind=kind, status=status)
    if output == "-":
        typer.echo(text, nl=False)
    else:
        write_text_atomic(Path(output).expanduser(), text)
        say(f"findings written to {Path(output).expanduser()} ({chosen})", quiet)


export_app.command("case")(export_case)


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

    with progress_for(quiet) as bar:
        report_path = build_demo(folder, report=output, analyst=analyst, progress=bar)
    typer.echo(str(report_path.resolve()))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("demo")(demo)
    app.add_typer(export_app, name="export")
