"""Port calls at a port or rail site, computed for its dossier from the AIS positions around it."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Final

import polars as pl

from armswatch.dossier.model import Statement
from armswatch.dossier.vessel_ais import _event_params, event_statements
from armswatch.maritime import store
from armswatch.maritime.event import haversine_m_np

if TYPE_CHECKING:
    from armswatch.sites.model import Site
    from armswatch.workspace import Workspace

MAX_ROWS: Final = 5_000_000
"""Port calls are computed only when at most this many positions lie in the box around the sites."""


def _names(ws: Workspace, mmsis: list[int]) -> dict[int, str]:
    st = store.scan_statics(ws).filter(pl.col("mmsi").is_in(mmsis)).select("mmsi", "ts", "name")
    latest = st.drop_nulls("name").collect().sort("ts").unique("mmsi", keep="last")
    return {int(m): str(n) for m, n in zip(latest["mmsi"], latest["name"], strict=True)}


def port_call_statements(ws: Workspace, sites: list[Site], radius_km: float) -> tuple[list[Statement], str]:
    """Port calls of any vessel within ``radius_km`` of one of ``sites`` (and a note when skipped)."""
    from armswatch.maritime.events import detect, workspace_context

    out: list[Statement] = []
    for site in sites:
        lon, lat = site.lonlat
        dlat = radius_km / 111.0
        dlon = dlat / max(math.cos(math.radians(lat)), 0.05)
        lf = store.scan_positions(ws, bbox=(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        count = int(lf.select(pl.len()).collect().item())
        if count == 0:
            continue
        if count > MAX_ROWS:
            return (
                out,
                f"Port calls at {site.name} not computed: {count:,} positions around it (limit {MAX_ROWS:,}).",
            )
        pos = lf.collect().sort("mmsi", "ts")
        ctx, _ = workspace_context(ws)
        events = detect(
            pos, replace(ctx, coverage=None), _event_params(("port_call",)), partitioned=False
        ).events
        if events.height == 0:
            continue
        near = (
            haversine_m_np(events["lat"].to_numpy(), events["lon"].to_numpy(), lat, lon) <= radius_km * 1000
        )
        events = events.filter(pl.Series(near))
        found = event_statements(events, pos, _names(ws, events["mmsi"].unique().to_list()))
        out += [
            replace(s, section="movement", text=f"{s.text} (within {radius_km:g} km of {site.name})")
            for s in found
        ]
    return out, ""
