"""A workspace with a SIMULATED dark caller: AIS off at sea, an unreported call at Rajin, back at sea."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from armswatch.maritime import store
from armswatch.maritime.schema import POSITION_SCHEMA, conform
from armswatch.maritime.simulate import track
from armswatch.sites.starter import load_starter
from armswatch.workspace import Workspace

START = datetime(2026, 2, 2, tzinfo=UTC)
RAJIN = (42.233333, 130.3)
MMSI = 999_100_002
#: silent from 9 h to 37 h; truly at Rajin from 16 h to 30 h
WAYPOINTS: list[tuple[float, float, float]] = [
    (0, 41.2, 132.2),
    (10, 41.9, 131.2),
    (16, *RAJIN),
    (30, *RAJIN),
    (36, 41.9, 131.2),
    (48, 41.2, 132.4),
]
SILENT = ((9.0, 37.0),)


def dark_caller() -> pl.DataFrame:
    return track(MMSI, WAYPOINTS, start=START, interval_s=180, silent=SILENT)


def load_positions(ws: Workspace, positions: pl.DataFrame) -> str:
    art = ws.add_artifact(b"simulated dark caller", name="sim.parquet", simulated=True)
    with ws.run("ais.simulate", parameters={}) as run:
        run.add_output(art.id)
        rows = conform(positions, POSITION_SCHEMA).with_columns(
            source=pl.lit(art.id), line=pl.int_range(1, pl.len() + 1, dtype=pl.UInt64)
        )
        store.write_positions(ws, rows)
    return str(art.id)


@pytest.fixture()
def dark_ws(ws: Workspace) -> Workspace:
    ws.save_sites(load_starter("dprk-russia"))
    load_positions(ws, dark_caller())
    return ws
