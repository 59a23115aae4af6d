"""A case shaped like a first hour on real data, small enough for the browser tests.

What the real data looked like (NOAA AIS of New York harbour, a Sentinel-2 patch in Slovenia) and what
the demo never had: AIS nowhere near Korea, 120 vessels (more than a page), a vessel silent for five
months between two files, stored events (more than a page), names in Cyrillic and Hangul (and markup),
a polygon site with stored scenes, two of them all cloud, and a change series.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from shapely.geometry import box

from armswatch.auth.roles import ROLES
from armswatch.auth.users import add_user
from armswatch.maritime import store
from armswatch.maritime.event import EVENT_SCHEMA
from armswatch.sites.model import Site
from armswatch.web.query.events import save_events
from armswatch.workspace import Workspace

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
T0 = datetime(2020, 12, 1, tzinfo=UTC)
VESSELS = 120
MMSI0 = 367000000
GAPPY = MMSI0  # seen on 2020-06-30 and again from 2020-12-01: a five-month hole
CYRILLIC = f"ЛЕДОКОЛ {XSS}"
HANGUL = "천리마"
EVENTS = 60
SITE = "forest-patch"


@dataclass
class Harbour:
    ws: Workspace
    scenes: list[str]


def _positions() -> pl.DataFrame:
    rows: dict[str, list[object]] = {k: [] for k in ("mmsi", "ts", "lat", "lon", "sog", "source", "line")}
    for v in range(VESSELS):
        times = [T0 + timedelta(hours=v % 24, minutes=10 * i) for i in range(6)]
        if v == 0:
            times = [
                datetime(2020, 6, 30, 0, 5, tzinfo=UTC),
                datetime(2020, 6, 30, 0, 30, tzinfo=UTC),
                *times,
            ]
        for i, t in enumerate(times):
            rows["mmsi"].append(MMSI0 + v)
            rows["ts"].append(t)
            rows["lat"].append(40.60 + 0.001 * v + 0.0005 * i)
            rows["lon"].append(-74.05 + 0.001 * i)
            rows["sog"].append(4.0)
            rows["source"].append("test")
            rows["line"].append(len(rows["line"]) + 1)
    return pl.DataFrame(rows)


def _statics() -> pl.DataFrame:
    names = [f"HARBOUR {v:03d}" for v in range(VESSELS)]
    names[1], names[2] = CYRILLIC, HANGUL
    return pl.DataFrame(
        {
            "mmsi": [MMSI0 + v for v in range(VESSELS)],
            "ts": [T0] * VESSELS,
            "imo": [None] * VESSELS,
            "name": names,
            "callsign": [f"WDA{v:04d}" for v in range(VESSELS)],
            "ship_type": [52 if v % 2 else 60 for v in range(VESSELS)],
            "source": ["test"] * VESSELS,
            "line": list(range(1, VESSELS + 1)),
        }
    )


def _events() -> pl.DataFrame:
    rows = []
    for k in range(EVENTS):
        kind = "gap" if k % 3 == 0 else "port_call"
        start = T0 + timedelta(hours=k)
        rows.append(
            {
                "event_type": kind,
                "mmsi": MMSI0 + (k % 5),
                "other_mmsi": None,
                "start_utc": start,
                "end_utc": start + timedelta(hours=7),
                "lat": 40.7,
                "lon": -74.0,
                "duration_h": 7.0,
                "port": "Jersey City" if kind == "port_call" else None,
                "details": json.dumps(
                    {"stop_h": 6.5, "note": XSS} if kind == "port_call" else {"silent_hours": 7}
                ),
            }
        )
    return pl.DataFrame(rows, schema=EVENT_SCHEMA)


def _scene_tif(value: float | None, size: int = 12) -> bytes:
    """A 3-band float32 GeoTIFF whose bands are described red, green, blue (as ``imagery ingest`` stores
    scenes); ``value=None`` is a scene masked everywhere (all cloud)."""
    import rasterio

    rng = np.random.default_rng(7)
    buf = io.BytesIO()
    with rasterio.MemoryFile() as mem:
        with mem.open(
            driver="GTiff", width=size, height=size, count=3, dtype="float32", crs="EPSG:32633",
            transform=rasterio.Affine(10.0, 0.0, 465400.0, 0.0, -10.0, 5080000.0),
        ) as dst:  # fmt: skip
            for i, role in enumerate(("red", "green", "blue"), start=1):
                band = (
                    np.full((size, size), np.nan, dtype=np.float32)
                    if value is None
                    else (value + rng.random((size, size)) * 0.05).astype(np.float32)
                )
                dst.write(band, i)
                dst.set_band_description(i, role)
        buf.write(mem.read())
    return buf.getvalue()


def _scenes(ws: Workspace) -> list[str]:
    from armswatch.imagery.monitor import Interval, write_series

    ids = []
    for k, value in enumerate((None, 0.1, 0.12)):
        usable = 0.0 if value is None else 1.0
        art = ws.add_artifact(
            _scene_tif(value),
            name=f"{SITE}_2017010{k + 1}.tif",
            media_type="image/tiff",
            captured_at=datetime(2017, 1, k + 1, 10, tzinfo=UTC),
            metadata={
                "kind": "imagery.scene",
                "site": SITE,
                "quality": {"method": "s2cloudless", "usable_fraction": usable, "cloud": 1.0 - usable},
                "registration": {"reference": True} if k == 1 else {"shift": [0.5, -0.25], "applied": True},
            },
        )
        ids.append(art.id)
    write_series(
        ws,
        SITE,
        [Interval(ids[1], ids[2], datetime(2017, 1, 2, tzinfo=UTC), datetime(2017, 1, 3, tzinfo=UTC),
                  0.0, 0.0, 0, 1.0, 0.0, None)],
    )  # fmt: skip
    return ids


def build_harbour(root: Path) -> Harbour:
    ws = Workspace.init(root / "harbour", analyst="ana")
    ws.save_sites(
        [
            Site(
                id=SITE,
                name="Forest patch",
                country="SI",
                kind="other",
                precision="facility",
                geometry=box(14.5541, 45.8678, 14.5615, 45.8731),
                sources=("eo-learn example data",),
            )
        ]
    )
    store.write_positions(ws, _positions())
    store.write_statics(ws, _statics())
    save_events(ws, "run-harbour", _events())
    scenes = _scenes(ws)
    for role in ROLES:
        add_user(ws, role, role, PASSWORD)
    return Harbour(ws, scenes)
