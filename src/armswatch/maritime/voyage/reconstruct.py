"""Reconstruct dark voyages from gap events: the legs seen in AIS and the ones inferred in the gap.

Pure: the gap events of :func:`armswatch.maritime.gap.detect_gaps` (the public event frame), the
positions they were found in and the watched ports in; one :class:`Voyage` per silence out.

* The *silence* is taken from the positions, not from the event's cut times: a gap split at a
  data outage (parts ``before_outage`` / ``after_outage``) is one physical silence from the last
  position before it to the first after it — the vessel had all that time to sail — so its parts
  give one voyage (the outage hours are kept in the details).
* *Observed legs*: the vessel's positions in the ``leg_h`` hours before it went silent and after it
  was heard again, and the last / next port call in those windows when port calls are given.
* *Inferred legs*: the time-geography ellipse and each watched port's feasibility
  (:mod:`armswatch.maritime.voyage.ellipse`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from armswatch.maritime.event import time_key
from armswatch.maritime.voyage.ellipse import (
    PortFit,
    budget_m,
    distance_m,
    ellipse_polygon,
    land_share,
    port_fits,
)


@dataclass(frozen=True)
class VoyageParams:
    """``vmax_kn``: the fastest plausible speed (14 kn: a loaded general-cargo ship's service speed;
    the gap detector's own reachability uses 15 kn). ``leg_h``: hours of observed track kept on
    each side of the silence."""

    vmax_kn: float = 14.0
    leg_h: float = 24.0
    ellipse_points: int = 144
    sea: bool = True  # also sea-only distances and region (searoute)


@dataclass(frozen=True)
class Voyage:
    mmsi: int
    off_time: datetime
    on_time: datetime
    off: tuple[float, float]  # lat, lon
    on: tuple[float, float]
    hours: float
    direct_km: float
    budget_km: float
    vmax_kn: float
    ellipse: Any  # shapely Polygon or None
    sea_region: Any  # shapely (Multi)Polygon: the sea-only prism (searoute), or None
    land_share: float | None
    ports: tuple[PortFit, ...]
    before: tuple[tuple[float, float], ...]  # observed (lon, lat) before the silence
    after: tuple[tuple[float, float], ...]
    call_before: str | None = None
    call_after: str | None = None
    gap: dict[str, Any] = field(default_factory=dict)

    @property
    def bridgeable(self) -> bool:
        """Can the silence be crossed at ``vmax_kn`` at all (else: faster, or a spoofed position)?"""
        return self.direct_km <= self.budget_km

    @property
    def reachable(self) -> tuple[PortFit, ...]:
        """Ports in reach: inside the ellipse and not ruled out by the sea-route check."""
        return tuple(p for p in self.ports if p.in_reach)

    @property
    def implied_kn(self) -> float:
        return self.direct_km * 1000 / 1852 / self.hours if self.hours > 0 else float("inf")


def silences(gaps: pl.DataFrame, positions: pl.DataFrame) -> pl.DataFrame:
    """One row per physical silence: ``mmsi, off_time, on_time, off_lat/lon, on_lat/lon`` plus the
    gap labels (``part`` list, ``outage_h`` sum, ``intentional``, ``reception``).

    ``positions`` sorted by ``mmsi, ts``; the off time is the vessel's last position at or before the
    gap's start, the on time its first at or after the gap's end.
    """
    gaps = gaps.filter(pl.col("event_type") == "gap")
    if gaps.height == 0:
        return pl.DataFrame(
            schema={
                "mmsi": pl.UInt32,
                "off_time": pl.Datetime("us", "UTC"),
                "on_time": pl.Datetime("us", "UTC"),
            }
        )
    key = time_key(positions["mmsi"].to_numpy(), positions["ts"].dt.epoch("s").to_numpy())
    mm = gaps["mmsi"].cast(pl.UInt32).to_numpy()
    s0 = gaps["start_utc"].dt.epoch("s").to_numpy()
    s1 = np.ceil(gaps["end_utc"].dt.epoch("us").to_numpy() / 1e6).astype(np.int64)
    i_off = np.searchsorted(key, time_key(mm, s0), "right") - 1
    i_on = np.searchsorted(key, time_key(mm, s1), "left")
    n = key.size
    ok = (i_off >= 0) & (i_on < n)
    i_off, i_on = np.clip(i_off, 0, max(n - 1, 0)), np.clip(i_on, 0, max(n - 1, 0))
    pm = positions["mmsi"].to_numpy()
    ok &= (pm[i_off] == mm) & (pm[i_on] == mm) if n else ok
    d = gaps["details"].str.json_decode(
        pl.Struct(
            {
                "part": pl.Utf8,
                "outage_h": pl.Float64,
                "intentional": pl.Boolean,
                "reception": pl.Utf8,
                "off_lat": pl.Float64,
                "off_lon": pl.Float64,
                "on_lat": pl.Float64,
                "on_lon": pl.Float64,
            }
        )
    )
    frame = pl.DataFrame(
        {
            "mmsi": gaps["mmsi"].cast(pl.UInt32),
            "off_time": positions["ts"].gather(i_off) if n else gaps["start_utc"],
            "on_time": positions["ts"].gather(i_on) if n else gaps["end_utc"],
            "ok": ok,
        }
    ).with_columns(d.struct.unnest())
    return (
        frame.filter(pl.col("ok"))
        .group_by("mmsi", "off_time", "on_time", maintain_order=True)
        .agg(
            pl.col("off_lat").first(),
            pl.col("off_lon").first(),
            pl.col("on_lat").first(),
            pl.col("on_lon").first(),
            pl.col("part"),
            pl.col("outage_h").sum(),
            pl.col("intentional").any(),
            pl.col("reception").first(),
        )
        .sort("off_time", "mmsi")
    )


def _leg(
    positions: pl.DataFrame, key: npt.NDArray[np.int64], mmsi: int, lo: datetime, hi: datetime
) -> tuple[tuple[float, float], ...]:
    """The vessel's positions with ``lo <= ts <= hi`` (binary search on the sorted key)."""
    m = np.array([mmsi], dtype=np.uint32)
    a = int(np.searchsorted(key, time_key(m, np.array([int(lo.timestamp())]))[0], "left"))
    b = int(np.searchsorted(key, time_key(m, np.array([int(hi.timestamp())]))[0], "right"))
    part = positions.slice(a, max(b - a, 0))
    return tuple((round(x, 6), round(y, 6)) for x, y in part.select("lon", "lat").iter_rows())


def _call(calls: pl.DataFrame | None, mmsi: int, lo: datetime, hi: datetime, last: bool) -> str | None:
    if calls is None or calls.height == 0:
        return None
    c = calls.filter(
        (pl.col("event_type") == "port_call")
        & (pl.col("mmsi") == mmsi)
        & (pl.col("end_utc" if last else "start_utc").is_between(lo, hi))
    ).sort("start_utc")
    if c.height == 0:
        return None
    port = c["port"][-1 if last else 0]
    return str(port) if port is not None else None


def _by_sea(
    off: tuple[float, float], on: tuple[float, float], budget: float, poly: Any, fits: list[PortFit]
) -> tuple[list[PortFit], Any]:
    """Port fits with their sea-route figures, and the sea-only region (see :mod:`.searoute`).

    First on fine cells over the box of the off/on positions and the ports in the ellipse (padded by
    a quarter of its size, at least 0.5°); a port found out of reach there is checked again over the
    whole ellipse (coarser cells), since its sea route may leave the box (around a peninsula)."""
    from dataclasses import replace

    from armswatch.maritime.voyage.searoute import sea_reach

    lats = [off[0], on[0], *(f.lat for f in fits if f.reachable)]
    lons = [off[1], on[1], *(f.lon for f in fits if f.reachable)]
    pad_y = max(0.5, (max(lats) - min(lats)) / 4)
    pad_x = max(0.5, (max(lons) - min(lons)) / 4)
    ex0, ey0, ex1, ey1 = poly.bounds
    whole = (ex0 - 0.05, ey0 - 0.05, ex1 + 0.05, ey1 + 0.05)
    box = (
        max(min(lons) - pad_x, whole[0]),
        max(min(lats) - pad_y, whole[1]),
        min(max(lons) + pad_x, whole[2]),
        min(max(lats) + pad_y, whole[3]),
    )
    points = [(f.lat, f.lon) for f in fits]
    sea = sea_reach(off, on, budget, box, points)
    if sea is None:
        return fits, None
    via = list(sea.port_sea_via_km)
    redo = [
        i
        for i, (f, v) in enumerate(zip(fits, via, strict=True))
        if f.reachable and v is not None and v * 1000 > budget
    ]
    if redo and box != whole:
        wide = sea_reach(off, on, budget, whole, points)
        if wide is not None:
            for i in redo:
                if wide.port_sea_via_km[i] is not None:
                    via[i] = wide.port_sea_via_km[i]
    out = [
        f
        if v is None  # the port's point is not near water on the grid: no sea figure
        else replace(
            f,
            sea_via_km=v if math.isfinite(v) else None,
            sea_reachable=math.isfinite(v) and v * 1000 <= budget,
        )
        for f, v in zip(fits, via, strict=True)
    ]
    return out, sea.region


def reconstruct(
    gaps: pl.DataFrame,
    positions: pl.DataFrame,
    ports: list[tuple[str, str, float, float]],
    params: VoyageParams = VoyageParams(),
    port_calls: pl.DataFrame | None = None,
) -> list[Voyage]:
    """One voyage per silence of ``gaps`` (positions sorted by ``mmsi, ts``; ports as
    ``(site_id, name, lat, lon)``)."""
    out: list[Voyage] = []
    pad = timedelta(hours=params.leg_h)
    key = time_key(positions["mmsi"].to_numpy(), positions["ts"].dt.epoch("s").to_numpy())
    for r in silences(gaps, positions).iter_rows(named=True):
        off, on = (r["off_lat"], r["off_lon"]), (r["on_lat"], r["on_lon"])
        hours = (r["on_time"] - r["off_time"]).total_seconds() / 3600
        budget = budget_m(hours, params.vmax_kn)
        poly = ellipse_polygon(off, on, budget, params.ellipse_points)
        fits = port_fits(off, on, hours, params.vmax_kn, ports)
        sea_region = None
        if params.sea and poly is not None and any(f.reachable for f in fits):
            fits, sea_region = _by_sea(off, on, budget, poly, fits)
        mmsi = int(r["mmsi"])
        out.append(
            Voyage(
                mmsi=mmsi,
                off_time=r["off_time"],
                on_time=r["on_time"],
                off=off,
                on=on,
                hours=hours,
                direct_km=float(distance_m(off[0], off[1], on[0], on[1])) / 1000,
                budget_km=budget / 1000,
                vmax_kn=params.vmax_kn,
                ellipse=poly,
                sea_region=sea_region,
                land_share=land_share(poly),
                ports=tuple(fits),
                before=_leg(positions, key, mmsi, r["off_time"] - pad, r["off_time"]),
                after=_leg(positions, key, mmsi, r["on_time"], r["on_time"] + pad),
                call_before=_call(port_calls, mmsi, r["off_time"] - pad, r["off_time"], last=True),
                call_after=_call(port_calls, mmsi, r["on_time"], r["on_time"] + pad, last=False),
                gap={
                    "parts": list(r["part"]),
                    "outage_h": r["outage_h"],
                    "intentional": bool(r["intentional"]),
                    "reception": r["reception"],
                },
            )
        )
    return out


#: Inferred legs drawn per voyage (the ports with the shortest detour; the ellipse shows the rest).
MAX_DRAWN_LEGS = 3


def voyage_geometry(v: Voyage) -> dict[str, Any]:
    """GeometryCollection for the report map: observed legs (LineStrings), the ellipse (Polygon),
    inferred legs off→port→on to the :data:`MAX_DRAWN_LEGS` reachable ports with the shortest
    detour, and the off/on points."""
    import shapely

    geoms: list[dict[str, Any]] = []
    for leg in (v.before, v.after):
        if len(leg) >= 2:
            line = shapely.LineString(leg).simplify(0.0005)
            geoms.append(
                {"type": "LineString", "coordinates": shapely.get_coordinates(line).round(6).tolist()}
            )
    if v.ellipse is not None:
        geoms.append(json.loads(shapely.to_geojson(v.ellipse.simplify(0.001))))
    if v.sea_region is not None:
        region = json.loads(shapely.to_geojson(v.sea_region))
        if region["type"] == "MultiPolygon":
            geoms.extend({"type": "Polygon", "coordinates": c} for c in region["coordinates"])
        elif region["type"] == "Polygon":
            geoms.append(region)
    for p in sorted(v.reachable, key=lambda p: p.via_km)[:MAX_DRAWN_LEGS]:
        geoms.append(
            {
                "type": "LineString",
                "coordinates": [
                    [round(v.off[1], 6), round(v.off[0], 6)],
                    [round(p.lon, 6), round(p.lat, 6)],
                    [round(v.on[1], 6), round(v.on[0], 6)],
                ],
            }
        )
    geoms.append({"type": "Point", "coordinates": [round(v.off[1], 6), round(v.off[0], 6)]})
    geoms.append({"type": "Point", "coordinates": [round(v.on[1], 6), round(v.on[0], 6)]})
    return {"type": "GeometryCollection", "geometries": geoms}
