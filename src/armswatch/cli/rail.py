"""``armswatch rail``: rail movements at watched crossings and yards (wagon counts over time)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import (
    AnalystOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    check_format,
    emit,
    format_from_output,
    open_workspace,
    say,
)
from armswatch.errors import MissingFileError

app = typer.Typer(
    help=(
        "Rail movements at watched crossings and yards: wagons observed or counted on imagery, as a "
        "series linked to shipments.\n\nExample: armswatch rail observe --site tumangang-rail-station "
        "--time 2023-10-05 --wagons 73 --source 'CSIS Beyond Parallel'"
    ),
    no_args_is_help=True,
)


@app.command("observe")
def observe(
    site: Annotated[str, typer.Option(help="Site id of the crossing or yard.")],
    time: Annotated[str, typer.Option("--time", help="When: YYYY-MM-DD or ISO 8601 UTC.")],
    wagons: Annotated[str, typer.Option(help="Number of wagons seen (0-10000).")],
    direction: Annotated[
        str | None, typer.Option(help="Short word, e.g. to_russia, to_dprk, parked, unknown.")
    ] = None,
    source: Annotated[str, typer.Option(help="Who saw it: an image, a report, an analyst.")] = "",
    note: Annotated[str, typer.Option(help="Free text.")] = "",
    link: Annotated[
        list[str] | None, typer.Option(help="Finding (shipment) or artifact (evidence) id; repeatable.")
    ] = None,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Record wagons seen at a crossing or yard (stored, audited and sealed).

    Example: armswatch rail observe --site tumangang-rail-station --time 2023-10-05 --wagons 73 --source "CSIS"
    """
    from armswatch.rail.movement import movement
    from armswatch.rail.store import save_movements

    m = movement(site, time, wagons, direction, source, note, tuple(link or ()))
    with open_workspace(workspace, analyst) as ws:
        counts = save_movements(ws, [m])
    say(
        f"{'added' if counts['added'] else 'already recorded'}: {m.id} ({m.wagons} wagons at {m.site_id})",
        quiet,
    )


@app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(help="CSV: site,time,wagons[,direction,source,note,links]; links separated by |."),
    ],
    strict: Annotated[bool, typer.Option(help="Stop at the first bad row; import nothing.")] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import rail movements from CSV. Bad rows are counted by reason and skipped unless --strict;
    an unknown site or link stops the import (nothing is stored).

    Example: armswatch rail import tumangang.csv
    """
    from armswatch.rail.movement import MAX_BYTES, read_movements_csv
    from armswatch.rail.store import save_movements

    if not path.is_file():
        raise MissingFileError("rail movements file not found", path=str(path))
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    read = read_movements_csv(data, str(path), strict=strict)
    for reason, count in read.bad.items():
        say(f"{path}: {count} bad rows ({reason}; first at line {read.first_bad[reason]})", quiet)
    with open_workspace(workspace, analyst) as ws:
        counts = save_movements(ws, read.movements, str(path))
    say(
        f"{counts['added']} added, {counts['unchanged']} already stored ({sum(read.bad.values())} bad rows)",
        quiet,
    )


@app.command("series")
def series(
    site: Annotated[str, typer.Option(help="Site id of the crossing or yard.")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="table, csv or json (default: from -o, else table).")
    ] = None,
    output: OutputOpt = "-",
    svg: Annotated[Path | None, typer.Option(help="Also write the series chart as SVG.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The wagon series of a site, oldest first: analyst observations and imagery wagon counts
    (imagery.count findings of railcar-sized objects), each with its origin and links.

    Example: armswatch rail series --site tumangang-rail-station --format csv -o tumangang.csv
    """
    from armswatch.io.atomic import write_text_atomic
    from armswatch.rail.series import COLUMNS, rail_series, series_chart

    out_fmt = check_format(format_from_output(output, fmt), ("table", "csv", "json"))
    with open_workspace(workspace) as ws:
        rows = rail_series(ws, site)
    if svg is not None:
        write_text_atomic(svg, series_chart(rows, f"Wagons at {site}"))
    emit(rows, fmt=out_fmt, output=output, columns=list(COLUMNS), title=f"Rail movements at {site}")


@app.command("link")
def link_cmd(
    movement_id: Annotated[str, typer.Argument(help="Rail movement id (see 'rail series').")],
    to: Annotated[list[str], typer.Option("--to", help="Finding or artifact id; repeatable.")],
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Link a rail movement to shipments (findings) or evidence (artifacts); audited.

    Example: armswatch rail link rail-0123abcd --to fnd-4567
    """
    from armswatch.rail.store import link_movement

    with open_workspace(workspace, analyst) as ws:
        m = link_movement(ws, movement_id, to)
    say(f"{m.id} linked to {', '.join(m.links)}", quiet)
