"""Behaviour of each maritime event detector on small, exact SIMULATED tracks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from armswatch.maritime.encounter import EncounterParams
from armswatch.maritime.events import Context, EventParams, detect_events
from armswatch.maritime.gap import GapParams
from armswatch.maritime.port import watched_ports_frame
from armswatch.maritime.port_call import PortCallParams
from armswatch.maritime.simulate import track

# open sea between Korea and Japan, > 100 nm from any coast
SEA = (40.5, 133.0)
PORT = ("site:test-port", "Testport", "KP", 42.34, 130.39)
CTX = Context.build(watched_ports_frame([PORT]))


def north(lat: float, km: float) -> float:
    return lat + km / 111.2


def events(*tracks: pl.DataFrame, params: EventParams = EventParams()) -> pl.DataFrame:
    return detect_events(pl.concat(tracks), CTX, params)


def of_type(ev: pl.DataFrame, kind: str) -> pl.DataFrame:
    return ev.filter(pl.col("event_type") == kind)


def test_port_call_found_with_port_name_and_stop() -> None:
    lat, lon = PORT[3], PORT[4]
    t = track(
        999_000_101,
        [(0, north(lat, -40), lon), (2.2, lat, lon), (8, lat + 0.0003, lon), (10.2, north(lat, -40), lon)],
    )
    calls = of_type(events(t), "port_call")
    assert calls.height == 1
    row = calls.row(0, named=True)
    assert row["port"] == "Testport"
    assert 5.5 < row["duration_h"] < 7.0  # inside the 3 km entry radius from ~2.0 h to ~8.2 h
    assert json.loads(row["details"])["port_id"] == "site:test-port"


def test_passing_through_a_port_at_speed_is_no_call() -> None:
    lat, lon = PORT[3], PORT[4]
    t = track(999_000_102, [(0, north(lat, -40), lon), (4, north(lat, 40), lon)])
    assert of_type(events(t), "port_call").height == 0


def test_port_exit_hysteresis_keeps_one_visit() -> None:
    lat, lon = PORT[3], PORT[4]
    band = north(lat, 3.5)  # between the 3 km entry and the 4 km exit radius
    t = track(
        999_000_103,
        [(0, north(lat, -30), lon), (2, lat, lon), (6, lat, lon), (6.2, band, lon), (9, band, lon),
         (9.2, lat, lon), (13, lat, lon), (16, north(lat, -30), lon)],
    )  # fmt: skip
    assert of_type(events(t), "port_call").height == 1
    no_hysteresis = EventParams(port_call=PortCallParams(exit_radius_m=3000))
    assert of_type(events(t, params=no_hysteresis), "port_call").height == 2


def test_gap_reports_positions_distance_speed_and_reachable_site() -> None:
    lat, lon = SEA
    t = track(999_000_201, [(0, lat, lon), (20, north(lat, 100), lon)], silent=((5, 13),))
    gaps = of_type(events(t), "gap")
    assert gaps.height == 1
    row = gaps.row(0, named=True)
    assert 7.9 < row["duration_h"] <= 8.0
    d = json.loads(row["details"])
    assert d["distance_km"] == pytest.approx(40, abs=1.0)
    assert d["implied_speed_kn"] == pytest.approx(40 / 1.852 / 8, rel=0.03)
    assert d["reachable_sites"] == []  # the port is ~200 km away: not reachable in 8 h at 15 kn and back


def test_gap_reachability_includes_site_within_range() -> None:
    lat, lon = PORT[3], PORT[4]
    start = north(lat, -60)
    t = track(999_000_202, [(0, start, lon), (30, start, lon + 0.001)], silent=((3, 27),))
    d = json.loads(of_type(events(t), "gap")["details"][0])
    assert d["reachable_sites"] == ["site:test-port"]


def test_short_silence_is_no_gap_and_threshold_is_configurable() -> None:
    lat, lon = SEA
    t = track(999_000_203, [(0, lat, lon), (12, north(lat, 150), lon)], silent=((3, 7.5),))
    assert of_type(events(t), "gap").height == 0
    params = EventParams(gap=GapParams(min_gap_h=4.0))
    assert of_type(events(t, params=params), "gap").height == 1


def test_intentional_flag_needs_offshore_long_and_dense() -> None:
    lat, lon = SEA
    dense = track(999_000_204, [(0, lat, lon), (40, north(lat, 60), lon)], silent=((14, 28),))
    sparse = track(
        999_000_205, [(0, lat, lon), (40, north(lat, 60), lon)], silent=((14, 28),), interval_s=3600
    )
    # a third ship heard in the same area all along: reception was good during the silence
    witness = track(999_000_206, [(0, lat, lon + 0.3), (40, north(lat, 60), lon + 0.3)], interval_s=600)
    ev = events(dense, sparse, witness)
    flags = {
        r["mmsi"]: json.loads(r["details"])["intentional"] for r in of_type(ev, "gap").iter_rows(named=True)
    }
    assert flags == {999_000_204: True, 999_000_205: False}
    details = json.loads(of_type(ev, "gap").filter(pl.col("mmsi") == 999_000_204)["details"][0])
    assert details["reception"] == "good"
    assert details["others_heard_hours"] == details["silent_hours"] >= 12  # a 14 h silence


def test_gap_where_nobody_was_heard_is_not_called_intentional() -> None:
    """GFW's spirit: a silence during which no other ship was heard nearby says nothing about the
    vessel (reception may simply have been absent)."""
    lat, lon = SEA
    dense = track(999_000_207, [(0, lat, lon), (40, north(lat, 60), lon)], silent=((14, 28),))
    row = of_type(events(dense), "gap").row(0, named=True)
    details = json.loads(row["details"])
    assert details["reception"] == "none"
    assert details["others_heard_hours"] == 0
    assert details["intentional"] is False


def _pair(hours: float, sep_m: float, where: tuple[float, float] = SEA) -> list[pl.DataFrame]:
    lat, lon = where
    approach = north(lat, -30)
    a = track(
        999_000_301,
        [(0, approach, lon), (2, lat, lon), (2 + hours, lat, lon + 0.002), (4 + hours, approach, lon)],
    )
    b_lat = north(lat, sep_m / 1000)
    b = track(999_000_302, [(0, north(b_lat, 30), lon), (2, b_lat, lon), (2 + hours, b_lat, lon + 0.002),
                            (4 + hours, north(b_lat, 30), lon)], interval_s=170)  # fmt: skip
    return [a, b]


def test_encounter_found_once_with_both_vessels() -> None:
    enc = of_type(events(*_pair(3.0, 200)), "encounter")
    assert enc.height == 1
    row = enc.row(0, named=True)
    assert (row["mmsi"], row["other_mmsi"]) == (999_000_301, 999_000_302)
    assert 2.6 <= row["duration_h"] <= 3.2
    assert json.loads(row["details"])["median_distance_m"] == pytest.approx(200, abs=30)


@pytest.mark.parametrize(
    ("hours", "sep", "where"),
    [(1.5, 200, SEA), (3.0, 900, SEA), (3.0, 200, (north(PORT[3], -5), PORT[4]))],
    ids=["too-short", "too-far-apart", "near-port"],
)
def test_no_encounter_when_a_criterion_fails(hours: float, sep: float, where: tuple[float, float]) -> None:
    assert of_type(events(*_pair(hours, sep, where)), "encounter").height == 0


def test_encounter_distance_is_configurable() -> None:
    params = EventParams(encounter=EncounterParams(max_distance_m=1000))
    assert of_type(events(*_pair(3.0, 900), params=params), "encounter").height == 1


def test_loitering_offshore_but_not_near_shore() -> None:
    lat, lon = SEA
    far = track(
        999_000_401,
        [(0, north(lat, -30), lon), (2, lat, lon), (8, lat, lon + 0.01), (10, north(lat, 30), lon)],
    )
    # 5 nm off the Korean coast near Chongjin: slow, but too close to shore for GFW loitering
    near = track(999_000_402, [(0, 41.6, 130.2), (1, 41.62, 129.95), (7, 41.621, 129.951), (8, 41.5, 130.2)])
    loit = of_type(events(far, near), "loitering")
    assert loit["mmsi"].to_list() == [999_000_401]
    assert 5.8 <= loit["duration_h"][0] <= 6.1


def test_spoofing_teleport_and_land_but_not_fast_craft() -> None:
    lat, lon = SEA
    t = track(999_000_501, [(0, lat, lon), (6, north(lat, 130), lon)])
    # one report teleported 100 km east
    t = t.with_columns(
        pl.when(pl.int_range(pl.len()) == 90).then(pl.col("lon") + 1.2).otherwise(pl.col("lon"))
    )
    # a whole track deep inland (north-east China), moving plausibly: unverifiable, not spoofing
    land = track(999_000_502, [(0, 43.9, 127.6), (2, 43.91, 127.61)])
    fast = track(999_000_503, [(0, lat, lon), (3, north(lat, 170), lon)])  # 30 kn, reported
    # a ship at sea whose two consecutive reports jump 370 km inland and back
    jumper = track(999_000_504, [(0, lat, lon), (6, north(lat, 130), lon)]).with_columns(
        pl.when(pl.int_range(pl.len()).is_between(60, 61))
        .then(pl.lit(43.9))
        .otherwise(pl.col("lat"))
        .alias("lat"),
        pl.when(pl.int_range(pl.len()).is_between(60, 61))
        .then(pl.lit(127.6))
        .otherwise(pl.col("lon"))
        .alias("lon"),
    )
    spoof = of_type(events(t, land, fast, jumper), "spoofing")
    kinds = sorted((r["mmsi"], json.loads(r["details"])["kind"]) for r in spoof.iter_rows(named=True))
    assert kinds == [
        (999_000_501, "teleport"),
        (999_000_501, "teleport"),  # out and back
        (999_000_504, "on_land"),
        (999_000_504, "teleport"),
        (999_000_504, "teleport"),
    ]
    on_land = json.loads(spoof.filter(pl.col("details").str.contains("on_land"))["details"][0])
    assert on_land["positions"] == 2 and on_land["jump_in"] and on_land["jump_out"]


@pytest.mark.parametrize(
    ("where", "name"),
    [((43.5, -87.0), "Lake Michigan"), ((38.62, -90.18), "Mississippi at St Louis"),
     ((41.70, -73.945), "Hudson at Poughkeepsie"), ((40.70, -74.02), "New York harbour")],
)  # fmt: skip
def test_inland_water_is_not_land(where: tuple[float, float], name: str) -> None:
    """The land mask knows lakes, rivers and harbours (the old 0.1° grid called these land)."""
    from armswatch.maritime.landmask import inland

    assert not inland([where[0]], [where[1]])[0], name
    assert inland([38.5, 43.9], [-98.0, 127.6]).all()  # Kansas, north-east China


def test_columns_and_types_are_the_public_schema() -> None:
    ev = events(*_pair(3.0, 200))
    assert ev.columns == [
        "event_type", "mmsi", "other_mmsi", "start_utc", "end_utc", "lat", "lon", "duration_h", "port", "details",
    ]  # fmt: skip
    assert ev.schema["start_utc"] == pl.Datetime("us", "UTC")


def test_unknown_event_type_is_an_input_error() -> None:
    from armswatch.errors import InputError

    with pytest.raises(InputError):
        detect_events(track(1, [(0, 1, 1), (1, 1, 1)]), CTX, EventParams(types=("teleports",)))


def test_start_of_data_is_utc() -> None:
    t = track(999_000_601, [(0, *SEA), (1, *SEA)], start=datetime(2026, 1, 1, tzinfo=UTC))
    assert t["ts"][0] == datetime(2026, 1, 1, tzinfo=UTC)


def test_positions_without_required_columns_are_an_input_error() -> None:
    from armswatch.errors import InputError
    from armswatch.maritime.events import detect_events

    with pytest.raises(InputError, match="lacks columns"):
        detect_events(pl.DataFrame({"mmsi": [273000001]}))


def test_fast_craft_without_sog_is_not_teleporting() -> None:
    """Position-only data (no SOG): a 30 kn ferry and a 45 kn speedboat that turns sharply are fast,
    not spoofed; a single fix 100 km off the track still is."""
    lat, lon = SEA
    ferry = track(999_000_601, [(0, lat, lon), (0.5, north(lat, 27.8), lon), (1.0, lat, lon)], interval_s=60)
    # 45 kn out, a tight turn, 60 kn back: the first 60 kn step follows a slow one
    boat = track(
        999_000_602,
        [(0, lat, lon), (0.1, north(lat, 8.3), lon), (0.115, north(lat, 8.4), lon + 0.002),
         (0.19, lat, lon + 0.002)],
        interval_s=90,
    )  # fmt: skip
    jump = track(999_000_603, [(0, lat, lon), (2, north(lat, 40), lon)], interval_s=120).with_columns(
        pl.when(pl.int_range(pl.len()) == 30).then(pl.col("lon") + 1.2).otherwise(pl.col("lon")).alias("lon")
    )
    no_sog = pl.concat([ferry, boat, jump]).with_columns(sog=pl.lit(None, pl.Float32))
    spoof = of_type(events(no_sog), "spoofing")
    assert spoof["mmsi"].unique().to_list() == [999_000_603]
