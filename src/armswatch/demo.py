"""``armswatch demo``: a workspace built from bundled data, with its report.

The starter watchlist and the bundled sanctions-list extract are public data; imagery, AIS tracks
and ownership links added by the demo parts are SIMULATED and labelled so in the data and the report.
"""

from __future__ import annotations

from pathlib import Path

from armswatch.io.atomic import write_text_atomic
from armswatch.report.build import build_report
from armswatch.report.registry import demo_parts
from armswatch.sites.starter import load_starter
from armswatch.workspace import Workspace


def build_demo(
    folder: Path, report: Path | None = None, analyst: str | None = None, quiet: bool = True
) -> Path:
    """Create the demo workspace in ``folder`` and return the path of its HTML report."""
    from armswatch.cli.common import say

    ws = Workspace.init(
        folder,
        name="armswatch demo: public watchlist and lists, SIMULATED imagery and AIS",
        analyst=analyst or "armswatch-demo",
    )
    with ws:
        ws.save_sites(load_starter("dprk-russia"))
        say("demo: starter watchlist imported", quiet)
        for part in demo_parts():
            part(ws)
            say(f"demo: {part.__module__} done", quiet)
        target = report or ws.root / "reports" / "demo-report.html"
        write_text_atomic(target, build_report(ws, title="armswatch demo (contains SIMULATED data)"))
    say(f"demo report: {target.resolve()}", quiet)
    return target
