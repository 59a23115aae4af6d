"""``armswatch export case``: the whole case for QGIS, Aleph, threat-intelligence platforms and graph tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import QuietOpt, WorkspaceOpt, open_workspace, say

SUFFIXES = {".gpkg": "gpkg", ".ftm": "ftm", ".jsonl": "ftm", ".json": "stix", ".csv": "links"}


def export_case(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write (case.gpkg, case.ftm.jsonl, …).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="gpkg, ftm, stix or links (default: from the extension)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Export the case as GeoPackage (QGIS), FollowTheMoney JSON lines, a STIX 2.1 bundle or a link CSV.

    GeoPackage layers: sites, findings, events (the latest detection run) and tracks (one line per vessel).

    Example: armswatch export case --format gpkg -o case.gpkg
    """
    from armswatch.errors import InputError
    from armswatch.export.case import write_case

    chosen = (fmt or SUFFIXES.get(output.suffix.lower(), "")).lower()
    if not chosen:
        raise InputError(f"cannot tell the format of {output.name}; use --format gpkg, ftm, stix or links")
    with open_workspace(workspace) as ws:
        counts = write_case(ws, chosen, output.expanduser())
    written = ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"
    say(f"{output} ({chosen}): {written}", quiet)
