"""``armswatch ais events``: port calls, gaps, encounters, loitering and spoofing from AIS positions.

Two modes: over the workspace's AIS tables (records an ``ais.events`` run with pattern findings), or
standalone over position files given as arguments (no workspace needed, nothing recorded).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from armswatch.cli.ais_ingest import RetriesOpt, SchedulerOpt, cluster_job
from armswatch.cli.common import QuietOpt, WorkspaceOpt, open_workspace, progress_for, say
from armswatch.errors import InputError, MissingFileError
from armswatch.maritime.coverage import Coverage, CoverageParams
from armswatch.maritime.distributed import DEFAULT_RETRIES
from armswatch.maritime.encounter import EncounterParams
from armswatch.maritime.event import EVENT_TYPES
from armswatch.maritime.events import (
    Context,
    EventParams,
    analyse_workspace,
    area_geometry,
    detect,
    filter_area,
    write_events,
)
from armswatch.maritime.gap import GapParams
from armswatch.maritime.loitering import LoiteringParams
from armswatch.maritime.port import DEFAULT_WATCHED_PORTS, combine, read_ports_file, watched_ports_frame
from armswatch.maritime.port_call import PortCallParams
from armswatch.maritime.spoofing import SpoofingParams

app = typer.Typer(help="AIS events: port calls, gaps, encounters, loitering, spoofing.", no_args_is_help=True)


def _when(text: str | None, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (a whole day: --to is inclusive) or an ISO datetime, as UTC."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"not a date or ISO datetime: {text!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _read_files(files: list[Path], fmt: str, mapping: str | None) -> tuple[pl.DataFrame, Counter[str]]:
    """Positions from MarineCadastre / DMA / CSV / Parquet / NMEA files via the ingest readers, with
    the ingest checks (bad records dropped and counted by reason, as ``ais ingest`` would reject them)."""
    from armswatch.maritime.formats import parse_map
    from armswatch.maritime.ingest import iter_valid_positions
    from armswatch.maritime.schema import POSITION_SCHEMA

    frames: list[pl.DataFrame] = []
    rejected: Counter[str] = Counter()
    for path in files:
        if not path.is_file():
            raise MissingFileError("no such file", path=str(path))
        try:
            frames.extend(iter_valid_positions(path, fmt, parse_map(mapping), path.name, rejected))
        except InputError as exc:  # the readers name ingest's --format; here the option is --input-format
            message = exc.message.replace("--format", "--input-format")
            raise InputError(message, path=exc.path, record=exc.record) from exc
    positions = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=POSITION_SCHEMA)
    return positions, rejected


def _write_outages(coverage: Coverage, path: Path, quiet: bool) -> None:
    """The data outages as CSV (cell, lat, lon of its centre, start/end UTC, hours, baseline vessels,
    silent share)."""
    from armswatch.io.text import csv_safe_frame

    csv_safe_frame(
        coverage.outages.with_columns(
            pl.col("start_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
            pl.col("end_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
        )
    ).write_csv(path)
    say(f"wrote {path} ({coverage.outages.height} outages)", quiet)


def _area(path: Path | None) -> dict[str, object] | None:
    if path is None:
        return None
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", path=str(path)) from exc
    try:
        area_geometry(data)  # refuse a bad area before any work is done
    except InputError as exc:
        raise InputError(str(exc), path=str(path)) from exc
    return dict(data)


def events(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Position files (standalone mode; omit to use the workspace).")
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="events.csv, .geojson or .parquet; - = CSV")
    ] = "-",
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD) or ISO time, UTC.")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive) or ISO time, UTC.")] = None,
    area: Annotated[Path | None, typer.Option("--area", help="GeoJSON polygon: keep events inside.")] = None,
    ports: Annotated[
        Path | None, typer.Option("--ports", help="CSV of extra watched ports: name,lat,lon[,radius_m].")
    ] = None,
    types: Annotated[str, typer.Option("--types", help="Comma list of event types.")] = ",".join(EVENT_TYPES),
    fmt: Annotated[
        str,
        typer.Option("--input-format", help="Standalone input format (auto, nmea, ...)."),
    ] = "auto",
    mapping: Annotated[
        str | None, typer.Option("--map", help="Column map for csv/parquet: ts=col,...")
    ] = None,
    stop_kn: Annotated[float, typer.Option(help="Port call: stopped below this speed (kn).")] = 0.5,
    port_entry_m: Annotated[float, typer.Option(help="Port call: entry radius (m).")] = 3000.0,
    port_exit_m: Annotated[float, typer.Option(help="Port call: exit radius (m).")] = 4000.0,
    port_min_hours: Annotated[
        float, typer.Option(help="Port call: minimum stay (h; GFW: 3). Calls also need >= 2 positions.")
    ] = 3.0,
    gap_hours: Annotated[float, typer.Option(help="Gap: minimum silence (h).")] = 6.0,
    gap_max_speed_kn: Annotated[
        float, typer.Option(help="Gap: max speed for site reachability (kn).")
    ] = 15.0,
    encounter_m: Annotated[float, typer.Option(help="Encounter: max distance (m).")] = 500.0,
    encounter_hours: Annotated[float, typer.Option(help="Encounter: min duration (h).")] = 2.0,
    encounter_kn: Annotated[float, typer.Option(help="Encounter: max median speed (kn).")] = 2.0,
    encounter_port_km: Annotated[
        float, typer.Option(help="Encounter: min distance from a port (km).")
    ] = 10.0,
    loiter_kn: Annotated[float, typer.Option(help="Loitering: max speed (kn).")] = 2.0,
    loiter_hours: Annotated[float, typer.Option(help="Loitering: min duration (h).")] = 4.0,
    loiter_shore_nm: Annotated[float, typer.Option(help="Loitering: min distance from shore (nm).")] = 20.0,
    spoof_kn: Annotated[
        float, typer.Option(help="Spoofing: implied speed above this is a teleport (kn).")
    ] = 25.0,
    outage_share: Annotated[
        float, typer.Option(help="Coverage: share of an area's vessels silent at once that is an outage.")
    ] = 0.75,
    outage_min_vessels: Annotated[
        int, typer.Option(help="Coverage: vessels an area needs before an outage can be told.")
    ] = 5,
    coverage_out: Annotated[
        Path | None,
        typer.Option("--coverage", help="Write the data outages found (CSV)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    scheduler: SchedulerOpt = None,
    retries: RetriesOpt = DEFAULT_RETRIES,
) -> None:
    """Detect AIS events and write them (columns: event_type, mmsi, other_mmsi, start_utc, end_utc,
    lat, lon, duration_h, port, details). Data outages (an area where most vessels fall silent at
    once, or a hole in the data) end events and are reported as coverage, never as vessel behaviour.

    Example: armswatch ais events --from 2026-02-01 --to 2026-02-07 -o events.geojson

    Example (on a Dask cluster): armswatch ais events --scheduler tcp://10.0.0.5:8786 -o events.parquet
    """
    params = EventParams(
        port_call=PortCallParams(
            entry_radius_m=port_entry_m,
            exit_radius_m=port_exit_m,
            stop_speed_kn=stop_kn,
            min_duration_h=port_min_hours,
        ),
        coverage=CoverageParams(silent_share=outage_share, min_vessels=outage_min_vessels),
        gap=GapParams(min_gap_h=gap_hours, max_speed_kn=gap_max_speed_kn),
        encounter=EncounterParams(
            max_distance_m=encounter_m,
            min_duration_h=encounter_hours,
            max_median_speed_kn=encounter_kn,
            min_port_distance_m=encounter_port_km * 1000,
        ),
        loitering=LoiteringParams(
            max_speed_kn=loiter_kn, min_duration_h=loiter_hours, min_shore_nm=loiter_shore_nm
        ),
        spoofing=SpoofingParams(max_speed_kn=spoof_kn),
        types=tuple(t.strip() for t in types.split(",") if t.strip()),
    )
    if output != "-" and Path(output).suffix.lower() not in (".csv", ".geojson", ".json", ".parquet"):
        raise InputError("output must end in .csv, .geojson or .parquet", path=output)
    thresholds = {
        "--stop-kn": stop_kn, "--port-entry-m": port_entry_m, "--port-exit-m": port_exit_m,
        "--gap-hours": gap_hours, "--gap-max-speed-kn": gap_max_speed_kn, "--encounter-m": encounter_m,
        "--encounter-hours": encounter_hours, "--encounter-kn": encounter_kn, "--loiter-kn": loiter_kn,
        "--loiter-hours": loiter_hours, "--spoof-kn": spoof_kn,
    }  # fmt: skip
    for name, value in thresholds.items():
        if not value > 0:  # also NaN
            raise InputError(f"{name} must be a positive number (got {value})")
    if not 0 < outage_share <= 1:
        raise InputError(f"--outage-share must be in (0, 1] (got {outage_share})")
    if outage_min_vessels < 1:
        raise InputError(f"--outage-min-vessels must be at least 1 (got {outage_min_vessels})")
    for name, value in {
        "--encounter-port-km": encounter_port_km,
        "--loiter-shore-nm": loiter_shore_nm,
        "--port-min-hours": port_min_hours,
    }.items():
        if not value >= 0:
            raise InputError(f"{name} must be zero or more (got {value})")
    if port_exit_m < port_entry_m:
        raise InputError("--port-exit-m must be at least --port-entry-m")
    if retries < 0:
        raise InputError(f"--retries must be zero or more (got {retries})")
    address = scheduler.strip() if scheduler else None
    if files and address:
        raise InputError("--scheduler runs over the workspace's AIS tables: ingest the files first "
                         "(armswatch ais ingest FILE... --scheduler ...), then run ais events without files")  # fmt: skip
    extra = read_ports_file(ports) if ports is not None else None
    shape = _area(area)
    t0, t1 = _when(start, end=False), _when(end, end=True)
    if files:
        positions, rejected = _read_files(list(files), fmt, mapping)
        if rejected:
            reasons = ", ".join(f"{k}={v}" for k, v in sorted(rejected.items()))
            say(f"{sum(rejected.values())} bad record(s) skipped ({reasons})", quiet)
        if t0 is not None:
            positions = positions.filter(pl.col("ts") >= t0)
        if t1 is not None:
            positions = positions.filter(pl.col("ts") < t1)
        watched = watched_ports_frame(DEFAULT_WATCHED_PORTS)
        ctx = Context.build(combine(watched, extra) if extra is not None else watched)
        with progress_for(quiet) as prog:
            detection = detect(positions, ctx, params, progress=prog)
        found = detection.events
        if shape is not None:
            found = filter_area(found, shape)
        outages = detection.coverage.outages
        say(f"{found.height} events from {positions.height} positions in {len(files)} file(s)", quiet)
        if outages.height:
            say(
                f"{outages.height} data outage(s) ({outages['duration_h'].sum():.0f} cell-hours): "
                "events end there; not vessel behaviour",
                quiet,
            )
        if coverage_out is not None:
            _write_outages(detection.coverage, coverage_out, quiet)
    else:
        ws = open_workspace(workspace)
        on_coverage = (lambda cov: _write_outages(cov, coverage_out, quiet)) if coverage_out else None
        with ws:
            if address:
                from armswatch.maritime.event_task import detect_on_cluster
                from armswatch.maritime.store import positions_path

                with cluster_job(address, ws.tables_dir, retries, quiet) as job:
                    found, run_id, n_findings = analyse_workspace(
                        ws, start=t0, end=t1, area=shape, params=params, extra_ports=extra,
                        on_coverage=on_coverage,
                        detector=partial(detect_on_cluster, job, positions_path(ws), start=t0, end=t1),
                    )  # fmt: skip
            else:
                with progress_for(quiet) as prog:
                    found, run_id, n_findings = analyse_workspace(
                        ws, start=t0, end=t1, area=shape, params=params, extra_ports=extra,
                        on_coverage=on_coverage, detector=partial(detect, progress=prog),
                    )  # fmt: skip
        say(f"{found.height} events, {n_findings} findings (run {run_id})", quiet)
    if output == "-":
        from armswatch.io.text import csv_safe_frame

        sys.stdout.write(
            csv_safe_frame(
                found.with_columns(
                    pl.col("start_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                    pl.col("end_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                )
            ).write_csv()
        )
    else:
        write_events(found, Path(output))
        say(f"wrote {output}", quiet)


@app.callback()
def _group() -> None:
    """AIS events (this group is merged into ``armswatch ais`` by the CLI root)."""


app.command("events")(events)


def register(ais_app: typer.Typer) -> None:
    """Add ``events`` to the ``ais`` command group (``armswatch ais events``)."""
    ais_app.command("events")(events)
