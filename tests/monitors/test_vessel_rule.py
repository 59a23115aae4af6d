from __future__ import annotations

from datetime import timedelta

import polars as pl
from tests.monitors.feed import T0

from armswatch.monitors.vessel_rule import dark_events, first_new_without_past, port_entries

UTC_US = pl.Datetime("us", "UTC")


def frame(rows: list[tuple[int, float, float, float, str]]) -> pl.DataFrame:
    """rows: mmsi, hours after T0, lat, lon, source."""
    return pl.DataFrame(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [T0 + timedelta(hours=r[1]) for r in rows],
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "source": [r[4] for r in rows],
        },
        schema_overrides={"mmsi": pl.UInt32, "ts": UTC_US},
    ).sort("mmsi", "ts")


def test_closed_and_open_silences_are_found_only_at_or_above_the_threshold() -> None:
    w = frame([
        (1, 0, 40, 130, "old"), (1, 5, 40, 130, "old"), (1, 19, 41, 131, "new"),  # 14 h closed by a new report
        (2, 0, 40, 130, "old"), (2, 8, 40, 130, "new"), (2, 15, 40, 130, "new"),  # 8 h, 7 h, 9 h: under
        (3, 0, 40, 130, "old"), (3, 20, 40, 130, "new"),  # 20 h... but still reporting now
        (4, 2, 40, 130, "old"),  # silent since hour 2: open at now = 24
    ])  # fmt: skip
    ev = dark_events(w, {"new"}, T0 + timedelta(hours=24), 12.0)
    got = {(r["mmsi"], r["open"], round(r["silent_h"])) for r in ev.iter_rows(named=True)}
    assert got == {(1, False, 14), (3, False, 20), (4, True, 22)}
    closed = ev.filter(pl.col("mmsi") == 1).row(0, named=True)
    assert closed["off_ts"] == T0 + timedelta(hours=5) and closed["on_source"] == "new"


def test_an_old_silence_is_not_closed_again_by_old_data() -> None:
    w = frame([(1, 0, 40, 130, "old"), (1, 30, 40, 130, "old"), (1, 31, 40, 130, "new")])
    assert dark_events(w, {"new"}, T0 + timedelta(hours=31), 12.0).height == 0


def test_the_position_before_the_window_closes_a_long_silence() -> None:
    w = frame([(7, 50, 40, 130, "new")])
    assert first_new_without_past(w, {"new"}) == [7]
    before = frame([(7, 0, 40, 130, "old")])
    ev = dark_events(w, {"new"}, T0 + timedelta(hours=50), 12.0, before)
    assert ev.height == 1 and ev["off_ts"][0] == T0 and not ev["open"][0]


def test_port_entries_from_outside_after_a_silence_and_not_while_staying() -> None:
    lat, lon = 42.0, 130.0
    w = frame([
        (1, 0, 41.5, 130, "old"), (1, 1, 42.0, 130, "new"), (1, 2, 42.001, 130, "new"),  # enters once
        (2, 0, 42.0, 130, "old"), (2, 1, 42.0, 130, "new"),  # already inside: no entry
        (3, 0, 42.0, 130, "old"), (3, 10, 42.0, 130, "new"),  # back after 10 h: an entry
        (4, 3, 42.0, 130, "new"),  # first position ever, inside
    ])  # fmt: skip
    got = port_entries(w, {"new"}, lat, lon, 3000.0)
    assert sorted(zip(got["mmsi"].to_list(), got["ts"].to_list(), strict=True)) == [
        (1, T0 + timedelta(hours=1)), (3, T0 + timedelta(hours=10)), (4, T0 + timedelta(hours=3)),
    ]  # fmt: skip
