"""Run every maritime event detector over positions: per partition, with carry-over, vectorised.

Entry points: :func:`detect_events` (positions frame or Parquet scan in, public event frame out),
:func:`filter_area` and :func:`write_events` (CSV / GeoJSON / Parquet by file suffix).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely

from armswatch.errors import InputError, NotFoundError
from armswatch.io.text import csv_safe_frame
from armswatch.maritime.coverage import Coverage, CoverageParams, compute_coverage
from armswatch.maritime.encounter import EncounterParams, detect_encounters, encounter_slots
from armswatch.maritime.event import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    OPEN,
    empty_events,
    prepare_positions,
    require_position_columns,
    with_steps,
)
from armswatch.maritime.gap import SITE_SCHEMA, GapParams, detect_gaps
from armswatch.maritime.loitering import LoiteringParams, detect_loitering
from armswatch.maritime.partition import ChunkDetector, PartitionParams, detect_partitioned
from armswatch.maritime.port import PortIndex, combine, watched_ports_frame, world_port_index
from armswatch.maritime.port_call import PortCallParams, detect_port_calls
from armswatch.maritime.spoofing import SpoofingParams, detect_spoofing
from armswatch.progress import NO_PROGRESS, Progress


@dataclass(frozen=True)
class EventParams:
    """All detector thresholds (each documented in its module and in docs/ais-events.md)."""

    port_call: PortCallParams = field(default_factory=PortCallParams)
    gap: GapParams = field(default_factory=GapParams)
    encounter: EncounterParams = field(default_factory=EncounterParams)
    loitering: LoiteringParams = field(default_factory=LoiteringParams)
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    partition: PartitionParams = field(default_factory=PartitionParams)
    coverage: CoverageParams = field(default_factory=CoverageParams)
    types: tuple[str, ...] = EVENT_TYPES


@dataclass(frozen=True)
class Context:
    """Reference data the detectors need: ports (gazetteer + watched), watched sites and the data's
    coverage (computed from the positions by :func:`detect_events` unless given)."""

    ports: PortIndex
    sites: pl.DataFrame
    coverage: Coverage | None = None

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


def _with_breaks(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Add ``across_outage`` (the silence before the row overlaps a data outage) to a step frame."""
    if ctx.coverage is None:
        return frame.with_columns(across_outage=pl.lit(False))
    return frame.with_columns(ctx.coverage.step_breaks(frame))


