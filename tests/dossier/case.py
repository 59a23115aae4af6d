"""A small case made in code for the dossier tests (SIMULATED tracks, made-up list and register).

Vessel: IMO 8660313, MMSI 445301000, renamed from ``SUN BONG`` to a hostile ``<script>`` name; it calls
at Rajin, goes dark for 10 h, calls at Vostochny. A made-up list names the vessel, its owner company
(designated) and the ownership link; the register names the same owner. One finding of a kind the
dossier does not know (``voyage.dark``) names the vessel; one finding naming it is rejected.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from shapely.geometry import Point

from armswatch.entities.ingest import import_list
from armswatch.maritime import store
from armswatch.maritime.schema import empty_statics
from armswatch.maritime.simulate import track
from armswatch.sites.model import Site
from armswatch.workspace import Workspace

IMO = "8660313"
MMSI = 445301000
HOSTILE = "<script>alert(1)</script>"
OWNER = "Lantern Harbour Shipping Ltd"
T0 = datetime(2026, 2, 1, tzinfo=UTC)
RAJIN = (42.2333, 130.3)
VOSTOCHNY = (42.75, 133.0833)

REGISTER = (
    "imo,name,flag,owner,manager,operator,from,to,source\n"
    f"{IMO},SUN BONG,KP,{OWNER},Korea Ship Management,,2015-01,2019-06-30,Register extract A\n"
    f'{IMO},{HOSTILE},SL,"=HYPERLINK(""http://x"")",,Ocean Ops,2019-07-01,,Register extract A\n'
    "1234568,BAD IMO SHIP,KP,X,,,2010,2011,bad check digit\n"
    f"{IMO},X,KP,Y,,,2020-13,,bad month\n"
    f"{IMO},X,KP,Y,,,2020-05-01,2019-01-01,ends before it starts\n"
)


def sites() -> list[Site]:
    return [
        Site(id="rajin-port", name="Rajin port", country="KP", kind="port", precision="facility",
             geometry=Point(RAJIN[1], RAJIN[0]), sources=("https://example.org/rajin",), notes="Coal and container port."),
        Site(id="vostochny-port", name="Vostochny port", country="RU", kind="port", precision="facility",
             geometry=Point(VOSTOCHNY[1], VOSTOCHNY[0])),
        Site(id="test-plant", name="Test plant", country="KP", kind="production", precision="approximate",
             geometry=Point(129.9, 41.8), sources=("Panel of Experts report S/2024/215, annex 12",),
             notes="Said to assemble 122 mm rockets."),
    ]  # fmt: skip


def positions(mmsi: int = MMSI) -> pl.DataFrame:
    """Berth at Rajin 12 h, sail to Vostochny (dark 10 h on the way), berth 12 h."""
    pts = [
        (0, *RAJIN),
        (12, *RAJIN),
        (14, 42.30, 130.9),
        (40, 42.70, 132.8),
        (44, *VOSTOCHNY),
        (56, *VOSTOCHNY),
    ]
    return track(mmsi, pts, start=T0, interval_s=300, silent=((20, 30),))


def _entities() -> list[dict[str, Any]]:
    def ent(i: str, schema: str, **props: Any) -> dict[str, Any]:
        return {
            "id": i,
            "schema": schema,
            "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()},
        }

    return [
        ent("t-vessel", "Vessel", name="SUN BONG", imoNumber=IMO, mmsi=str(MMSI), flag="kp"),
        ent("t-owner", "Company", name=OWNER),
        ent("t-own", "Ownership", owner="t-owner", asset="t-vessel", role="registered owner"),
        ent("t-sanction", "Sanction", entity="t-owner", authority="Test Authority", program="TEST-1",
            listingDate="2017-08-05"),
    ]  # fmt: skip


def build(ws: Workspace, tmp: Path) -> dict[str, str]:
    """Fill ``ws``; returns ids of interest."""
    ws.save_sites(sites())
    pos = positions()
    art = ws.add_artifact(pos.write_csv().encode(), name="sim-track.csv", simulated=True)
    with ws.run("ais.simulate", parameters={"test": True}) as run:
        run.add_output(art.id)
        store.write_positions(
            ws, pos.with_columns(source=pl.lit(art.id), line=pl.int_range(1, pl.len() + 1, dtype=pl.UInt64))
        )
        statics = pl.DataFrame({
            "mmsi": [MMSI, MMSI], "ts": [T0, T0 + timedelta(hours=30)], "imo": [IMO, IMO],
            "name": ["SUN BONG", HOSTILE], "callsign": ["HMSB", "HMSB"], "ship_type": [80, 80],
            "source": [art.id, art.id], "line": [1, 2],
        })  # fmt: skip
        statics = pl.concat([empty_statics(), statics], how="diagonal_relaxed").select(
            empty_statics().columns
        )
        store.write_statics(ws, statics)
    lines = "\n".join(json.dumps(e) for e in _entities()) + "\n"
    path = tmp / "test-list.ftm.json"
    path.write_text(lines, encoding="utf-8")
    import_list(ws, path, format="ftm", dataset="test_list", list_date=date(2025, 1, 1))
    reg = tmp / "register.csv"
    reg.write_text(REGISTER, encoding="utf-8")
    ev = ws.add_artifact(b"analyst note: seen at pier 3", name="sighting.txt", simulated=True)
    with ws.run("voyage.reconstruct", parameters={"test": True}, inputs=[ev.id]) as run:
        dark = run.add_finding(
            kind="voyage.dark", title=f"Dark voyage of {HOSTILE}", summary="Reconstructed leg Rajin → Vostochny.",
            subjects=[f"vessel:mmsi:{MMSI}", "site:rajin-port", "site:vostochny-port"],
            geometry={"type": "LineString", "coordinates": [[130.9, 42.3], [132.8, 42.7]]},
            start=T0 + timedelta(hours=20), end=T0 + timedelta(hours=30), confidence="likely", evidence=[ev.id],
        )  # fmt: skip
        wrong = run.add_finding(
            kind="voyage.dark", title="REJECTED-LEG to Nakhodka", summary="A wrong reconstruction.",
            subjects=[f"vessel:imo:{IMO}"], geometry={"type": "Point", "coordinates": [132.9, 42.8]},
            start=T0 + timedelta(hours=21), end=T0 + timedelta(hours=22), evidence=[ev.id],
        )  # fmt: skip
    ws.review_finding(wrong, "rejected", "wrong port")
    return {"dark": dark, "rejected": wrong, "register": str(reg)}
