"""``armswatch ais``: AIS ingest, vessel identity and maritime events."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli import ais_events, ais_ingest, ais_listen, ais_voyages
from armswatch.cli.common import (
    AnalystOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    format_from_output,
    open_workspace,
    say,
)
from armswatch.errors import InputError

DEFAULT_THRESHOLD = 0.7
"""= ``armswatch.matching.score.DEFAULT_THRESHOLD`` (kept here so ``--help`` does not import the
matcher and FollowTheMoney; tests/joins checks they agree)."""

app = typer.Typer(
    help=(
        "AIS: ingest NMEA and CSV feeds into Parquet, vessel identity, and maritime events "
        "(port calls, gaps, encounters, loitering, spoofing).\n\nExample: armswatch ais ingest feed.nmea"
    ),
    no_args_is_help=True,
)
ais_ingest.register(app)
ais_events.register(app)
ais_voyages.register(app)
ais_listen.register(app)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ais")


MATCH_COLUMNS = (
    "mmsi",
    "vessel",
    "listed",
    "dataset",
    "status",
    "score",
    "confidence",
    "agreed",
    "disagreed",
)


@app.command("screen")
def screen(
    threshold: Annotated[
        float, typer.Option(help="Match score needed to report a vessel as listed or possibly listed (0-1).")
    ] = DEFAULT_THRESHOLD,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Matches as table, json or csv (default: from -o, else table)."),
    ] = None,
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Screen every vessel seen in AIS against the workspace's sanctions lists and turn each listed (or
    possibly listed) vessel's maritime findings (dark port calls, gaps, encounters, loitering,
    shuttles, identity findings) into findings with the designation as evidence.

    A vessel is "listed" on an exact IMO, an exact MMSI of the listing, or a name corroborated by
    another attribute (call sign, flag, type, size, another name); a name alone is only "possible"
    (lower confidence, never score 1.0). The matches are printed with the attributes that agreed and
    disagreed, or written with -o matches.csv / matches.json.

    Example: armswatch ais screen --threshold 0.8 -o matches.csv
    """
    from armswatch.joins.designated_vessel import screen_ais_vessels

    out_fmt = format_from_output(output, fmt)
    if out_fmt not in ("table", "json", "csv"):
        raise InputError(f"--format must be table, json or csv (got {out_fmt!r})")
    with open_workspace(workspace, analyst) as ws:
        summary = screen_ais_vessels(ws, threshold)
    rows = summary["matches"]
    if rows or out_fmt != "table":
        emit(
            rows,
            fmt=out_fmt,
            output=output,
            columns=list(MATCH_COLUMNS),
            title="AIS vessels x listed vessels",
        )
    say(
        f"{summary['vessels screened']} vessels screened: {summary['listed matches']} listed, "
        f"{summary['possible matches']} possible (name only); {summary['findings']} findings",
        quiet,
    )
