"""Resolving records across lists: judgements stored, audited, sealed, reversible; one node per cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from armswatch.entities.candidates import workspace_xref
from armswatch.entities.cluster import Clusters, Judgement
from armswatch.entities.graph import build_graph, paths_to_designated
from armswatch.entities.history import entities_at
from armswatch.entities.ingest import import_list
from armswatch.entities.resolution import clusters, judgements, resolve, undo
from armswatch.entities.resolved import collapse_graph, script_of
from armswatch.entities.schema import entity_resolution
from armswatch.entities.screen import workspace_subjects
from armswatch.errors import ConflictError, InputError, NotFoundError
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .fixtures import un_xml, write_ofac

UN_KOMID, OFAC_KOMID, OFAC_KIM = "unsc-690735", "ofac-9345", "ofac-12211"


@pytest.fixture
def lists(ws: Workspace, tmp_path: Path) -> Workspace:
    un = tmp_path / "un.xml"
    un.write_text(un_xml("2024-01-15"), encoding="utf-8")
    import_list(ws, un)
    import_list(ws, write_ofac(tmp_path / "ofac"), list_date=None)
    return ws


def _pairs(ws: Workspace) -> set[frozenset[str]]:
    return {frozenset((c.left_id, c.right_id)) for c in workspace_xref(ws)}


def test_xref_proposes_the_un_and_ofac_records_of_one_company(lists: Workspace) -> None:
    cands = {frozenset((c.left_id, c.right_id)): c for c in workspace_xref(lists)}
    komid = cands[frozenset({UN_KOMID, OFAC_KOMID})]
    assert komid.score >= 0.9
    assert {komid.left_dataset, komid.right_dataset} == {"un_sc", "us_ofac_sdn"}
    with pytest.raises(InputError, match="no imported dataset named nope"):
        workspace_xref(lists, ["nope"])


def test_resolve_same_makes_one_entity_everywhere(lists: Workspace) -> None:
    done = resolve(lists, UN_KOMID, OFAC_KOMID, same=True, note="UN KPe.001 is OFAC KOMID")
    found = clusters(lists)
    cid = found.canonical(UN_KOMID)
    assert cid.startswith("res-") and found.canonical(OFAC_KOMID) == cid
    assert found.members(cid) == (OFAC_KOMID, UN_KOMID)
    # xref no longer proposes a judged pair
    assert frozenset({UN_KOMID, OFAC_KOMID}) not in _pairs(lists)
    # screening: one subject for the two records, with the names of both
    merged = [s for s in workspace_subjects(lists) if s.id == cid]
    assert len(merged) == 1 and merged[0].dataset == "un_sc+us_ofac_sdn"
    assert not any(s.id in (UN_KOMID, OFAC_KOMID) for s in workspace_subjects(lists))
    # graph and paths: one node holding both designations; the OFAC link to KOMID reaches it
    graph = collapse_graph(build_graph(entities_at(lists)), found)
    assert cid in graph and UN_KOMID not in graph and OFAC_KOMID not in graph
    assert len(graph.nodes[cid]["designations"]) == 2
    targets = {p.target for p in paths_to_designated(graph, OFAC_KIM, 2)}
    assert cid in targets
    # audited and sealed: the chain and every record still verify
    entry = lists.audit_entries()[-1]
    assert (entry.action, entry.object_id) == ("entity.resolve", done.id)
    assert entry.payload["judgement"] == "same"
    assert verify_workspace(lists, blobs=False).ok


def test_undo_is_a_new_audited_record_and_splits_the_entity(lists: Workspace) -> None:
    resolve(lists, UN_KOMID, OFAC_KOMID, same=True)
    withdrawn = undo(lists, OFAC_KOMID, UN_KOMID, note="wrong")
    assert withdrawn.judgement == "undo" and withdrawn.undoes
    assert len(clusters(lists)) == 0
    assert [j.judgement for j in judgements(lists)] == ["same", "undo"]  # nothing deleted
    assert lists.audit_entries()[-1].action == "entity.unresolve"
    assert frozenset({UN_KOMID, OFAC_KOMID}) in _pairs(lists)  # proposed again
    assert verify_workspace(lists, blobs=False).ok
    with pytest.raises(NotFoundError, match="no active judgement"):
        undo(lists, UN_KOMID, OFAC_KOMID)


def test_contradicting_judgements_are_refused(lists: Workspace) -> None:
    resolve(lists, UN_KOMID, OFAC_KIM, same=False)
    assert frozenset({UN_KOMID, OFAC_KIM}) not in _pairs(lists)
    with pytest.raises(ConflictError, match="already judged different"):
        resolve(lists, UN_KOMID, OFAC_KIM, same=True)
    resolve(lists, UN_KOMID, OFAC_KOMID, same=True)
    with pytest.raises(ConflictError, match="judged different"):
        resolve(lists, OFAC_KOMID, OFAC_KIM, same=True)  # would put UN KOMID and KIM in one entity
    with pytest.raises(InputError, match="already one entity"):
        resolve(lists, clusters(lists).canonical(UN_KOMID), OFAC_KOMID, same=True)
    with pytest.raises(NotFoundError):
        resolve(lists, UN_KOMID, "ofac-0", same=True)


def test_a_judgement_edited_outside_armswatch_is_caught(lists: Workspace) -> None:
    done = resolve(lists, UN_KOMID, OFAC_KOMID, same=True)
    with lists.engine.begin() as conn:
        conn.execute(
            update(entity_resolution).where(entity_resolution.c.id == done.id).values(judgement="different")
        )
    report = verify_workspace(lists, blobs=False)
    assert not report.ok


def _j(seq: int, a: str, b: str, what: str = "same", undoes: str | None = None) -> Judgement:
    return Judgement(f"jr-{seq:020d}", seq, a, b, what, undoes, "", "tester", "2026-01-01")


def test_canonical_id_survives_growth_and_merges() -> None:
    first = Clusters([_j(1, "a", "b")])
    cid = first.canonical("a")
    grown = Clusters([_j(1, "a", "b"), _j(2, "b", "c"), _j(3, "x", "y"), _j(4, "c", "x")])
    assert grown.canonical("y") == cid  # the earliest judgement names the merged cluster
    assert grown.members(cid) == ("a", "b", "c", "x", "y")
    split = Clusters([_j(1, "a", "b"), _j(2, "b", "c"), _j(3, "a", "b", "undo", "jr-" + "0" * 19 + "1")])
    assert split.canonical("a") == "a" and split.canonical("b") == split.canonical("c") != "b"


def test_script_of_names() -> None:
    assert [script_of(n) for n in ("Ri Je Son", "리제선", "Лавров", "محمد", "金正恩")] == [
        "Latin",
        "Hangul",
        "Cyrillic",
        "Arabic",
        "Han",
    ]
