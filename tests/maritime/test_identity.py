"""Vessel identity: history, changes, shared MMSIs, IMO conflicts, flag mismatches."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.maritime.identity import (
    IdentityParams,
    flag_mismatches,
    identity_changes,
    identity_findings,
    identity_history,
    imo_conflicts,
    impossible_jumps,
    position_counts,
    shared_mmsi,
    vessel_table,
)
from armswatch.maritime.schema import POSITION_SCHEMA, STATIC_SCHEMA, conform

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def statics(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, infer_schema_length=None), STATIC_SCHEMA)


def track(mmsi: int, points: list[tuple[float, float]], step_min: float = 10) -> pl.DataFrame:
    return conform(
        pl.DataFrame(
            {
                "mmsi": [mmsi] * len(points),
                "ts": [T0 + timedelta(minutes=step_min * i) for i in range(len(points))],
                "lat": [p[0] for p in points],
                "lon": [p[1] for p in points],
            }
        ),
        POSITION_SCHEMA,
    )


def test_history_normalises_text_and_records_changes() -> None:
    st_ = statics(
        [
            {"mmsi": 445111000, "ts": T0, "name": "CHON MA SAN", "imo": "9161003", "callsign": "HMYP"},
            {"mmsi": 445111000, "ts": T0 + timedelta(hours=6), "name": " chon  ma san", "imo": "9161003"},
            {"mmsi": 445111000, "ts": T0 + timedelta(hours=7), "name": "CHON-MASAN", "imo": "9161003"},
            {
                "mmsi": 445111000,
                "ts": T0 + timedelta(days=3),
                "name": "SUN RISE",
                "imo": "9161004",
            },  # bad IMO
            {"mmsi": 445111000, "ts": T0 + timedelta(days=4), "name": "SUN RISE", "callsign": "HMZZ"},
        ]
    )
    history = identity_history(st_)
    names = history.filter(pl.col("attribute") == "name")
    assert names["value"].to_list() == ["CHON MA SAN", "SUN RISE"]
    assert names["reports"].to_list() == [3, 2]  # spelling variants are one value
    assert history.filter(pl.col("attribute") == "imo")["value"].to_list() == [
        "9161003"
    ]  # 9161004 fails check
    changes = identity_changes(history).sort("attribute")
    assert changes.select("attribute", "old", "new").rows() == [("callsign", "HMYP", "HMZZ"),
                                                                 ("name", "CHON MA SAN", "SUN RISE")]  # fmt: skip
    table = vessel_table(st_)
    row = table.row(0, named=True)
    assert (row["flag"], row["kind"], row["name"], row["names"], row["callsign"]) == (
        "KP",
        "ship",
        "SUN RISE",
        2,
        "HMZZ",
    )


def test_shared_mmsi_needs_repeated_impossible_jumps() -> None:
    two_ships = track(273111000, [(43.0, 131.9) if i % 2 else (42.3, 130.4) for i in range(10)])
    one_glitch = track(273222000, [(43.0, 131.9)] * 4 + [(10.0, 10.0)] + [(43.0, 131.9)] * 4)
    normal = track(273333000, [(43.0 + 0.04 * i, 131.9) for i in range(10)])  # ~14 kn
    positions = pl.concat([two_ships, one_glitch, normal])
    jumps = impossible_jumps(positions)
    assert set(jumps["mmsi"]) == {273111000, 273222000}
    shared = shared_mmsi(jumps, IdentityParams(min_impossible=3))
    assert shared["mmsi"].to_list() == [273111000]
    assert shared["jumps"].to_list() == [9]


def test_same_time_different_place_is_impossible() -> None:
    a = track(273111000, [(43.0, 131.9)], 0)
    b = track(273111000, [(42.0, 131.9)], 0)
    jumps = impossible_jumps(pl.concat([a, b]))
    assert jumps.height == 1 and jumps["hours"][0] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 359.9), st.floats(0, 30)), min_size=2, max_size=30),
    st.floats(-60, 60),
    st.floats(-170, 170),
)
def test_tracks_below_the_speed_limit_are_never_flagged(
    legs: list[tuple[float, float]], lat: float, lon: float
) -> None:
    points = [(lat, lon)]
    for bearing, knots in legs:  # 10 minute legs at up to 30 kn
        km = knots * 1.852 / 6
        la, lo = points[-1]
        dlat = km / 111.2 * math.cos(math.radians(bearing))
        dlon = km / (111.2 * max(math.cos(math.radians(la)), 0.1)) * math.sin(math.radians(bearing))
        points.append((max(min(la + dlat, 89.0), -89.0), ((lo + dlon + 180) % 360) - 180))
    assert impossible_jumps(track(273111000, points)).height == 0


def test_imo_conflict_only_when_periods_overlap() -> None:
    rows = [
        {"mmsi": 273111000, "ts": T0, "imo": "9161003"},
        {"mmsi": 273111000, "ts": T0 + timedelta(days=2), "imo": "9161003"},
        {"mmsi": 445111000, "ts": T0 + timedelta(days=1), "imo": "9161003"},
        {"mmsi": 445111000, "ts": T0 + timedelta(days=3), "imo": "9161003"},
        # re-flag: old MMSI stops before the new one starts
        {"mmsi": 636111000, "ts": T0, "imo": "9295268"},
        {"mmsi": 636111000, "ts": T0 + timedelta(days=1), "imo": "9295268"},
        {"mmsi": 351111000, "ts": T0 + timedelta(days=2), "imo": "9295268"},
        {"mmsi": 351111000, "ts": T0 + timedelta(days=5), "imo": "9295268"},
    ]
    conflicts = imo_conflicts(statics(rows))
    assert conflicts.select("imo", "mmsi_a", "mmsi_b").rows() == [("9161003", 273111000, 445111000)]
    assert conflicts["overlap_start"][0] == T0 + timedelta(days=1)


def test_flag_mismatch_by_imo_or_mmsi() -> None:
    st_ = statics(
        [
            {"mmsi": 445111000, "ts": T0, "imo": "9161003"},
            {"mmsi": 351111000, "ts": T0, "imo": "9295268"},
            {"mmsi": 273111000, "ts": T0, "name": "VOSTOK"},
        ]
    )
    vessels = vessel_table(st_)
    declared = pl.DataFrame({"imo": ["9161003", "9295268", None], "mmsi": [None, None, "273111000"],
                             "flag": ["pa", "PA", "KP"]})  # fmt: skip
    out = flag_mismatches(vessels, declared).sort("mmsi")
    assert out.select("mmsi", "flag", "declared_flag").rows() == [
        (273111000, "RU", "KP"),
        (445111000, "KP", "PA"),
    ]


def test_identity_findings_end_to_end() -> None:
    st_ = statics(
        [
            {"mmsi": 445111000, "ts": T0, "name": "A"},
            {"mmsi": 445111000, "ts": T0 + timedelta(days=1), "name": "B"},
        ]
    )
    positions = track(445111000, [(39.0, 127.0) if i % 2 else (42.0, 130.0) for i in range(6)])
    findings, stats = identity_findings(st_, positions.lazy())
    kinds = sorted(f.kind for f in findings)
    assert kinds == ["ais.identity.change", "ais.identity.shared-mmsi"]
    assert stats["shared_mmsi"] == 1 and stats["changes"] == 1
    shared = next(f for f in findings if f.kind == "ais.identity.shared-mmsi")
    assert shared.geometry is not None and shared.geometry["type"] == "MultiPoint"
    assert shared.subjects == ("vessel:mmsi:445111000",)
    counts = position_counts(positions.lazy())
    assert counts["positions"].to_list() == [6]


def test_cli_identity_takes_declared_flags_from_imported_lists(ws: Any, tmp_path: Any) -> None:
    import json
    from datetime import date

    import typer
    from typer.testing import CliRunner

    from armswatch.cli.ais_ingest import register
    from armswatch.entities.ingest import import_list
    from armswatch.maritime.store import write_positions, write_statics

    vessel = {"id": "v-chon-ma-san", "schema": "Vessel",
              "properties": {"name": ["CHON MA SAN"], "imoNumber": ["9161003"], "flag": ["kp"]}}  # fmt: skip
    listing = tmp_path / "list.jsonl"
    listing.write_text(json.dumps(vessel) + "\n")
    import_list(ws, listing, format="ftm", dataset="test_list", list_date=date(2024, 1, 1))
    src = ws.add_artifact(b"SIMULATED AIS for a test", name="ais.txt", simulated=True).id
    # broadcast under a Panamanian MMSI (MID 352) while the list says DPRK
    write_statics(
        ws, statics([{"mmsi": 352111000, "ts": T0, "imo": "9161003", "name": "CHON MA SAN", "source": src}])
    )
    write_positions(
        ws, track(352111000, [(39.0, 125.0), (39.01, 125.0)]).with_columns(pl.lit(src).alias("source"))
    )
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["identity", "-w", str(ws.root), "-q"])
    assert res.exit_code == 0, res.output
    found = ws.list_findings(kind="ais.identity.flag-mismatch")
    assert len(found) == 1
    assert "entity:v-chon-ma-san" in found[0].subjects
    assert found[0].details["declared_flag"] == "KP" and found[0].details["mid_flag"] == "PA"
    assert found[0].evidence == (src,) or list(found[0].evidence) == [src]
    res = CliRunner().invoke(app, ["identity", "-w", str(ws.root), "-q", "--no-flags-from-entities"])
    assert res.exit_code == 0
    assert len(ws.list_findings(kind="ais.identity.flag-mismatch")) == 1  # the second run added none


def test_demo_part_ingests_simulated_feed_and_records_each_identity_finding(ws: Any) -> None:
    from armswatch.cli.ais_ingest import build_demo

    build_demo(ws)
    findings = ws.list_findings()
    assert sorted(f.kind for f in findings) == [
        "ais.identity.change",
        "ais.identity.imo-conflict",
        "ais.identity.shared-mmsi",
    ]
    assert all(f.simulated for f in findings)
    ingest_run = ws.list_runs(tool="ais.ingest")[0]
    assert ingest_run.summary["rejected_total"] == 0 and ingest_run.summary["positions"]["added"] == 108


def test_change_finding_keeps_the_first_50_changes_and_says_how_many() -> None:
    rows = [{"mmsi": 445111000, "ts": T0 + timedelta(hours=i), "name": f"NAME {i}"} for i in range(61)]
    findings, _ = identity_findings(statics(rows), track(445111000, [(39.0, 127.0)]).lazy())
    change = next(f for f in findings if f.kind == "ais.identity.change")
    assert len(change.details["changes"]) == 50 and change.details["changes_total"] == 60
    assert change.details["changes"][0]["old"] == "NAME 0"
