"""Demo part: a SIMULATED DPRK–Russia shipping scenario, ingested and analysed in the workspace.

Everything here is SIMULATED: vessel names start with "SIM ", MMSIs are 999xxxxxx (MID 999 is not
allocated), no IMO numbers are used, and the positions artifact is stored with ``simulated=True``
so every finding derived from it is marked simulated.

Scenario (2026-02-02 .. 2026-02-09 UTC):

* SIM MORNING STAR shuttles Rajin → Vostochny → Rajin → Dunai → Rajin, AIS off on one leg;
* SIM PINE HARBOUR goes dark at sea, makes an unreported call at Rajin, and reappears;
* SIM EAST WIND (from Vostochny) and SIM RIVER GULL (from Rajin) meet off Rajin for ~4 h;
* ordinary SIMULATED traffic between Chongjin, Wonsan and Nakhodka around them.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from armswatch.maritime import store
from armswatch.maritime.events import analyse_workspace
from armswatch.maritime.schema import POSITION_SCHEMA, conform, empty_statics
from armswatch.maritime.simulate import SimConfig, simulate, track

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

START = datetime(2026, 2, 2, tzinfo=UTC)
RAJIN = (42.233333, 130.3)  # World Port Index harbour points, as the starter watchlist
VOSTOCHNY = (42.75, 133.083333)
DUNAI = (42.88, 132.3375)
OFFSHORE = (42.15, 131.2)  # open water between Rajin and Peter the Great Gulf
MEETING = (42.05, 130.75)  # ~45 km south-east of Rajin, > 10 km from any port

BACKGROUND_PORTS = (("Chongjin", 41.78, 129.83), ("Wonsan", 39.17, 127.48), ("Nakhodka", 42.80, 132.88))


def _leg(
    a: tuple[float, float], b: tuple[float, float], t: float, hours: float
) -> list[tuple[float, float, float]]:
    return [(t, *a), (t + hours, *b)]


def scenario() -> tuple[pl.DataFrame, pl.DataFrame]:
    """SIMULATED positions and vessel names of the demo scenario."""
    shuttle = track(
        999_100_001,
        [(0, *RAJIN), (14, *RAJIN), (20, *OFFSHORE), (30, *VOSTOCHNY), (48, *VOSTOCHNY), (58, *OFFSHORE),
         (64, *RAJIN), (80, *RAJIN), (86, *OFFSHORE), (94, *DUNAI), (110, *DUNAI), (118, *OFFSHORE),
         (124, *RAJIN), (140, *RAJIN)],
        start=START, interval_s=180, silent=((50, 62),),
    )  # fmt: skip
    dark_caller = track(
        999_100_002,
        [(0, 41.2, 132.2), (10, 41.9, 131.2), (16, *RAJIN), (30, *RAJIN), (36, 41.9, 131.2), (48, 41.2, 132.4)],
        start=START, interval_s=180, silent=((9, 37),),
    )  # fmt: skip
    meet_a = track(
        999_100_003,
        [(0, *VOSTOCHNY), (30, *VOSTOCHNY), (40, *OFFSHORE), (45, *MEETING), (49, MEETING[0], MEETING[1] + 0.003),
         (55, *OFFSHORE), (65, *VOSTOCHNY), (80, *VOSTOCHNY)],
        start=START, interval_s=150,
    )  # fmt: skip
    meet_b = track(
        999_100_004,
        [(0, *RAJIN), (41, *RAJIN), (45, MEETING[0] + 0.0018, MEETING[1]),
         (49, MEETING[0] + 0.0018, MEETING[1] + 0.003), (53, *RAJIN), (80, *RAJIN)],
        start=START, interval_s=200,
    )  # fmt: skip
    background = simulate(
        SimConfig(
            n_vessels=6, start=START, days=6, seed=2026, p_spoof=0.0, p_dark=0.0, ports=BACKGROUND_PORTS
        )
    )
    scripted = pl.concat([shuttle, dark_caller, meet_a, meet_b])
    positions = pl.concat(
        [conform(scripted, POSITION_SCHEMA), background.positions.select(list(POSITION_SCHEMA))]
    )
    names = pl.DataFrame(
        {
            "mmsi": [999_100_001, 999_100_002, 999_100_003, 999_100_004, *background.vessels["mmsi"].to_list()],
            "name": ["SIM MORNING STAR", "SIM PINE HARBOUR", "SIM EAST WIND", "SIM RIVER GULL",
                     *background.vessels["name"].to_list()],
        },
        schema_overrides={"mmsi": pl.UInt32},
    )  # fmt: skip
    return positions.sort("mmsi", "ts"), names


def build_demo(ws: Workspace) -> None:
    """Write the SIMULATED scenario into the workspace's AIS tables and run ``ais.events`` on it."""
    positions, names = scenario()
    buf = io.BytesIO()
    positions.write_parquet(buf)
    art = ws.add_artifact(
        buf.getvalue(),
        name="simulated-dprk-russia-ais.parquet",
        media_type="application/vnd.apache.parquet",
        metadata={"kind": "ais", "simulated": True, "generator": "armswatch.maritime.demo"},
        simulated=True,
    )
    with ws.run("ais.simulate", parameters={"scenario": "dprk-russia-demo"}) as run:
        run.add_output(art.id)
        rows = positions.with_columns(
            source=pl.lit(art.id), line=pl.int_range(1, pl.len() + 1, dtype=pl.UInt64)
        )
        written = store.write_positions(ws, rows)
        statics = names.with_columns(ts=pl.lit(START), source=pl.lit(art.id), line=pl.lit(0, pl.UInt64))
        store.write_statics(ws, pl.concat([empty_statics(), conform(statics, dict(empty_statics().schema))]))
        run.summary.update({"positions": written.added, "vessels": names.height, "simulated": True})
    analyse_workspace(ws)
