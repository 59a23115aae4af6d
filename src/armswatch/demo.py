"""``armswatch demo``: a workspace built from bundled data, with its report.

The starter watchlist and the bundled sanctions-list extract are public data; imagery, AIS tracks
and ownership links added by the demo parts are SIMULATED and labelled so in the data and the report.
"""

from __future__ import annotations

from pathlib import Path

from armswatch.io.atomic import write_text_atomic
from armswatch.progress import NO_PROGRESS, Progress
from armswatch.report.build import build_report
from armswatch.report.registry import demo_parts
from armswatch.sites.starter import load_starter
from armswatch.workspace import Workspace


def build_demo(
    folder: Path,
    report: Path | None = None,
    analyst: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> Path:
    """Create the demo workspace in ``folder`` and return the path of its HTML report.

    Progress is one phase, "building the demo", counting the watchlist, each demo part and the report.
    """
    parts = demo_parts()
    ws = Workspace.init(
        folder,
        name="armswatch demo: public watchlist and lists, SIMULATED imagery and AIS",
        analyst=analyst or "armswatch-demo",
    )
    progress.phase("building the demo", total=len(parts) + 2)
    with ws:
        ws.save_sites(load_starter("dprk-russia"))
        progress.advance()
        for part in parts:
            part(ws)
            progress.advance()
        target = report or ws.root / "reports" / "demo-report.html"
        write_text_atomic(target, build_report(ws, title="armswatch demo (contains SIMULATED data)"))
        progress.advance()
    return target
