"""Confidence of a reconstructed voyage follows from what corroborates it (docs/voyages.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from armswatch.maritime.voyage.corroborate import CaseItem, corroborate
from armswatch.maritime.voyage.ellipse import port_fits

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
T1 = T0 + timedelta(hours=28)
OFF = ON = (41.9, 131.2)
PORTS = [("site:rajin-port", "Rajin", 42.233333, 130.3), ("site:wonsan", "Wonsan", 39.17, 127.48)]
FITS = port_fits(OFF, ON, 28, 14, PORTS)
ME = {"mmsi:999100002", "imo:9123457"}


def grade(*items: CaseItem) -> str:
    return corroborate(FITS, T0, T1, ME, list(items)).confidence


def at(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def test_no_corroboration_is_at_most_roughly_even_chance() -> None:
    assert grade() == "roughly even chance"
    short = port_fits(OFF, ON, 7.5, 14, PORTS)  # Rajin reachable, but < 2 h for a stay
    assert short[0].reachable and short[0].max_stay_h < 2
    assert corroborate(short, T0, T0 + timedelta(hours=7.5), ME, []).confidence == "unlikely"


def test_a_sighting_of_the_vessel_at_a_reachable_port_in_its_window_is_likely() -> None:
    c = corroborate(
        FITS, T0, T1, ME, [CaseItem("sighting", "s1", "site:rajin-port", at(14), "mmsi:999100002")]
    )
    assert c.confidence == "likely" and c.best_port == "site:rajin-port"


def test_a_sighting_of_another_vessel_or_outside_the_window_does_not_count() -> None:
    assert (
        grade(CaseItem("sighting", "s1", "site:rajin-port", at(14), "mmsi:273000001"))
        == "roughly even chance"
    )
    # at 1 h after going dark the vessel cannot yet be at Rajin (~ 90 km away at 14 kn = 3.5 h)
    early = CaseItem("sighting", "s2", "site:rajin-port", at(1), "imo:9123457")
    c = corroborate(FITS, T0, T1, ME, [early])
    assert c.confidence == "roughly even chance" and c.contradicting == [early]


def test_a_sighting_at_an_unreachable_port_contradicts() -> None:
    far = CaseItem("sighting", "s3", "site:wonsan", at(14), "mmsi:999100002")
    near = CaseItem("sighting", "s1", "site:rajin-port", at(14), "mmsi:999100002")
    c = corroborate(FITS, T0, T1, ME, [near, far])
    assert c.confidence == "roughly even chance" and c.contradicting == [far]


def test_two_identifying_items_or_one_plus_a_ship_count_are_very_likely() -> None:
    sighting = CaseItem("sighting", "s1", "site:rajin-port", at(14), "mmsi:999100002")
    record = CaseItem("port_state", "r1", "site:rajin-port", at(20), "imo:9123457")
    ship = CaseItem("count", "f1", "site:rajin-port", at(15), length_m=120, count=1)
    wagon = CaseItem("count", "f2", "site:rajin-port", at(15), length_m=15, count=40)
    assert grade(sighting, record) == "very likely"
    assert grade(sighting, ship) == "very likely"
    assert grade(sighting, wagon) == "likely"  # wagons are not ships
    assert grade(record) == "likely"
    assert grade(ship) == "roughly even chance"  # a ship was there; which ship is not known


def test_day_dated_records_get_a_tolerance_sightings_do_not() -> None:
    # a port-state record dated at midnight before the earliest arrival still fits within 12 h
    rec = CaseItem("port_state", "r1", "site:rajin-port", at(-2), "imo:9123457")
    assert grade(rec) == "likely"
    assert (
        grade(CaseItem("sighting", "s1", "site:rajin-port", at(-2), "imo:9123457")) == "roughly even chance"
    )


def test_off_and_on_in_the_same_port_is_unlikely_without_corroboration() -> None:
    berth = (42.24, 130.31)  # ~ 1 km from Rajin's point
    fits = port_fits(berth, berth, 28, 14, PORTS)
    assert corroborate(fits, T0, T1, ME, []).confidence == "unlikely"
    seen = CaseItem("sighting", "s1", "site:rajin-port", at(14), "mmsi:999100002")
    assert corroborate(fits, T0, T1, ME, [seen]).confidence == "likely"
