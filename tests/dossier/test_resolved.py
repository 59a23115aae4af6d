"""A vessel's dossier includes the listings an analyst resolved as the same vessel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from armswatch.dossier.vessel import vessel_dossier
from armswatch.entities.ingest import import_list
from armswatch.entities.resolution import resolve, undo
from armswatch.workspace import Workspace

IMO = "8660313"


def _list(tmp: Path, name: str, entities: list[dict[str, Any]]) -> Path:
    path = tmp / f"{name}.ftm.json"
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    return path


def _vessel(i: str, **props: Any) -> dict[str, Any]:
    return {"id": i, "schema": "Vessel", "properties": {k: [v] for k, v in props.items()}}


def _designations(ws: Workspace) -> str:
    return " ".join(s.text for s in vessel_dossier(ws, IMO).statements if s.section == "designation")


def test_resolved_listing_without_the_imo_joins_the_dossier(ws: Workspace, tmp_path: Path) -> None:
    a = _list(tmp_path, "list-a", [_vessel("a-vessel", name="SUN BONG", imoNumber=IMO)])
    b = _list(tmp_path, "list-b", [_vessel("b-vessel", name="SUN BONG", flag="kp")])  # no IMO on this list
    import_list(ws, a, format="ftm", dataset="list_a", list_date=date(2025, 1, 1))
    import_list(ws, b, format="ftm", dataset="list_b", list_date=date(2025, 2, 1))
    before = _designations(ws)
    assert "(a-vessel) is listed on list_a" in before and "b-vessel" not in before
    resolve(ws, "a-vessel", "b-vessel", same=True, note="same hull, per the panel report")
    joined = _designations(ws)
    assert "(a-vessel) is listed on list_a" in joined and "(b-vessel) is listed on list_b" in joined
    undo(ws, "a-vessel", "b-vessel", note="withdrawn")
    assert "b-vessel" not in _designations(ws)
