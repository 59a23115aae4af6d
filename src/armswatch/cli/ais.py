"""``armswatch ais``: AIS ingest, vessel identity and maritime events."""

from __future__ import annotations

import typer

from armswatch.cli import ais_events, ais_ingest

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
