from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from followthemoney import model

from armswatch.entities.graph import build_graph, neighbourhood, paths_to_designated, write_graph
from armswatch.errors import InputError, NotFoundError


def _e(schema: str, entity_id: str, **props: str | list[str]):
    entity = model.make_entity(schema)
    entity.id = entity_id
    for prop, value in props.items():
        entity.add(prop, value)
    return entity


def _world():
    """Person -director-> FrontCo -owns-> ShipCo -owner of-> Vessel (sanctioned); FrontCo also sanctioned."""
    return [
        _e("Person", "p1", name="Kim Demo"),
        _e("Company", "front", name="Front Co"),
        _e("Company", "shipco", name="Ship Co"),
        _e("Vessel", "v1", name="SEA STAR", imoNumber="9161003", owner="shipco"),
        _e("Vessel", "v1-ofac", name="SEA STAR", imoNumber="9161003"),
        _e("Directorship", "d1", director="p1", organization="front", role="director"),
        _e("Ownership", "o1", owner="front", asset="shipco", percentage="100"),
        _e("Sanction", "s1", entity="v1-ofac", authority="OFAC", program="DPRK3"),
        _e("Sanction", "s2", entity="front", authority="UN SC", program="DPRK", unscId="KPe.999"),
        _e("Address", "a1", full="Pyongyang"),
        _e("Person", "lonely", name="Nobody"),
        _e("Person", "p2", name="Kim Relative"),
        _e("Family", "f1", person="p2", relative="p1", relationship="brother"),
    ]


def test_graph_edges_from_edge_schemata_and_entity_props() -> None:
    graph = build_graph(_world())
    assert set(graph.nodes) == {"p1", "p2", "front", "shipco", "v1", "v1-ofac", "lonely"}
    assert graph.has_edge("p2", "p1")  # family
    assert graph.has_edge("p1", "front") and graph.has_edge("front", "shipco")
    assert graph.has_edge("v1", "shipco")  # vessel owner property
    assert graph.has_edge("v1", "v1-ofac")  # same IMO number across lists
    assert graph.nodes["front"]["designations"][0].reference == "KPe.999"


def test_paths_to_designated_with_designations_along() -> None:
    graph = build_graph(_world())
    paths = paths_to_designated(graph, "p1")
    assert [p.target for p in paths] == ["front", "v1-ofac"]
    assert paths[0].nodes == ("p1", "front")
    assert paths[0].relations == ("director →",)
    long = paths[1]
    assert long.nodes == ("p1", "front", "shipco", "v1", "v1-ofac")
    assert long.relations == ("director →", "owns →", "← owner", "sameImoNumber →")
    assert [n for n, _ in long.designations] == ["front", "v1-ofac"]
    assert paths_to_designated(graph, "p1", max_depth=1)[-1].target == "front"
    assert paths_to_designated(graph, "lonely") == []


def test_family_path_is_labelled_with_relationship() -> None:
    paths = paths_to_designated(build_graph(_world()), "p2")
    assert paths[0].nodes == ("p2", "p1", "front")
    assert paths[0].relations == ("brother →", "director →")


def test_designated_entity_is_its_own_first_path() -> None:
    paths = paths_to_designated(build_graph(_world()), "front")
    assert paths[0].nodes == ("front",)


def test_neighbourhood_depth() -> None:
    graph = build_graph(_world())
    assert set(neighbourhood(graph, "p1", 1).nodes) == {"p1", "p2", "front"}
    assert set(neighbourhood(graph, "p1", 3).nodes) == {"p1", "p2", "front", "shipco", "v1"}
    with pytest.raises(NotFoundError):
        neighbourhood(graph, "nope", 1)


def test_write_json_and_graphml(tmp_path: Path) -> None:
    graph = build_graph(_world())
    write_graph(graph, tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(graph.nodes) | {"s1", "s2"}  # sanctions exported as nodes
    assert {(e["source"], e["target"]) for e in data["links"] if e["label"] == "sanction"} == {
        ("s1", "v1-ofac"),
        ("s2", "front"),
    }
    write_graph(graph, tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.nodes["front"]["designated"] is True
    with pytest.raises(InputError):
        write_graph(graph, tmp_path / "g.txt")


def test_ship_and_company_with_the_same_imo_digits_are_not_joined() -> None:
    """A ship's IMO number and an IMO company number are different registers that may share digits."""
    graph = build_graph(
        [
            _e("Vessel", "ship", name="SEA STAR", imoNumber="9161003"),
            _e("Organization", "company", name="Other Shipping Co", imoNumber="9161003"),
            _e("Organization", "company-un", name="OTHER SHIPPING CO", imoNumber="9161003"),
        ]
    )
    assert not graph.has_edge("ship", "company") and not graph.has_edge("company", "ship")
    assert graph.has_edge("company", "company-un") or graph.has_edge("company-un", "company")


def test_negative_max_depth_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--max-depth must be 0 or more"):
        paths_to_designated(build_graph(_world()), "p1", -1)