def _steps_with_breaks(pos: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Positions with their step columns (computed unless given) and ``across_outage``."""
    return _with_breaks(pos if "implied_kn" in pos.columns else with_steps(pos), ctx)


def _per_vessel(ctx: Context, params: EventParams) -> ChunkDetector:
    def run(pos: pl.DataFrame) -> pl.DataFrame:
        if pos.height == 0:
            return empty_events()
        full = _steps_with_breaks(pos, ctx)
        # rows flagged in_state=False are context (reception density before a gap) for gaps only
        steps = full.filter(pl.col("in_state")) if "in_state" in full.columns else full
        parts = [empty_events()]
        if "port_call" in params.types:
            parts.append(detect_port_calls(steps, ctx.ports, params.port_call))
        if "gap" in params.types:
            parts.append(detect_gaps(full, ctx.sites, params.gap, ctx.coverage))
        if "loitering" in params.types:
            parts.append(detect_loitering(steps, ctx.ports, params.loitering))
        if "spoofing" in params.types:
            parts.append(detect_spoofing(steps, params.spoofing, ctx.ports))
        return pl.concat(parts)

    return run


def _pairwise(ctx: Context, params: EventParams) -> ChunkDetector | None:
    if "encounter" not in params.types:
        return None

    def run(pos: pl.DataFrame) -> pl.DataFrame:
        full = _steps_with_breaks(pos, ctx)
        return detect_encounters(full, ctx.ports, params.encounter)

    return run


def encounter_slotter(ctx: Context, params: EventParams) -> ChunkDetector | None:
    """The encounter detector's first, per-vessel phase as the pairwise detector runs it (outage
    breaks added): positions -> slots (see :func:`~armswatch.maritime.encounter.encounter_slots`).
    Its second phase is :func:`~armswatch.maritime.encounter.encounters_from_slots`."""
    if "encounter" not in params.types:
        return None

    def run(pos: pl.DataFrame) -> pl.DataFrame:
        full = _steps_with_breaks(pos, ctx)
        return encounter_slots(full, ctx.ports, params.encounter)

    return run


def chunk_detectors(ctx: Context, params: EventParams) -> tuple[ChunkDetector, ChunkDetector | None]:
    """The per-vessel and pairwise detectors of one chunk (what a partition task runs)."""
    return _per_vessel(ctx, params), _pairwise(ctx, params)


@dataclass(frozen=True)
class Detection:
    """Events and the coverage they were detected under (outages are reported, not events)."""

    events: pl.DataFrame
    coverage: Coverage
    sources: tuple[str, ...] | None = None  # the positions' ``source`` values, when already known


#: Runs detection for :func:`analyse_workspace`: (positions scan, context, params) -> detection.
Detector = Callable[[pl.LazyFrame, Context, EventParams], Detection]


def detect_events(
    positions: pl.DataFrame | pl.LazyFrame,
    ctx: Context | None = None,
    params: EventParams = EventParams(),
    *,
    partitioned: bool = True,
) -> pl.DataFrame:
    """All events, sorted by ``start_utc, event_type, mmsi``, with the public event columns.

    ``partitioned=False`` runs each detector once over all positions (reference behaviour, used by
    tests to check that partitioning changes nothing). See :func:`detect` for the coverage too.
    """
    return detect(positions, ctx, params, partitioned=partitioned).events


def detect(
    positions: pl.DataFrame | pl.LazyFrame,
    ctx: Context | None = None,
    params: EventParams = EventParams(),
    *,
    partitioned: bool = True,
    progress: Progress = NO_PROGRESS,
) -> Detection:
    """Events and coverage. Coverage (outages) is computed once from all positions before the
    partitioned run, so every day and bucket sees the same outages (progress: phase ``days``)."""
    unknown = set(params.types) - set(EVENT_TYPES)
    if unknown:
        raise InputError(f"unknown event types {sorted(unknown)}; known: {', '.join(EVENT_TYPES)}")
    ctx = ctx or Context.default()
    require_position_columns(positions.lazy())
    coverage = ctx.coverage
    if coverage is None:
        coverage = compute_coverage(positions, params.coverage)
        ctx = replace(ctx, coverage=coverage if params.coverage.enabled else None)
    per_vessel, pairwise = _per_vessel(ctx, params), _pairwise(ctx, params)
    if partitioned:
        found = detect_partitioned(positions, per_vessel, pairwise, params.partition, progress=progress)
    else:
        pos = prepare_positions(positions)
        found = pl.concat([per_vessel(pos), *([pairwise(pos)] if pairwise else [])])
    return Detection(ordered_events(found), coverage)


def ordered_events(found: pl.DataFrame) -> pl.DataFrame:
    """The public event columns of emitted (internal) events, in a total order."""
    found = found.filter(pl.col("event_type") != OPEN)
    # a total order (every column), so equal keys (a teleport and an on-land fix of the same vessel
    # starting at the same time) never come out in an order that depends on the partitioning
    return found.select(EVENT_COLUMNS).sort(
        "start_utc", "event_type", "mmsi", "other_mmsi", "end_utc", "lat", "lon", "details", nulls_last=True
    )


def area_geometry(geojson: object) -> Any:
    """The shapely geometry of a GeoJSON geometry, Feature or FeatureCollection (InputError if invalid)."""
    if not isinstance(geojson, dict):
        raise InputError("not a GeoJSON object (geometry, Feature or FeatureCollection)")
    try:
        geoms: Sequence[dict[str, Any]]
        if geojson.get("type") == "FeatureCollection":
            geoms = [f["geometry"] for f in geojson.get("features", [])]
        elif geojson.get("type") == "Feature":
            geoms = [geojson["geometry"]]
        else:
            geoms = [geojson]
        return shapely.union_all([shapely.geometry.shape(g) for g in geoms])
    except Exception as exc:
        raise InputError(f"invalid area GeoJSON: {exc}") from exc


def filter_area(events: pl.DataFrame, geojson: dict[str, Any]) -> pl.DataFrame:
    """Events whose point lies inside a GeoJSON geometry, Feature or FeatureCollection."""
    inside = shapely.contains_xy(area_geometry(geojson), events["lon"].to_numpy(), events["lat"].to_numpy())
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
        csv_safe_frame(
            events.with_columns(
                pl.col("start_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                pl.col("end_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
            )
        ).write_csv(path)
    elif suffix in (".geojson", ".json"):
        path.write_text(json.dumps(to_geojson(events)), encoding="utf-8")
    elif suffix == ".parquet":
        events.write_parquet(path)
    else:
        raise InputError("output must end in .csv, .geojson or .parquet", path=str(path))


# --- workspace edge -------------------------------------------------------------------------------


def workspace_context(ws: Any, extra_ports: pl.DataFrame | None = None) -> tuple[Context, pl.DataFrame]:
    """Detection context and watched-sites frame from the workspace's sites (ports: kind ``port``)."""
    from armswatch.maritime.pattern import SITES_SCHEMA
    from armswatch.maritime.port import ports_from_sites

    sites = list(ws.list_sites())
    watched_ports = ports_from_sites(sites)
    if extra_ports is not None:
        watched_ports = combine(watched_ports, extra_ports)
    rows = [
        {
            "site_id": f"site:{s.id}",
            "name": s.name,
            "kind": s.kind,
            "lat": s.geometry.centroid.y,
            "lon": s.geometry.centroid.x,
        }
        for s in sites
    ]
    site_frame = pl.DataFrame(rows, schema=SITES_SCHEMA)
    ctx = Context.build(watched_ports)  # gap reachability: the watched ports (reachable by sea)
    return ctx, site_frame


