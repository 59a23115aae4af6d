"""Demo part: a SIMULATED designation of one simulated demo ship, then the AIS × sanctions join.

The demo's AIS traffic is simulated, so no real list names its ships. To show the join, this part
imports a one-vessel list in the dataset ``armswatch_demo_simulated_designations`` that "designates"
the simulated ship SIM MORNING STAR (MMSI 999100001); the list file is stored as a simulated artifact,
every name in it says SIMULATED, and the resulting findings are marked simulated.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from armswatch.entities.ingest import import_list
from armswatch.joins.designated_vessel import screen_ais_vessels
from armswatch.workspace import Workspace

DATASET = "armswatch_demo_simulated_designations"
NOTE = "SIMULATED demo designation of a simulated ship; no authority designated this vessel."


def simulated_list() -> list[dict[str, object]]:
    vessel = "sim-designated-morning-star"
    return [
        {
            "id": vessel,
            "schema": "Vessel",
            "datasets": [DATASET],
            "properties": {"name": ["SIM MORNING STAR"], "mmsi": ["999100001"], "notes": [NOTE]},
        },
        {
            "id": "sim-sanction-morning-star",
            "schema": "Sanction",
            "datasets": [DATASET],
            "properties": {
                "entity": [vessel],
                "authority": ["armswatch demo (SIMULATED)"],
                "program": ["SIMULATED demo programme"],
                "summary": [NOTE],
            },
        },
    ]


def build_demo(ws: Workspace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "simulated-designations.ftm.json"
        path.write_text("\n".join(json.dumps(e) for e in simulated_list()) + "\n", encoding="utf-8")
        import_list(ws, path, format="ftm", dataset=DATASET, list_date=date(2026, 1, 1), simulated=True)
    screen_ais_vessels(ws)
