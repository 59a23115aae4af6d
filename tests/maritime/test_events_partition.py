"""Events spanning midnight / partition boundaries are found exactly once and whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armswatch.maritime.coverage import CoverageParams
from armswatch.maritime.events import Context, EventParams, detect_events
from armswatch.maritime.partition import PartitionParams
from armswatch.maritime.port import watched_ports_frame
from armswatch.maritime.simulate import SimConfig, ports_frame, simulate, track

PORT = ("site:test-port", "Testport", "KP", 42.34, 130.39)
CTX = Context.build(watched_ports_frame([PORT]))
# 20:00 UTC: every event below runs across the following midnight
EVENING = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


def _across_midnight() -> pl.DataFrame:
    lat, lon = 40.5, 133.0
    port_lat, port_lon = PORT[3], PORT[4]
    caller = track(
        999_000_701,
        [
            (0, port_lat - 0.3, port_lon),
            (1.5, port_lat, port_lon),
            (8, port_lat, port_lon),
            (9.5, port_lat - 0.3, port_lon),
        ],
        start=EVENING,
    )
    dark = track(999_000_702, [(0, lat, lon), (16, lat + 0.8, lon)], silent=((2, 10),), start=EVENING)
    a = track(
        999_000_703,
        [(0, lat - 0.27, lon + 1), (2, lat, lon + 1), (6, lat, lon + 1.002), (8, lat - 0.27, lon + 1)],
        start=EVENING,
    )
    b = track(999_000_704, [(0, lat + 0.27, lon + 1), (2, lat + 0.002, lon + 1), (6, lat + 0.002, lon + 1.002),
                            (8, lat + 0.27, lon + 1)], start=EVENING, interval_s=150)  # fmt: skip
    return pl.concat([caller, dark, a, b])


def test_events_across_midnight_found_once_and_whole() -> None:
    ev = detect_events(_across_midnight(), CTX)
    for kind, mmsi in (("port_call", 999_000_701), ("gap", 999_000_702), ("encounter", 999_000_703)):
        rows = ev.filter((pl.col("event_type") == kind) & (pl.col("mmsi") == mmsi))
        assert rows.height == 1, kind
        assert rows["start_utc"][0] < MIDNIGHT < rows["end_utc"][0], kind
    enc = ev.filter(pl.col("event_type") == "encounter").row(0, named=True)
    assert enc["other_mmsi"] == 999_000_704
    assert 3.5 <= enc["duration_h"] <= 4.1  # whole: ~4 h, not cut at midnight
    gap = ev.filter(pl.col("event_type") == "gap").row(0, named=True)
    assert 7.9 <= gap["duration_h"] <= 8.0


def test_partitioning_changes_nothing_on_simulated_week() -> None:
    sim = simulate(SimConfig(n_vessels=14, days=4, seed=11))
    ctx = Context.build(ports_frame())
    whole = detect_events(sim.positions, ctx, partitioned=False)
    parts = detect_events(
        sim.positions, ctx, EventParams(partition=PartitionParams(n_buckets=3, bucket_rows=5_000))
    )
    assert parts.height > 40
    assert _normal(parts) == _normal(whole)


def _normal(ev: pl.DataFrame) -> list[tuple[object, ...]]:
    """Rows with floats rounded (float sums may differ in the last bit between chunkings)."""

    def clean(v: object) -> object:
        if isinstance(v, float):
            return round(v, 6)
        if isinstance(v, dict):
            return tuple(sorted((k, clean(x)) for k, x in v.items()))
        if isinstance(v, list):
            return tuple(clean(x) for x in v)
        return v

    return [
        tuple(clean(json.loads(v) if k == "details" else v) for k, v in row.items())
        for row in ev.iter_rows(named=True)
    ]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start_h=st.floats(min_value=0, max_value=23.9),
    silence=st.lists(st.tuples(st.floats(0.5, 30), st.floats(0.1, 20)), max_size=4),
    buckets=st.integers(1, 5),
)
def test_gaps_match_definition_whatever_the_partitioning(
    start_h: float, silence: list[tuple[float, float]], buckets: int
) -> None:
    """Gaps equal the consecutive differences >= 6 h, wherever the day boundaries fall."""
    windows = []
    t = 0.0
    for offset, length in silence:
        windows.append((t + offset, t + offset + length))
        t += offset + length
    start = (
        datetime(2026, 3, 1, tzinfo=UTC)
        + (datetime(2026, 3, 1, 1, tzinfo=UTC) - datetime(2026, 3, 1, tzinfo=UTC)) * start_h
    )
    pos = track(999_000_801, [(0, 40.5, 133.0), (t + 2, 40.6, 133.0)], start=start, interval_s=600,
                silent=tuple(windows))  # fmt: skip
    params = EventParams(types=("gap",), partition=PartitionParams(n_buckets=buckets, bucket_rows=50))
    gaps = detect_events(pos, CTX, params)
    diffs = pos.select(pl.col("ts").diff().dt.total_seconds() / 3600).to_series().drop_nulls()
    assert gaps.height == int((diffs >= 6).sum())
    assert sorted(gaps["duration_h"].round(6).to_list()) == sorted(
        diffs.filter(diffs >= 6).round(6).to_list()
    )


_SIM = simulate(SimConfig(n_vessels=8, days=3, seed=21, p_spoof=0.5))
_SIM_CTX = Context.build(ports_frame())
_SIM_BASE = detect_events(_SIM.positions, _SIM_CTX)
# coverage (outages, a gap's reception) is counted in UTC hours: shifts of part of an hour move
# that grid, so the 10-min offsets are checked with coverage off, whole hours with it on
_NO_COVERAGE = EventParams(coverage=CoverageParams(enabled=False))
_SIM_BASE_NO_COVERAGE = detect_events(_SIM.positions, _SIM_CTX, _NO_COVERAGE)


def _shifted(delta: timedelta, params: EventParams) -> list[tuple[object, ...]]:
    shifted = detect_events(_SIM.positions.with_columns(pl.col("ts") + delta), _SIM_CTX, params)
    return _normal(shifted.with_columns(pl.col("start_utc") - delta, pl.col("end_utc") - delta))


@pytest.mark.parametrize("slots", range(1, 144))
def test_shifting_time_moves_midnight_but_not_the_events(slots: int) -> None:
    """Whatever the clock offset (so day boundaries cut the tracks elsewhere), the same events come
    out, shifted by the offset (whole 10-min slots, so the encounter resampling grid is unchanged).
    Every offset of the day is run (not a random sample), so a failure cannot come and go."""
    assert _shifted(timedelta(minutes=10 * slots), _NO_COVERAGE) == _normal(_SIM_BASE_NO_COVERAGE)


@pytest.mark.parametrize("hours", range(1, 24))
def test_shifting_whole_hours_changes_nothing_with_coverage(hours: int) -> None:
    assert _shifted(timedelta(hours=hours), EventParams()) == _normal(_SIM_BASE)


def test_days_without_positions_cost_nothing_and_change_nothing() -> None:
    from armswatch.maritime.event import empty_events
    from armswatch.maritime.partition import days_of, detect_partitioned

    # a gap of 40 days: the carry crosses 39 empty days; they must not each run the detectors
    quiet = track(999_000_720, [(0, 40.5, 133.0), (4, 40.5, 133.1)], start=EVENING)
    later = track(999_000_720, [(0, 40.6, 133.1), (4, 40.6, 133.0)], start=datetime(2026, 4, 10, tzinfo=UTC))
    pos = pl.concat([quiet, later])
    days = days_of(pos.lazy())
    assert [d.date().isoformat() for d in days] == ["2026-03-01", "2026-03-02", "2026-04-10"]
    calls: list[int] = []

    def count(frame: pl.DataFrame) -> pl.DataFrame:
        calls.append(frame.height)
        return empty_events()

    assert detect_partitioned(pos, count, None).height == 0
    assert len(calls) == 3
    gap = detect_events(pos, CTX).filter(pl.col("event_type") == "gap")
    assert gap.height == 1 and gap["duration_h"][0] == 24 * 39  # 2 March 00:00 to 10 April 00:00
