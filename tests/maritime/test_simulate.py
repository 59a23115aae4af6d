"""The SIMULATED track generator: labelled, deterministic, and its events are recoverable."""

from __future__ import annotations

import polars as pl

from armswatch.maritime.events import Context, detect_events
from armswatch.maritime.schema import POSITION_SCHEMA
from armswatch.maritime.simulate import SIM_MMSI_BASE, SimConfig, ports_frame, score, simulate


def test_simulation_is_labelled_and_in_positions_layout() -> None:
    sim = simulate(SimConfig(n_vessels=6, days=2, seed=3))
    assert sim.simulated
    assert dict(sim.positions.schema) == POSITION_SCHEMA
    assert sim.positions["source"].unique().to_list() == ["simulated"]
    assert sim.positions["mmsi"].min() >= SIM_MMSI_BASE  # type: ignore[operator]
    assert all(n.startswith("SIM ") for n in sim.vessels["name"])


def test_simulation_is_deterministic_per_seed() -> None:
    a = simulate(SimConfig(n_vessels=4, days=2, seed=5))
    b = simulate(SimConfig(n_vessels=4, days=2, seed=5))
    c = simulate(SimConfig(n_vessels=4, days=2, seed=6))
    assert a.positions.equals(b.positions)
    assert not a.positions.equals(c.positions)


def test_truth_has_every_event_type() -> None:
    sim = simulate(SimConfig(n_vessels=20, days=4, seed=2, p_spoof=1.0))
    assert set(sim.truth["event_type"]) == {"port_call", "gap", "encounter", "loitering", "spoofing"}


def test_precision_and_recall_at_least_095_on_simulated_tracks() -> None:
    sim = simulate(SimConfig(n_vessels=24, days=4, seed=9))
    ev = detect_events(sim.positions, Context.build(ports_frame()))
    scores = {s.event_type: s for s in score(ev, sim.truth)}
    assert set(scores) == {"port_call", "gap", "encounter", "loitering", "spoofing"}
    for s in scores.values():
        assert s.precision >= 0.95, s
        assert s.recall >= 0.95, s


def test_score_counts_misses_and_false_alarms() -> None:
    sim = simulate(SimConfig(n_vessels=8, days=3, seed=4))
    truth = sim.truth
    fake = truth.head(1).with_columns(pl.col("mmsi") + 1_000)  # a detection on the wrong vessel
    dropped = truth.slice(1)  # the first truth event is missed
    scores = {s.event_type: s for s in score(pl.concat([fake, dropped], how="diagonal"), truth)}
    kind = truth["event_type"][0]
    assert scores[kind].recall < 1.0
    assert scores[kind].precision < 1.0