def analyse_workspace(
    ws: Any,
    *,
    start: Any = None,
    end: Any = None,
    area: dict[str, Any] | None = None,
    params: EventParams = EventParams(),
    pattern_params: Any = None,
    extra_ports: pl.DataFrame | None = None,
    on_coverage: Any = None,
    detector: Detector | None = None,
) -> tuple[pl.DataFrame, str, int]:
    """Detect events over the workspace's positions, record an ``ais.events`` run with pattern
    findings (evidence CSV of supporting positions per finding) and the data outages in its summary.
    ``on_coverage`` is called with the :class:`Coverage`; ``detector`` runs the detection (default
    :func:`detect` in this process; the Dask engine passes its own). Returns (events, run id, findings)."""
    from dataclasses import asdict

    from armswatch.maritime import store
    from armswatch.maritime.pattern import PatternParams, evidence_positions, find_patterns, finding_geometry

    pparams = pattern_params or PatternParams()
    lf = store.scan_positions(ws, start, end)
    ctx, sites = workspace_context(ws, extra_ports)
    detection = (detector or detect)(lf, ctx, params)
    events, outages = detection.events, detection.coverage.outages
    if on_coverage is not None:  # e.g. the CLI writing the outages
        on_coverage(detection.coverage)
    if area is not None:
        events = filter_area(events, area)
    inputs = _source_artifacts(ws, lf, detection.sources)
    simulated = any(ws.get_artifact(a).simulated for a in inputs)
    drafts = find_patterns(events, sites, pparams, _vessel_names(ws))
    if area is not None:
        drafts = [
            d for d in drafts if filter_area(pl.DataFrame({"lat": [d.lat], "lon": [d.lon]}), area).height
        ]
    run_params = {
        "start": str(start) if start else None,
        "end": str(end) if end else None,
        "area": area is not None,
        "thresholds": json.loads(json.dumps(asdict(params), default=str)),
        "patterns": asdict(pparams),
    }
    with ws.run("ais.events", parameters=run_params, inputs=inputs) as run:
        pad = timedelta(hours=pparams.evidence_pad_h)
        for d in drafts:
            # only the partitions of the finding's days (not a scan of every day per finding),
            # clipped to the analysed period
            lo = d.start - pad if start is None else max(d.start - pad, store.as_utc(start))
            hi = d.end + pad + timedelta(microseconds=1)
            hi = hi if end is None else min(hi, store.as_utc(end))
            around = store.scan_positions(ws, lo, hi, mmsi=list(d.mmsis))
            ev = evidence_positions(
                around.select("mmsi", "ts", "lat", "lon", "sog", "source", "line").collect(),
                d,
                pparams.evidence_pad_h,
            )
            art = ws.add_artifact(
                csv_safe_frame(ev).write_csv().encode(),
                name=f"{d.kind.replace('.', '-')}-{'-'.join(map(str, d.mmsis))}-{d.start:%Y%m%dT%H%M}.csv",
                media_type="text/csv",
                metadata={"kind": "ais.evidence", "finding_kind": d.kind, "positions": ev.height},
                simulated=simulated,
            )
            run.add_output(art.id)
            run.add_finding(
                kind=d.kind,
                title=d.title,
                summary=d.summary,
                subjects=list(d.subjects),
                geometry=finding_geometry(ev, d),
                start=d.start,
                end=d.end,
                confidence=d.confidence,
                evidence=[art.id],
                details=json.loads(json.dumps(d.details, default=str)),
            )
        run.summary.update(
            {
                "events": events.height,
                **{f"events.{k}": int(v) for k, v in events["event_type"].value_counts().iter_rows()},
                "findings": len(drafts),
                "outages": outages.height,
                "outage_cell_hours": float(outages["duration_h"].sum()),
            }
        )
        run_id = str(run.id)
    return events, run_id, len(drafts)


def _source_artifacts(ws: Any, lf: pl.LazyFrame, sources: Sequence[str] | None = None) -> list[str]:
    """Artifact ids named in the positions' ``source`` column (or ``sources``, when the detector
    already collected them) that exist in the workspace."""
    ids = (
        sorted(sources)
        if sources is not None
        else lf.select(pl.col("source").unique()).collect()["source"].drop_nulls().to_list()
    )
    known = []
    for ref in ids:
        try:
            known.append(ws.get_artifact(ref).id)
        except (NotFoundError, InputError):  # "simulated" or a path: not an artifact of this workspace
            continue
    return known


def _vessel_names(ws: Any) -> dict[int, str]:
    from armswatch.maritime import store

    try:
        st = store.scan_statics(ws).select("mmsi", "ts", "name").drop_nulls("name").collect()
    except Exception:
        return {}
    latest = st.sort("ts").unique(subset="mmsi", keep="last")
    return dict(zip(latest["mmsi"].to_list(), latest["name"].to_list(), strict=True))
