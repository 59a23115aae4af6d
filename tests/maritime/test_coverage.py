"""Coverage and outages: computed from the data; outages end events and are never vessel behaviour."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl

from armswatch.maritime.coverage import CoverageParams, compute_coverage
from armswatch.maritime.events import Context, EventParams, detect, detect_events
from armswatch.maritime.partition import PartitionParams
from armswatch.maritime.port import watched_ports_frame
from armswatch.maritime.port_call import PortCallParams
from armswatch.maritime.simulate import track

PORT = ("site:test-port", "Testport", "KP", 42.34, 130.39)
CTX = Context.build(watched_ports_frame([PORT]))
SEA = (40.5, 133.0)
START = datetime(2026, 3, 1, tzinfo=UTC)


def _fleet(
    n: int, hours: float, silent: tuple[tuple[float, float], ...] = (), first: int = 999_002_000
) -> pl.DataFrame:
    """``n`` ships drifting slowly in one 1° cell, reporting every 10 min."""
    lat, lon = SEA
    return pl.concat(
        [
            track(
                first + i,
                [(0, lat + 0.02 * i, lon), (hours, lat + 0.02 * i, lon + 0.05)],
                interval_s=600,
                silent=silent,
            )
            for i in range(n)
        ]
    )


def test_a_receiver_outage_is_found_and_reported_not_as_gaps() -> None:
    # 10 ships heard every 10 min; from 10 h to 18 h all of them fall silent at once
    fleet = _fleet(10, 30, silent=((10, 18),))
    found = detect(fleet, CTX)
    out = found.coverage.outages
    assert out.height == 1
    row = out.row(0, named=True)
    assert row["start_utc"] == START + timedelta(hours=11)  # the first whole silent hour
    assert row["end_utc"] == START + timedelta(hours=18)
    assert row["silent_share"] == 1.0 and row["baseline_vessels"] == 10
    # the 8 h silences lie inside the outage apart from < 6 h: no gap is reported
    assert found.events.filter(pl.col("event_type") == "gap").height == 0


def test_one_ship_going_dark_among_others_is_a_gap_with_good_reception() -> None:
    fleet = _fleet(9, 30)
    dark = track(999_002_100, [(0, SEA[0] + 0.3, SEA[1]), (30, SEA[0] + 0.3, SEA[1] + 0.05)], interval_s=600,
                 silent=((10, 20),))  # fmt: skip
    found = detect(pl.concat([fleet, dark]), CTX)
    assert found.coverage.outages.height == 0  # 1 of 10 silent is no outage
    gaps = found.events.filter(pl.col("event_type") == "gap")
    assert gaps["mmsi"].to_list() == [999_002_100]
    details = json.loads(gaps["details"][0])
    assert details["reception"] == "good" and details["part"] == "whole"


def test_a_silence_partly_in_an_outage_is_cut_to_the_part_outside() -> None:
    # the fleet is silent 20-26 h (an outage); one ship is silent from 8 h to 26 h: it went dark
    # for 12 h before the outage, which is a gap; the outage part is not
    fleet = _fleet(9, 40, silent=((20, 26),))
    dark = track(999_002_101, [(0, SEA[0] + 0.3, SEA[1]), (40, SEA[0] + 0.3, SEA[1] + 0.05)], interval_s=600,
                 silent=((8, 26),))  # fmt: skip
    found = detect(pl.concat([fleet, dark]), CTX)
    assert found.coverage.outages.height == 1
    outage = found.coverage.outages.row(0, named=True)
    gaps = found.events.filter(pl.col("event_type") == "gap")
    assert gaps.height == 1
    gap = gaps.row(0, named=True)
    assert json.loads(gap["details"])["part"] == "before_outage"
    assert gap["end_utc"] == outage["start_utc"]
    assert gap["end_utc"] <= outage["start_utc"] or gap["start_utc"] >= outage["end_utc"]


def test_too_few_vessels_cannot_show_an_outage() -> None:
    fleet = _fleet(4, 30, silent=((10, 18),))
    found = detect(fleet, CTX)
    assert found.coverage.outages.height == 0
    assert found.events.filter(pl.col("event_type") == "gap").height == 4  # each ship's own silence


def test_share_and_minimum_are_configurable() -> None:
    fleet = _fleet(4, 30, silent=((10, 18),))
    cov = compute_coverage(fleet, CoverageParams(min_vessels=3))
    assert cov.outages.height == 1


def test_a_hole_in_the_data_set_ends_port_calls_and_is_no_gap() -> None:
    """Two months of the same harbour with nothing between (as two NOAA files ingested together)."""
    lat, lon = PORT[3], PORT[4]
    later = START + timedelta(days=60)
    ships = []
    for i in range(6):
        at = (lat + 0.001 * i, lon)
        ships.append(track(999_003_000 + i, [(0, *at), (8, *at)], interval_s=300))
        ships.append(track(999_003_000 + i, [(0, *at), (8, *at)], interval_s=300, start=later))
    found = detect(pl.concat(ships), CTX)
    ev = found.events
    assert ev.filter(pl.col("event_type") == "gap").height == 0
    calls = ev.filter(pl.col("event_type") == "port_call")
    assert calls.height == 12  # one call per ship and period, none across the hole
    assert calls["duration_h"].max() <= 8.0  # type: ignore[operator]
    hole = found.coverage.outages
    assert hole.height >= 1 and hole["duration_h"].max() > 24 * 50  # type: ignore[operator]


def test_no_event_spans_an_outage_and_partitioning_changes_nothing() -> None:
    fleet = _fleet(10, 50, silent=((20, 27),))
    lat, lon = PORT[3], PORT[4]
    berth = [track(999_004_000 + i, [(0, lat + 0.001 * i, lon), (50, lat + 0.001 * i, lon)], interval_s=600,
                   silent=((20, 27),)) for i in range(6)]  # fmt: skip
    pos = pl.concat([fleet, *berth])
    whole = detect(pos, CTX, partitioned=False)
    parts = detect_events(pos, CTX, EventParams(partition=PartitionParams(n_buckets=3, bucket_rows=500)))
    assert parts.equals(whole.events)
    out = whole.coverage.outages.row(0, named=True)
    for row in whole.events.iter_rows(named=True):
        assert row["end_utc"] <= out["start_utc"] or row["start_utc"] >= out["end_utc"], row
    assert whole.events.filter(pl.col("event_type") == "port_call").height == 12  # before and after


def test_a_port_call_needs_two_positions_and_the_minimum_stop() -> None:
    lat, lon = PORT[3], PORT[4]
    one = pl.DataFrame(
        {"mmsi": [999_005_001], "ts": [START], "lat": [lat], "lon": [lon], "sog": [0.0]},
        schema_overrides={"mmsi": pl.UInt32, "sog": pl.Float32},
    ).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))
    short = track(999_005_002, [(0, lat, lon), (2, lat, lon)], interval_s=300)  # 2 h < 3 h
    long = track(999_005_003, [(0, lat, lon), (4, lat, lon)], interval_s=300)
    ev = detect_events(pl.concat([one, short, long]), CTX, EventParams(types=("port_call",)))
    assert ev["mmsi"].to_list() == [999_005_003]
    lenient = EventParams(types=("port_call",), port_call=PortCallParams(min_duration_h=1.0))
    assert detect_events(pl.concat([one, short, long]), CTX, lenient)["mmsi"].to_list() == [
        999_005_002,
        999_005_003,
    ]


def test_coverage_can_be_switched_off() -> None:
    fleet = _fleet(10, 30, silent=((10, 18),))
    params = EventParams(coverage=CoverageParams(enabled=False), types=("gap",))
    assert detect(fleet, CTX, params).coverage.outages.height == 0
    assert detect_events(fleet, CTX, params).height == 10
