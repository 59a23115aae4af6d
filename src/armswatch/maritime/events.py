"""Run every maritime event detector over positions: per partition, with carry-over, vectorised.

Entry points: :func:`detect_events` (positions frame or Parquet scan in, public event frame out),
:func:`filter_area` and :func:`write_events` (CSV / GeoJSON / Parquet by file suffix).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely

from armswatch.errors import InputError
from armswatch.maritime.encounter import EncounterParams, detect_encounters
from armswatch.maritime.event import EVENT_COLUMNS, EVENT_TYPES, empty_events, prepare_positions, with_steps
from armswatch.maritime.gap import SITE_SCHEMA, GapParams, detect_gaps
from armswatch.maritime.loitering import LoiteringParams, detect_loitering
from armswatch.maritime.partition import PartitionParams, detect_partitioned
from armswatch.maritime.port import PortIndex, combine, watched_ports_frame, world_port_index
from armswatch.maritime.port_call import PortCallParams, detect_port_calls
from armswatch.maritime.spoofing import SpoofingParams, detect_spoofing


@dataclass(frozen=True)
class EventParams:
    """All detector thresholds (each documented in its module and in docs/ais-events.md)."""

    port_call: PortCallParams = field(default_factory=PortCallParams)
    gap: GapParams = field(default_factory=GapParams)
    encounter: EncounterParams = field(default_factory=EncounterParams)
    loitering: LoiteringParams = field(default_factory=LoiteringParams)
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    partition: PartitionParams = field(default_factory=PartitionParams)
    types: tuple[str, ...] = EVENT_TYPES


@dataclass(frozen=True)
class Context:
    """Reference data the detectors need: ports (gazetteer + watched) and watched sites."""

    ports: PortIndex
    sites: pl.DataFrame

    @classmethod
    def build(cls, extra_ports: pl.DataFrame | None = None, sites: pl.DataFrame | None = None) -> Context:
        """Bundled World Port Index plus ``extra_ports`` (watched); sites default to watched ports."""
        ports = combine(world_port_index(), extra_ports) if extra_ports is not None else world_port_index()
        if sites is None:
            watched = ports.filter(pl.col("watched"))
            sites = watched.select(pl.col("port_id").alias("site_id"), "name", "lat", "lon")
        return cls(PortIndex.build(ports), sites.select(list(SITE_SCHEMA)))

    @classmethod
    def default(cls) -> Context:
        from armswatch.maritime.port import DEFAULT_WATCHED_PORTS

        return cls.build(watched_ports_frame(DEFAULT_WATCHED_PORTS))


def _per_vessel(ctx: Context, params: EventParams) -> Any:
    def run(pos: pl.DataFrame) -> pl.DataFrame:
        if pos.height == 0:
            return empty_events()
        steps = with_steps(pos)
        parts = [empty_events()]
        if "port_call" in params.types:
            parts.append(detect_port_calls(steps, ctx.ports, params.port_call))
        if "gap" in params.types:
            parts.append(detect_gaps(steps, ctx.sites, params.gap))
        if "loitering" in params.types:
            parts.append(detect_loitering(steps, ctx.ports, params.loitering))
        if "spoofing" in params.types:
            parts.append(detect_spoofing(steps, params.spoofing, ctx.ports))
        return pl.concat(parts)

    return run


def _pairwise(ctx: Context, params: EventParams) -> Any:
    if "encounter" not in params.types:
        return None

    def run(pos: pl.DataFrame) -> pl.DataFrame:
        return detect_encounters(pos, ctx.ports, params.encounter)

    return run


def detect_events(
    positions: pl.DataFrame | pl.LazyFrame,
    ctx: Context | None = None,
    params: EventParams = EventParams(),
    *,
    partitioned: bool = True,
) -> pl.DataFrame:
    """All events, sorted by ``start_utc, event_type, mmsi``, with the public event columns.

    ``partitioned=False`` runs each detector once over all positions (reference behaviour, used by
    tests to check that partitioning changes nothing).
    """
    unknown = set(params.types) - set(EVENT_TYPES)
    if unknown:
        raise InputError(f"unknown event types {sorted(unknown)}; known: {', '.join(EVENT_TYPES)}")
    ctx = ctx or Context.default()
    per_vessel, pairwise = _per_vessel(ctx, params), _pairwise(ctx, params)
    if partitioned:
        found = detect_partitioned(positions, per_vessel, pairwise, params.partition)
    else:
        pos = prepare_positions(positions)
        found = pl.concat([per_vessel(pos), *([pairwise(pos)] if pairwise else [])])
    return found.select(EVENT_COLUMNS).sort("start_utc", "event_type", "mmsi", "other_mmsi", nulls_last=True)


def filter_area(events: pl.DataFrame, geojson: dict[str, Any]) -> pl.DataFrame:
    """Events whose point lies inside a GeoJSON geometry, Feature or FeatureCollection."""
    geoms: Sequence[dict[str, Any]]
    if geojson.get("type") == "FeatureCollection":
        geoms = [f["geometry"] for f in geojson.get("features", [])]
    elif geojson.get("type") == "Feature":
        geoms = [geojson["geometry"]]
    else:
        geoms = [geojson]
    try:
        area = shapely.union_all([shapely.geometry.shape(g) for g in geoms])
    except Exception as exc:
        raise InputError(f"invalid area GeoJSON: {exc}") from exc
    inside = shapely.contains_xy(area, events["lon"].to_numpy(), events["lat"].to_numpy())
    return events.filter(pl.Series(np.asarray(inside, dtype=bool)))


def to_geojson(events: pl.DataFrame) -> dict[str, Any]:
    """Events as a GeoJSON FeatureCollection of points (details decoded into properties)."""
    feats = []
    for row in events.with_columns(
        pl.col("start_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("end_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
    ).iter_rows(named=True):
        props = {k: v for k, v in row.items() if k not in ("lat", "lon", "details")}
        props["details"] = json.loads(row["details"]) if row["details"] else {}
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def write_events(events: pl.DataFrame, path: Path) -> None:
    """Write events as ``.csv``, ``.geojson``/``.json`` or ``.parquet`` (by suffix)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        events.with_columns(
            pl.col("start_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
            pl.col("end_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
        ).write_csv(path)
    elif suffix in (".geojson", ".json"):
        path.write_text(json.dumps(to_geojson(events)), encoding="utf-8")
    elif suffix == ".parquet":
        events.write_parquet(path)
    else:
        raise InputError("output must end in .csv, .geojson or .parquet", path=str(path))
