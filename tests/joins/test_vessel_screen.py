"""Issue 8 item 5: a vessel is "listed" only on an exact identifier or a corroborated name.

Fixtures are modelled on the real failure on NOAA AIS (New York, 2020-06-30) against the OFAC SDN
list (2021-07): two US pleasure craft named FREEDOM (no IMO) scored 1.0 against the listed tanker
FREEDOM and against AMBER (former name FREEDOM), and the passenger vessel JUSTINE 0.857 against DAN
(former name JUSTICE).
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from followthemoney import model

from armswatch.joins.vessel_screen import ais_vessel_facts, listed_vessel_facts, screen_facts
from armswatch.maritime.schema import STATIC_SCHEMA, conform
from armswatch.matching.vessel import (
    LISTED,
    NO_MATCH,
    POSSIBLE,
    NameEvidence,
    VesselFacts,
    compact_name,
    compare_vessels,
    listed_type_class,
)


def listed(eid: str, **props: list[str]) -> VesselFacts:
    entity = model.make_entity("Vessel")
    entity.id = eid
    for prop, values in props.items():
        entity.add(prop, values)
    return listed_vessel_facts(entity)


FREEDOM = listed("ofac-29485", name=["FREEDOM"], type=["Crude Oil Tanker"], flag=["cm"], imoNumber=["9018464"],
                 previousName=["MAGUS"])  # fmt: skip
AMBER = listed("ofac-15052", name=["AMBER"], callSign=["5IM 597"], type=["Crude Oil Tanker"],
               grossRegisteredTonnage=["163,660"], flag=["pa"], pastFlags=["tz", "cy"], imoNumber=["9357406"],
               mmsi=["677049700"], previousName=["HARAZ", "FREEDOM"])  # fmt: skip
DAN = listed("ofac-15908", name=["DAN"], type=["Crude Oil Tanker"], flag=["pa"], imoNumber=["9357729"],
             previousName=["JUSTICE"])  # fmt: skip
LIST = [(FREEDOM, "us_ofac_sdn"), (AMBER, "us_ofac_sdn"), (DAN, "us_ofac_sdn")]


def ais(rows: list[dict[str, object]]) -> list[VesselFacts]:
    return ais_vessel_facts(conform(pl.DataFrame(rows, infer_schema_length=None), STATIC_SCHEMA))


def test_us_pleasure_craft_freedom_is_not_the_listed_tanker() -> None:
    boats = ais([
        {"mmsi": 338208268, "name": "FREEDOM", "callsign": "FREEDOM", "ship_type": 37, "to_bow": 7, "to_stern": 0},
        {"mmsi": 338344384, "name": "FREEDOM", "ship_type": 37, "to_bow": 13, "to_stern": 0},
    ])  # fmt: skip
    assert screen_facts(boats, LIST) == []  # flag, type and size all disagree: not even possible
    low = screen_facts(boats, LIST, threshold=0.3)
    assert low and all(r.match.status == POSSIBLE and r.match.score < 1.0 for r in low)
    assert {r.listed for r in low} == {"FREEDOM", "AMBER"}


def test_name_only_match_is_possible_never_listed_and_never_1() -> None:
    (boat,) = ais([{"mmsi": 352001234, "name": "FREEDOM"}])  # Panama MMSI, nothing else broadcast
    no_flag = listed("x", name=["FREEDOM"], type=["Crude Oil Tanker"])
    (row,) = screen_facts([boat], [(no_flag, "test")])
    assert row.match.status == POSSIBLE and row.match.score == pytest.approx(0.75)
    assert row.match.confidence == "roughly even chance" and row.match.disagreed == ()


def test_justine_is_not_justice_at_the_default_threshold() -> None:
    boat = ais([{"mmsi": 368564000, "name": "JUSTINE", "ship_type": 60}])
    assert screen_facts(boat, LIST) == []
    plain = listed("y", name=["JUSTICE"])
    boat2 = ais([{"mmsi": 368564000, "name": "JUSTINE"}])
    assert screen_facts(boat2, [(plain, "t")]) == []  # even with nothing disagreeing


def test_exact_imo_is_listed_at_1_whatever_the_name() -> None:
    ship = ais([{"mmsi": 636012345, "name": "NEW NAME", "imo": "9357406"}])
    (row,) = screen_facts(ship, LIST)
    assert (row.listed, row.match.status, row.match.score, row.match.basis) == ("AMBER", LISTED, 1.0, "imo")
    assert row.match.confidence == "almost certain" and row.match.agreed[0] == "IMO 9357406"


def test_exact_mmsi_of_the_listing_is_listed() -> None:
    ship = ais([{"mmsi": 677049700, "name": "SOMETHING"}])
    (row,) = screen_facts(ship, LIST)
    assert (row.listed, row.match.status, row.match.basis) == ("AMBER", LISTED, "mmsi")
    assert row.match.score < 1.0 and row.match.confidence == "very likely"
    assert ais_vessel_facts(pl.DataFrame(schema=STATIC_SCHEMA), [677049700])[0].mmsi == {"677049700"}


def test_different_imo_numbers_rule_a_match_out() -> None:
    ship = ais([{"mmsi": 636012345, "name": "AMBER", "imo": "9074729", "callsign": "5IM597"}])
    assert screen_facts(ship, LIST) == []


@pytest.mark.parametrize(
    ("row", "what"),
    [
        ({"callsign": "5IM597"}, "call sign 5IM597"),
        ({"mmsi": 351000001}, "flag PA"),  # Panama MID 351
        ({"mmsi": 209000001}, "former flag CY"),
        ({"ship_type": 84}, "type tanker"),
        ({"to_bow": 300, "to_stern": 33}, "size"),
    ],
)
def test_a_name_corroborated_by_one_attribute_is_listed(row: dict[str, object], what: str) -> None:
    no_flag_mmsi = 970000001  # an AIS-SART number carries no flag, so only ``row`` speaks
    ship = ais([{"mmsi": no_flag_mmsi, "name": "AMBER", **row}])
    (match,) = [r.match for r in screen_facts(ship, LIST)]
    assert match.status == LISTED and match.basis == "name+corroboration" and match.score < 1.0
    assert any(a.startswith(what) for a in match.agreed), match.agreed
    assert match.confidence == "likely"


def test_another_name_of_the_vessel_corroborates() -> None:
    ship = ais([{"mmsi": 970000002, "name": "HARAZ", "ts": datetime(2020, 1, 1, tzinfo=UTC)},
                {"mmsi": 970000002, "name": "AMBER", "ts": datetime(2021, 1, 1, tzinfo=UTC)}])  # fmt: skip
    (row,) = screen_facts(ship, LIST)
    assert row.match.status == LISTED and any("another name" in a for a in row.match.agreed)


def test_more_disagreement_than_agreement_is_not_listed() -> None:
    ship = VesselFacts("v", ("AMBER",), callsigns=frozenset(["5IM597"]), flags=frozenset(["us"]),
                       type_class="pleasure", length_m=10.0)  # fmt: skip
    m = compare_vessels(ship, AMBER, NameEvidence("AMBER", "AMBER", "identical", 1.0))
    assert m.status != LISTED and len(m.disagreed) == 3


def test_helpers() -> None:
    assert compact_name("M/V Chon-Ma San") == compact_name("CHONMASAN") == "CHONMASAN"
    assert listed_type_class("LPG Tanker") == "tanker" and listed_type_class("Bulk Carrier") == "cargo"
    assert compare_vessels(VesselFacts("a", ()), FREEDOM, None).status == NO_MATCH


def test_cli_default_threshold_is_the_matchers() -> None:
    from armswatch.cli.ais import DEFAULT_THRESHOLD
    from armswatch.matching.score import DEFAULT_THRESHOLD as MATCHER

    assert DEFAULT_THRESHOLD == MATCHER


def test_an_invalid_mmsi_on_the_list_is_matched_exactly() -> None:
    sim = listed("sim", name=["SIM MORNING STAR"], mmsi=["999100001"])  # MID 910: not allocated
    (row,) = screen_facts(ais([{"mmsi": 999100001, "name": "OTHER NAME"}]), [(sim, "demo")])
    assert (row.match.status, row.match.basis) == (LISTED, "mmsi")
