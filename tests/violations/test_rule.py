"""Rules read facts against provisions and never claim more than the evidence carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from armswatch.provenance.model import Finding
from armswatch.violations.element import Candidate, met, unknown, unmet
from armswatch.violations.rule import CaseFacts, SiteFact, map_findings

T0 = datetime(2024, 3, 1, tzinfo=UTC)
SITES = {
    "rajin-port": SiteFact("rajin-port", "Rajin", "KP", "port"),
    "vostochny-port": SiteFact("vostochny-port", "Vostochny", "RU", "port"),
    "tumangang-rail-station": SiteFact("tumangang-rail-station", "Tumangang", "KP", "rail"),
    "busan": SiteFact("busan", "Busan", "KR", "port"),
}


def finding(kind: str, subjects: tuple[str, ...] = (), **kw: Any) -> Finding:
    base: dict[str, Any] = {
        "id": "fnd-" + kind.replace(".", "-"),
        "run_id": "run-1",
        "kind": kind,
        "title": kind,
        "summary": "",
        "subjects": subjects,
        "geometry": None,
        "start": T0,
        "end": T0,
        "confidence": "very likely",
        "status": "new",
        "simulated": False,
        "details": {},
        "created_at": T0,
        "evidence": ("sha256:" + "a" * 64,),
    }
    return Finding(**(base | kw))


def statuses(c: Candidate) -> dict[str, str]:
    return {e.id: e.status for e in c.elements}


def test_shuttle_between_a_dprk_and_a_russian_port() -> None:
    shuttle = finding("ais.shuttle", ("vessel:mmsi:273000001", "site:rajin-port", "site:vostochny-port"))
    [c] = map_findings([shuttle], CaseFacts(sites=SITES))
    assert c.rule == "dprk-port-shipment" and c.provisions == ("2270-18", "1718-8b", "1874-9")
    assert statuses(c) == {
        "dprk-call": "met",
        "state-call": "met",
        "arms-cargo": "unknown",
        "inspection": "unknown",
    }
    # unknown elements cap the reading at an even chance, whatever the shuttle's own confidence
    assert c.confidence == "roughly even chance"
    assert c.tally == "2 of 4 elements met, 2 unknown"


def test_a_confirmed_arms_link_meets_the_cargo_element() -> None:
    shuttle = finding("ais.shuttle", ("vessel:mmsi:273000001", "site:rajin-port", "site:vostochny-port"))
    facts = CaseFacts(sites=SITES, arms_cargo={"vessel:mmsi:273000001": ("fnd-count",)})
    [c] = map_findings([shuttle], facts)
    cargo = next(e for e in c.elements if e.id == "arms-cargo")
    assert cargo.status == "met" and cargo.evidence == ("fnd-count",)


def test_no_dprk_port_no_candidate_and_rejected_facts_are_ignored() -> None:
    other = finding("ais.shuttle", ("vessel:mmsi:1", "site:vostochny-port", "site:busan"))
    rejected = finding(
        "ais.shuttle", ("vessel:mmsi:2", "site:rajin-port", "site:vostochny-port"), status="rejected"
    )
    assert map_findings([other, rejected], CaseFacts(sites=SITES)) == []


def test_dark_port_call_is_inferred_not_observed() -> None:
    dark = finding("ais.dark_port_call", ("vessel:mmsi:273000001", "site:rajin-port"))
    [c] = map_findings([dark], CaseFacts(sites=SITES))
    assert statuses(c)["dprk-call"] == "unknown"


def activity(dataset: str, status: str = "listed", **details: Any) -> Finding:
    return finding(
        "sanctions.vessel_activity",
        ("vessel:mmsi:273000001", "site:vostochny-port", "entity:x"),
        details={
            "activity_kind": "ais.shuttle",
            "dataset": dataset,
            "listing_status": status,
            "match_score": 1.0,
            "match_strength": "listed",
            **details,
        },
    )


def test_un_vessel_measures_follow_un_designations_only() -> None:
    [un] = map_findings([activity("un_sc")], CaseFacts(sites=SITES))
    assert statuses(un) == {"un-designation": "met", "identity": "met", "port-entry": "met"}
    assert un.confidence == "likely"  # all met: the fact's confidence, capped at likely
    [ofac] = map_findings([activity("us_ofac_sdn")], CaseFacts(sites=SITES))
    assert statuses(ofac)["un-designation"] == "unmet"
    assert "not by the UN Committee" in ofac.elements[0].reason
    assert ofac.confidence == "unlikely"
    [delisted] = map_findings([activity("un_sc", status="delisted")], CaseFacts(sites=SITES))
    assert statuses(delisted)["un-designation"] == "unmet"


def test_a_name_only_match_leaves_identity_unknown() -> None:
    [c] = map_findings(
        [activity("un_sc", match_strength="possible", match_score=0.9)], CaseFacts(sites=SITES)
    )
    assert statuses(c)["identity"] == "unknown"


def test_encounter_needs_a_dprk_flag_or_a_un_designation() -> None:
    plain = finding("ais.encounter", ("vessel:mmsi:273000001", "vessel:mmsi:273000002"))
    assert map_findings([plain], CaseFacts(sites=SITES)) == []
    flagged = finding("ais.encounter", ("vessel:mmsi:273000001", "vessel:mmsi:445123456"))
    [c] = map_findings([flagged], CaseFacts(sites=SITES))
    assert c.rule == "dprk-linked-encounter"
    assert statuses(c) == {"dprk-party": "met", "transfer": "unknown", "arms-cargo": "unknown"}
    designated = CaseFacts(sites=SITES, un_designated={"vessel:mmsi:273000002": ("fnd-act",)})
    [d] = map_findings([plain], designated)
    assert d.elements[0].evidence == ("fnd-act",)


def test_munitions_found_abroad() -> None:
    item = finding(
        "munitions.group",
        ("munition:kn-23-kharkiv",),
        details={"origin_country": "KP", "recovered_country": "UA", "recovered_at": "2024-01-02"},
    )
    [c] = map_findings([item], CaseFacts(sites=SITES))
    assert statuses(c) == {
        "dprk-origin": "met",
        "abroad": "met",
        "after-ban": "met",
        "procurement": "unknown",
    }
    linked = finding(
        "munitions.group",
        details={
            "origin_country": "KP",
            "recovered_country": "UA",
            "recovered_at": "2024-01-02",
            "shipment_findings": ["fnd-shuttle"],
        },
    )
    [c2] = map_findings([linked], CaseFacts(sites=SITES))
    assert all(e.status == "met" for e in c2.elements)
    home = finding("munitions.item", details={"origin_country": "KP", "recovered_country": "KP"})
    [c3] = map_findings([home], CaseFacts(sites=SITES))
    assert statuses(c3)["abroad"] == "unmet" and c3.confidence == "unlikely"


def test_rail_at_the_border() -> None:
    rail = finding("rail.movement", ("site:tumangang-rail-station",))
    [c] = map_findings([rail], CaseFacts(sites=SITES))
    assert c.provisions == ("2321-13", "2321-21", "2270-18")


def test_confidence_never_exceeds_the_facts_own() -> None:
    c = Candidate("r", "f", "t", "k", "unlikely", ("1718-8b",), (met("a", "n", "r"),))
    assert c.confidence == "unlikely"
    c = Candidate("r", "f", "t", "k", "almost certain", ("1718-8b",), (met("a", "n", "r"),))
    assert c.confidence == "likely"
    c = Candidate("r", "f", "t", "k", "likely", ("1718-8b",), (met("a", "n", "r"), unknown("b", "n", "r")))
    assert c.confidence == "roughly even chance"
    c = Candidate("r", "f", "t", "k", "likely", ("1718-8b",), (unmet("a", "n", "r"),))
    assert c.confidence == "unlikely"
