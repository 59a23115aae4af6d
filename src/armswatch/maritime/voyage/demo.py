"""Demo part: dark voyages in the demo workspace, and the published rail counts at Tumangang–Khasan.

The demo's AIS is SIMULATED (:mod:`armswatch.maritime.demo`): SIM PINE HARBOUR goes dark at sea and
makes an unreported call at Rajin. The demo records a SIMULATED analyst sighting of it at Rajin
(the note says so) and reconstructs the voyages, so the report shows a *likely* dark voyage with its
ellipse. The rail observations are the public counts of the fact base (CSIS Beyond Parallel),
entered as observations with their source.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from armswatch.errors import NotFoundError

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

#: (site, day, wagons, source, note): published counts (docs/rail.md)
RAIL_COUNTS = (
    ("tumangang-rail-station", "2023-10-05", 73, "CSIS Beyond Parallel, Oct 2023", "about 73 freight railcars"),
    ("tumangang-rail-station", "2024-06-17", 255, "CSIS Beyond Parallel, Jun 2024",
     "175 ore + 14 box + 66 tank cars (and 6 locomotives)"),
    ("khasan-station", "2024-06-17", 149, "CSIS Beyond Parallel, Jun 2024", "112 ore + 4 box + 33 tank cars"),
)  # fmt: skip


def build_demo(ws: Workspace) -> None:
    from armswatch.maritime.demo import START
    from armswatch.maritime.voyage.record import add_sighting
    from armswatch.maritime.voyage.run import analyse_voyages
    from armswatch.rail.movement import movement
    from armswatch.rail.store import save_movements

    try:
        ws.get_site("rajin-port")
    except NotFoundError:
        return
    add_sighting(
        ws,
        "999100002",
        "rajin-port",
        START + timedelta(hours=20),
        note="SIMULATED sighting for the demo: SIM PINE HARBOUR alongside at Rajin",
    )
    analyse_voyages(ws)
    known = {s.id for s in ws.list_sites()}
    save_movements(
        ws,
        [movement(site, day, n, None, src, note) for site, day, n, src, note in RAIL_COUNTS if site in known],
    )
