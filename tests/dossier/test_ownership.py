"""The dossier's ownership chain runs over resolved entities: a chain that exists only when two records
are known to be one company appears after ``entities resolve --same`` (and goes again on undo), and
every hop still cites the records, the lists and the judgement behind it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from armswatch.dossier.json_schema import SCHEMA
from armswatch.dossier.model import Statement
from armswatch.dossier.render import render_json
from armswatch.dossier.vessel import vessel_dossier
from armswatch.entities.ingest import import_list
from armswatch.entities.resolution import resolve, undo
from armswatch.workspace import Workspace

IMO = "8660313"


def _list(tmp: Path, name: str, entities: list[dict[str, Any]]) -> Path:
    path = tmp / f"{name}.ftm.json"
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    return path


def _e(i: str, schema: str, **props: str) -> dict[str, Any]:
    return {"id": i, "schema": schema, "properties": {k: [v] for k, v in props.items()}}


def _case(ws: Workspace, tmp: Path) -> None:
    """List A: the vessel and its owner, a company nobody designated. List B: the same company under
    another record and spelling, designated, with a parent company."""
    a = _list(
        tmp,
        "list-a",
        [_e("a-vessel", "Vessel", name="SUN BONG", imoNumber=IMO, owner="a-co"),
         _e("a-co", "Company", name="Kwangson Trading Company")],
    )  # fmt: skip
    b = _list(
        tmp,
        "list-b",
        [_e("b-co", "Company", name="KWANGSON TRADING CO."),
         _e("b-parent", "Company", name="Ryongaksan General Corp"),
         _e("b-own", "Ownership", owner="b-parent", asset="b-co"),
         _e("b-sanction", "Sanction", entity="b-parent", authority="Test authority", program="DPRK",
            listingDate="2017-08-05")],
    )  # fmt: skip
    import_list(ws, a, format="ftm", dataset="list_a", list_date=date(2025, 1, 1))
    import_list(ws, b, format="ftm", dataset="list_b", list_date=date(2025, 2, 1))


def _chains(ws: Workspace) -> list[Statement]:
    return [s for s in vessel_dossier(ws, IMO).statements if s.section == "ownership"]


def test_chain_through_a_resolved_company_appears_only_after_same(ws: Workspace, tmp_path: Path) -> None:
    _case(ws, tmp_path)
    assert _chains(ws) == []  # a-co is no one's asset on list B: no path to a designated party
    j = resolve(ws, "a-co", "b-co", same=True, note="same company, per the panel report")
    chains = _chains(ws)
    assert len(chains) == 1, [s.text for s in chains]
    chain = chains[0]
    cid = "res-" + j.id.removeprefix("jr-")[:12]
    assert "From list entry" in chain.text and "2 hop(s)" in chain.text
    assert "Ryongaksan General Corp (b-parent) designated by Test authority DPRK" in chain.text
    assert chain.start is not None and chain.start.date() == date(2017, 8, 5)
    details = [p.detail for p in chain.provenance]
    # each hop cites the record-level link and the lists behind it
    assert any(
        d.startswith("step 1:")
        and "SUN BONG (a-vessel, list_a) owner → Kwangson Trading Company (a-co, list_a)" in d
        for d in details
    ), details
    assert any(
        d.startswith("step 2:")
        and "Ryongaksan General Corp (b-parent, list_b)" in d
        and "KWANGSON TRADING CO. (b-co, list_b)" in d
        and "via b-own" in d
        for d in details
    ), details
    # the resolved entity cites the judgement: who, when, why, and both records
    judged = [p for p in chain.provenance if p.review == "analyst judgement (entities resolve)"]
    assert len(judged) == 1
    assert judged[0].detail.startswith(
        f"{cid} = Kwangson Trading Company (a-co, list_a), KWANGSON TRADING CO. (b-co, list_b)"
    )
    assert f"{j.analyst} judged a-co and b-co the same on {j.created_at[:10]}" in judged[0].detail
    assert "per the panel report" in judged[0].detail and j.id in judged[0].detail
    # the list editions of both lists are cited as artifacts
    path_prov = chain.provenance[0]
    assert "list_a" in path_prov.source and "list_b" in path_prov.source and len(path_prov.artifacts) == 2
    # the HTML dossier shows every hop's records and the judgement beside the chain
    from armswatch.dossier.render import render_html

    html = render_html(vessel_dossier(ws, IMO))
    assert "step 2: Ryongaksan General Corp (b-parent, list_b)" in html and j.id in html
    undo(ws, "a-co", "b-co")
    assert _chains(ws) == []


def test_resolved_vessel_records_start_one_chain_and_json_validates(ws: Workspace, tmp_path: Path) -> None:
    import jsonschema

    _case(ws, tmp_path)
    second = _list(tmp_path, "list-c", [_e("c-vessel", "Vessel", name="SUN BONG", flag="kp", owner="c-co"),
                                        _e("c-co", "Company", name="Ryongaksan General Corp")])  # fmt: skip
    import_list(ws, second, format="ftm", dataset="list_c", list_date=date(2025, 3, 1))
    resolve(ws, "c-co", "b-parent", same=True)
    assert _chains(ws) == []  # c-vessel carries no IMO: not this vessel's record yet
    resolve(ws, "a-vessel", "c-vessel", same=True)
    chains = _chains(ws)
    assert len(chains) == 1
    assert "From resolved entity res-" in chains[0].text and "(a-vessel, c-vessel)" in chains[0].text
    assert "1 hop(s)" in chains[0].text
    assert sum(p.review == "analyst judgement (entities resolve)" for p in chains[0].provenance) == 2
    doc = json.loads(render_json(vessel_dossier(ws, IMO)))
    jsonschema.validate(doc, SCHEMA)


def test_site_dossier_links_a_resolved_entity_once_with_its_records(ws: Workspace, tmp_path: Path) -> None:
    from shapely.geometry import Point

    from armswatch.dossier.site import site_dossier
    from armswatch.sites.model import Site

    _case(ws, tmp_path)
    ws.save_sites([Site(id="plant", name="Plant", country="KP", kind="production", precision="facility",
                        geometry=Point(127.5, 39.9), sources=("https://example.org/p",))])  # fmt: skip
    with ws.run("test.link") as run:
        run.add_finding(kind="trade.shipment", title="Shipment", subjects=["site:plant", "entity:a-co"])
        run.add_finding(kind="trade.shipment", title="Shipment 2", subjects=["site:plant", "entity:b-co"])

    def linked() -> list[Statement]:
        return [s for s in site_dossier(ws, "plant").statements if s.section == "entity"]

    assert sorted(s.text.split(" (")[0] for s in linked()) == [
        "KWANGSON TRADING CO.",
        "Kwangson Trading Company",
    ]
    j = resolve(ws, "a-co", "b-co", same=True, note="same company")
    (one,) = linked()
    assert "resolved entity res-" in one.text and "records a-co, b-co" in one.text
    assert (
        "list_a: listed since 2025-01-01 (a-co)" in one.text
        and "list_b: listed since 2025-02-01 (b-co)" in one.text
    )
    assert any(j.id in p.detail and "same company" in p.detail for p in one.provenance)
    undo(ws, "a-co", "b-co")
    assert len(linked()) == 2


def test_findings_naming_the_resolved_vessel_join_its_dossier(ws: Workspace, tmp_path: Path) -> None:
    _case(ws, tmp_path)
    extra = _list(tmp_path, "list-c", [_e("c-vessel", "Vessel", name="SUN BONG", flag="kp")])
    import_list(ws, extra, format="ftm", dataset="list_c", list_date=date(2025, 3, 1))
    j = resolve(ws, "a-vessel", "c-vessel", same=True)
    cid = "res-" + j.id.removeprefix("jr-")[:12]
    with ws.run("test.screen") as run:  # screening names a resolved entity's matches by its res- id
        fid = run.add_finding(
            kind="entities.match", title="Cargo manifest names SUN BONG", subjects=[f"entity:{cid}"]
        )

    def finding_ids() -> set[str | None]:
        return {p.finding for s in vessel_dossier(ws, IMO).statements for p in s.provenance}

    assert fid in finding_ids()
    undo(ws, "a-vessel", "c-vessel")  # the match was made on the resolved entity: it stays in the story
    assert fid in finding_ids()
