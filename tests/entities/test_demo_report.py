from __future__ import annotations

from armswatch.entities.demo import REAL_VESSEL, SIM_DATASET, build_demo
from armswatch.entities.graph import build_graph, paths_to_designated
from armswatch.entities.history import entities_at, snapshots
from armswatch.entities.lookup import find_vessels
from armswatch.entities.report import report_section
from armswatch.workspace import Workspace


def test_demo_imports_extract_and_simulated_links(ws: Workspace) -> None:
    assert report_section(ws) is None  # nothing imported yet
    build_demo(ws)
    datasets = {s.dataset: s for s in snapshots(ws)}
    assert set(datasets) == {"un_sc", "us_ofac_sdn", SIM_DATASET}
    assert datasets["un_sc"].date_source == "list"
    sim_runs = [r for r in ws.list_runs(tool="entities.import") if r.parameters.get("dataset") == SIM_DATASET]
    assert len(sim_runs) == 1
    (vessel,) = find_vessels(ws, imo="IMO 8660313")
    assert vessel.entity_id == REAL_VESSEL and vessel.listings[0].status == "listed"
    graph = build_graph(entities_at(ws))
    paths = paths_to_designated(graph, "sim-person-a", max_depth=4)
    assert paths and paths[0].target == REAL_VESSEL
    assert paths[0].nodes == ("sim-person-a", "sim-northern", "sim-lantern", REAL_VESSEL)
    # UN and OFAC records of the same shipping company meet through the IMO company number
    assert any(d["label"] == "sameImoNumber" for _, _, d in graph.edges(data=True))
    build_demo(ws)  # idempotent
    assert len(ws.list_runs(tool="entities.import")) == 3


def test_report_section_draws_deterministic_graph(ws: Workspace) -> None:
    build_demo(ws)
    first = report_section(ws)
    second = report_section(ws)
    assert first is not None and second is not None
    assert "<svg" in first.html and "SIMULATED" in first.html
    assert "CHON MA SAN" in first.html
    assert first.html == second.html


def test_report_graph_includes_entities_named_in_findings(ws: Workspace) -> None:
    build_demo(ws)
    with ws.run("entities.screen") as run:
        run.add_finding(kind="entities.match", title="t", subjects=["q1", "entity:unsc-690735"])
    section = report_section(ws)
    assert section is not None
    whole = "KOREA MINING DEVELOPMENT TRADING CORPORATION<"  # the whole name, never cut
    assert "unsc-690735" in section.html and whole in section.html
