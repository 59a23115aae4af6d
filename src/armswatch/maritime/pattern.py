"""Maritime patterns over detected events: shuttles, dark port calls, events near watched sites.

Pure: event frames and site frames in, :class:`MaritimeFinding` drafts out. The workspace edge
(:func:`armswatch.maritime.events.analyse_workspace`) turns drafts into findings with evidence.

* ``ais.shuttle`` — a vessel calling at two or more watched ports with at least
  ``shuttle_min_transitions`` changes of watched port between consecutive calls (A→B→A = 2).
* ``ais.dark_port_call`` — a gap during which the vessel could have sailed from its off position
  to a watched port, stayed ``dark_call_min_stay_h`` and sailed on to its on position at no more than
  ``dark_call_max_speed_kn``; the best-fitting (shortest detour) port is named.
* ``ais.encounter`` / ``ais.gap`` / ``ais.loitering`` — such events within ``near_site_km`` of a
  watched site (gaps: the off or on position).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import shapely

from armswatch.maritime.event import METRES_PER_NM, haversine_m

SITES_SCHEMA: dict[str, pl.DataType] = {
    "site_id": pl.Utf8(),
    "name": pl.Utf8(),
    "kind": pl.Utf8(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
}


@dataclass(frozen=True)
class PatternParams:
    """Thresholds for the maritime patterns."""

    shuttle_min_transitions: int = 2
    dark_call_max_speed_kn: float = 15.0
    dark_call_min_stay_h: float = 2.0
    near_site_km: float = 50.0
    evidence_pad_h: float = 3.0


@dataclass(frozen=True)
class MaritimeFinding:
    """A finding draft: what, who, where, when, and which positions support it."""

    kind: str
    title: str
    summary: str
    mmsis: tuple[int, ...]
    sites: tuple[str, ...]
    start: datetime
    end: datetime
    lat: float
    lon: float
    confidence: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(f"vessel:mmsi:{m}" for m in self.mmsis) + self.sites


def _vessel(mmsi: int, names: dict[int, str]) -> str:
    name = names.get(mmsi)
    return f"{name} (MMSI {mmsi})" if name else f"MMSI {mmsi}"


def shuttles(
    events: pl.DataFrame, sites: pl.DataFrame, params: PatternParams, names: dict[int, str]
) -> list[MaritimeFinding]:
    """Vessels repeatedly calling at watched ports."""
    ports = sites.filter(pl.col("kind") == "port").select("site_id", pl.col("name").alias("site_name"))
    calls = (
        events.filter(pl.col("event_type") == "port_call")
        .with_columns(site_id=pl.col("details").str.json_path_match("$.port_id"))
        .join(ports, on="site_id")
        .sort("mmsi", "start_utc")
        .with_columns(moved=(pl.col("site_id") != pl.col("site_id").shift(1).over("mmsi")).fill_null(False))
    )
    per_vessel = (
        calls.group_by("mmsi")
        .agg(
            transitions=pl.col("moved").sum(),
            n_ports=pl.col("site_id").n_unique(),
            sites=pl.col("site_id").unique(maintain_order=True),
            seq=pl.col("site_name"),
            starts=pl.col("start_utc"),
            start=pl.col("start_utc").min(),
            end=pl.col("end_utc").max(),
            lat=pl.col("lat").mean(),
            lon=pl.col("lon").mean(),
        )
        .filter((pl.col("n_ports") >= 2) & (pl.col("transitions") >= params.shuttle_min_transitions))
        .sort("mmsi")
    )
    out = []
    for r in per_vessel.iter_rows(named=True):
        route = " → ".join(r["seq"])
        out.append(
            MaritimeFinding(
                kind="ais.shuttle",
                title=f"Shuttle: {_vessel(r['mmsi'], names)} between {', '.join(dict.fromkeys(r['seq']))}",
                summary=f"{len(r['seq'])} calls at watched ports ({route}), {r['transitions']} changes of port.",
                mmsis=(r["mmsi"],),
                sites=tuple(r["sites"]),
                start=r["start"],
                end=r["end"],
                lat=r["lat"],
                lon=r["lon"],
                confidence="very likely" if r["transitions"] >= 3 else "likely",
                details={"calls": [[s, t.isoformat()] for s, t in zip(r["seq"], r["starts"], strict=True)]},
            )
        )
    return out


def _gap_positions(events: pl.DataFrame) -> pl.DataFrame:
    return events.filter(pl.col("event_type") == "gap").with_columns(
        off_lat=pl.col("details").str.json_path_match("$.off_lat").cast(pl.Float64),
        off_lon=pl.col("details").str.json_path_match("$.off_lon").cast(pl.Float64),
        on_lat=pl.col("details").str.json_path_match("$.on_lat").cast(pl.Float64),
        on_lon=pl.col("details").str.json_path_match("$.on_lon").cast(pl.Float64),
    )


def dark_port_calls(
    events: pl.DataFrame, sites: pl.DataFrame, params: PatternParams, names: dict[int, str]
) -> list[MaritimeFinding]:
    """Gaps whose duration and off/on positions fit a visit to a watched port."""
    ports = sites.filter(pl.col("kind") == "port")
    gaps = _gap_positions(events)
    if gaps.height == 0 or ports.height == 0:
        return []
    speed_mps = params.dark_call_max_speed_kn * METRES_PER_NM / 3600
    fits = (
        gaps.join(
            ports.select("site_id", "name", pl.col("lat").alias("p_lat"), pl.col("lon").alias("p_lon")),
            how="cross",
        )
        .with_columns(
            via_m=haversine_m(pl.col("off_lat"), pl.col("off_lon"), pl.col("p_lat"), pl.col("p_lon"))
            + haversine_m(pl.col("p_lat"), pl.col("p_lon"), pl.col("on_lat"), pl.col("on_lon"))
        )
        .with_columns(
            slack_h=pl.col("duration_h") - params.dark_call_min_stay_h - pl.col("via_m") / speed_mps / 3600
        )
        .filter(pl.col("slack_h") >= 0)
        .sort("via_m")
        .unique(subset=["mmsi", "start_utc"], keep="first")
        .sort("start_utc", "mmsi")
    )
    out = []
    for r in fits.iter_rows(named=True):
        sail_h = r["via_m"] / speed_mps / 3600
        out.append(
            MaritimeFinding(
                kind="ais.dark_port_call",
                title=f"Possible dark port call: {_vessel(r['mmsi'], names)} at {r['name']}",
                summary=(
                    f"AIS silent for {r['duration_h']:.1f} h; sailing off→{r['name']}→on takes ≥ {sail_h:.1f} h "
                    f"at {params.dark_call_max_speed_kn:g} kn, leaving {r['slack_h'] + params.dark_call_min_stay_h:.1f} h "
                    "for a stay."
                ),
                mmsis=(r["mmsi"],),
                sites=(r["site_id"],),
                start=r["start_utc"],
                end=r["end_utc"],
                lat=r["p_lat"],
                lon=r["p_lon"],
                confidence="roughly even chance",
                details={
                    "gap": json.loads(r["details"]),
                    "detour_km": r["via_m"] / 1000,
                    "slack_h": r["slack_h"],
                },
            )
        )
    return out


def near_sites(
    events: pl.DataFrame, sites: pl.DataFrame, params: PatternParams, names: dict[int, str]
) -> list[MaritimeFinding]:
    """Encounters, loitering and gaps within ``near_site_km`` of a watched site."""
    if sites.height == 0:
        return []
    cand = events.filter(pl.col("event_type").is_in(["encounter", "gap", "loitering"])).with_row_index("eid")
    gaps = _gap_positions(cand)
    points = pl.concat(
        [
            cand.filter(pl.col("event_type") != "gap").select("eid", "lat", "lon"),
            gaps.select("eid", pl.col("off_lat").alias("lat"), pl.col("off_lon").alias("lon")),
            gaps.select("eid", pl.col("on_lat").alias("lat"), pl.col("on_lon").alias("lon")),
        ]
    )
    near = (
        points.join(
            sites.select(
                "site_id", "name", "kind", pl.col("lat").alias("s_lat"), pl.col("lon").alias("s_lon")
            ),
            how="cross",
        )
        .with_columns(d_km=haversine_m(pl.col("lat"), pl.col("lon"), pl.col("s_lat"), pl.col("s_lon")) / 1000)
        .filter(pl.col("d_km") <= params.near_site_km)
        .sort(pl.col("kind") != "port", "d_km")  # name the nearest watched port when there is one
        .unique(subset="eid", keep="first")
    )
    rows = cand.join(near.select("eid", "site_id", "name", "d_km"), on="eid").sort("start_utc", "mmsi")
    out = []
    for r in rows.iter_rows(named=True):
        kind = r["event_type"]
        mmsis = (r["mmsi"],) if r["other_mmsi"] is None else (r["mmsi"], r["other_mmsi"])
        who = " and ".join(_vessel(m, names) for m in mmsis)
        label = {"encounter": "Ship-to-ship encounter", "gap": "AIS gap", "loitering": "Loitering"}[kind]
        out.append(
            MaritimeFinding(
                kind=f"ais.{kind}",
                title=f"{label} near {r['name']}: {who}",
                summary=f"{label} of {r['duration_h']:.1f} h, {r['d_km']:.0f} km from {r['name']}.",
                mmsis=mmsis,
                sites=(r["site_id"],),
                start=r["start_utc"],
                end=r["end_utc"],
                lat=r["lat"],
                lon=r["lon"],
                confidence="likely" if kind == "encounter" else "roughly even chance",
                details={"event": json.loads(r["details"]), "distance_km": r["d_km"]},
            )
        )
    return out


def find_patterns(
    events: pl.DataFrame,
    sites: pl.DataFrame,
    params: PatternParams = PatternParams(),
    names: dict[int, str] | None = None,
) -> list[MaritimeFinding]:
    """All pattern findings (shuttles, dark port calls, events near watched sites)."""
    sites = sites.select(list(SITES_SCHEMA))
    names = names or {}
    return [
        *shuttles(events, sites, params, names),
        *dark_port_calls(events, sites, params, names),
        *near_sites(events, sites, params, names),
    ]


def evidence_positions(positions: pl.DataFrame, finding: MaritimeFinding, pad_h: float) -> pl.DataFrame:
    """The finding's vessels' positions from ``start - pad`` to ``end + pad`` (sorted)."""
    pad = timedelta(hours=pad_h)
    return positions.filter(
        pl.col("mmsi").is_in(list(finding.mmsis))
        & (pl.col("ts") >= finding.start - pad)
        & (pl.col("ts") <= finding.end + pad)
    ).sort("mmsi", "ts")


def finding_geometry(evidence: pl.DataFrame, finding: MaritimeFinding) -> dict[str, Any]:
    """GeometryCollection: one track LineString per vessel (>= 2 positions; simplified to ~50 m) and
    the event point."""
    geoms: list[dict[str, Any]] = []
    for (_,), part in evidence.group_by(["mmsi"], maintain_order=True):
        if part.height >= 2:
            line = shapely.LineString(part.select("lon", "lat").to_numpy()).simplify(0.0005)
            coords = shapely.get_coordinates(line).round(6).tolist()
            geoms.append({"type": "LineString", "coordinates": coords})
    geoms.append({"type": "Point", "coordinates": [round(finding.lon, 6), round(finding.lat, 6)]})
    return {"type": "GeometryCollection", "geometries": geoms}
