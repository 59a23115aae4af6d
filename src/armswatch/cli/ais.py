"""``armswatch ais``: AIS ingest, vessel identity and maritime events."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli import ais_events, ais_ingest
from armswatch.cli.common import AnalystOpt, WorkspaceOpt, open_workspace, say
from armswatch.matching.score import DEFAULT_THRESHOLD

app = typer.Typer(
    help=(
        "AIS: ingest NMEA and CSV feeds into Parquet, vessel identity, and maritime events "
        "(port calls, gaps, encounters, loitering, spoofing).\n\nExample: armswatch ais ingest feed.nmea"
    ),
    no_args_is_help=True,
)
ais_ingest.register(app)
ais_events.register(app)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ais")


@app.command("screen")
def screen(
    threshold: Annotated[
        float, typer.Option(help="Match score needed to call a vessel the listed one (0-1).")
    ] = DEFAULT_THRESHOLD,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Screen every vessel seen in AIS against the workspace's sanctions lists (IMO, MMSI, name) and turn
    each designated vessel's maritime findings (dark port calls, gaps, encounters, loitering, shuttles,
    identity findings) into findings with the designation as evidence.

    Example: armswatch ais screen --threshold 0.8
    """
    from armswatch.joins.designated_vessel import screen_ais_vessels

    with open_workspace(workspace, analyst) as ws:
        summary = screen_ais_vessels(ws, threshold)
    say(
        f"{summary['vessels screened']} vessels screened, {summary['vessel matches']} matched a listed vessel, "
        f"{summary['findings']} findings"
    )
