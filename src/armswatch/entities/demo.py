"""Demo part: the bundled UN/OFAC DPRK extract plus a few SIMULATED ownership links.

The extract (``entities/data``, see ``ORIGIN.txt``) is public list data. The simulated dataset
``armswatch_demo_simulated`` holds fictional companies, a fictional vessel and a fictional person
(every name ends in "(SIMULATED)") and links one fictional company, as ship manager, to the real
OFAC-listed tanker CHON MA SAN (IMO 8660313) so the graph and the paths to designated entities
show something. That link is invented for the demo; its artifact is stored with ``simulated=True``.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from armswatch.entities.ingest import import_list
from armswatch.workspace import Workspace

SIM_DATASET = "armswatch_demo_simulated"
SIM_DATE = date(2026, 3, 1)
OFAC_DATE = date(2021, 7, 1)  # the extract is "as of July 2021"; the day is not recorded
SIM_NOTE = "SIMULATED demo data: fictional entity or link, not a finding."
REAL_VESSEL = "ofac-23729"  # CHON MA SAN, OFAC SDN (DPRK), IMO 8660313


def _entity(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    properties.setdefault("notes", [SIM_NOTE])
    if schema in ("Ownership", "Directorship", "UnknownLink"):
        properties.setdefault("description", [SIM_NOTE])
        properties.pop("notes")
    return {"id": entity_id, "schema": schema, "properties": properties, "datasets": [SIM_DATASET]}


def simulated_entities() -> list[dict[str, Any]]:
    """The fictional entities and links (FtM dicts)."""
    lantern, northern, vessel, person = "sim-lantern", "sim-northern", "sim-vessel-pioneer", "sim-person-a"
    return [
        _entity(lantern, "Company", name="Lantern Harbour Shipping Ltd (SIMULATED)"),
        _entity(northern, "Company", name="Northern Tide Freight LLC (SIMULATED)"),
        _entity(vessel, "Vessel", name="PIONEER STAR (SIMULATED)", type="General Cargo"),
        _entity(person, "Person", name="Demo Person A (SIMULATED)"),
        _entity(
            "sim-own-1", "Ownership", owner=lantern, asset=vessel, percentage="100", role="registered owner"
        ),
        _entity("sim-own-2", "Ownership", owner=lantern, asset=northern, percentage="60", role="shareholder"),
        _entity("sim-dir-1", "Directorship", director=person, organization=northern, role="director"),
        _entity(
            "sim-link-1", "UnknownLink", subject=lantern, object=REAL_VESSEL, role="ship manager (simulated)"
        ),
    ]


def _data_file(name: str) -> Path:
    return Path(str(resources.files("armswatch.entities") / "data" / name))


def build_demo(ws: Workspace) -> None:
    """Import the bundled extract and the simulated links into ``ws``."""
    import_list(ws, _data_file("un_sc_dprk_2026-02-27.xml"), format="un-xml")
    import_list(ws, _data_file("ofac_sdn_dprk_2021-07_sdn.csv"), format="ofac-csv", list_date=OFAC_DATE)
    lines = "\n".join(json.dumps(e, ensure_ascii=False, sort_keys=True) for e in simulated_entities()) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "armswatch_demo_simulated_links.ftm.json"
        path.write_text(lines, encoding="utf-8")
        import_list(ws, path, format="ftm", dataset=SIM_DATASET, list_date=SIM_DATE, simulated=True)
