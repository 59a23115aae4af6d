"""``armswatch ais ingest | vessels | identity``: AIS files into the workspace, and vessel identity.

``register(app)`` adds the three commands to the ``ais`` group (``armswatch.cli.ais``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    check_format,
    emit,
    open_workspace,
    progress,
    progress_for,
    say,
)
from armswatch.errors import InputError, MissingFileError
from armswatch.maritime.distributed import DEFAULT_RETRIES, SCHEDULER_ENV
from armswatch.types.imo import clean_imo

if TYPE_CHECKING:
    from armswatch.maritime.distributed import Job
    from armswatch.maritime.identity import IdentityParams

FilesArg = Annotated[list[Path], typer.Argument(help="AIS files (NMEA, CSV, JSON lines or Parquet).")]
InFormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", help="Input format: auto, nmea, marinecadastre, dma, aisstream, csv, parquet."
    ),
]
MapOpt = Annotated[
    str | None,
    typer.Option("--map", help="Column mapping for csv/parquet, e.g. ts=time,lat=latitude,lon=lng,mmsi=id."),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (file:line).")]
SimulatedOpt = Annotated[bool, typer.Option("--simulated", help="Mark the file as simulated data.")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar=SCHEDULER_ENV,
        show_envvar=True,
        help="Run the partitions on a Dask cluster: tcp://HOST:PORT of its scheduler, or local[:N] to start "
        "N worker processes here. Workers must see the workspace (and the input files) at the same path.",
    ),
]
RetriesOpt = Annotated[
    int, typer.Option("--retries", help="With --scheduler: times Dask retries a failed partition task.")
]
AssumeTimeOpt = Annotated[
    str | None,
    typer.Option(
        "--assume-time",
        help="Raw NMEA without times: give its records this ISO time (UTC unless an offset is given) or "
        "'file-mtime' (the file's modification time); stored rows say so in time_source.",
    ),
]


def ingest(
    files: FilesArg,
    fmt: InFormatOpt = "auto",
    column_map: MapOpt = None,
    strict: StrictOpt = False,
    simulated: SimulatedOpt = False,
    assume_time: AssumeTimeOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    analyst: AnalystOpt = None,
    out_format: Annotated[
        str, typer.Option("--output-format", help="Summary format: table, json or csv.")
    ] = "table",
    scheduler: SchedulerOpt = None,
    retries: RetriesOpt = DEFAULT_RETRIES,
) -> None:
    """Ingest AIS files: positions, base stations and static data into Parquet, deduplicated.

    Example: armswatch ais ingest day1.nmea noaa.csv --format auto

    Example (NMEA without times): armswatch ais ingest capture.nmea --assume-time 2024-03-01T12:00:00Z

    Example (on a Dask cluster): armswatch ais ingest /shared/ais/*.csv --scheduler tcp://10.0.0.5:8786
    """
    from armswatch.maritime.formats import FORMATS, parse_map

    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    mapping = parse_map(column_map)
    summary_format = check_format(out_format, ("table", "json", "csv"))  # refuse before any ingest
    for path in files:
        if not path.is_file():
            raise MissingFileError("no such file", path=str(path))
    if retries < 0:
        raise InputError(f"--retries must be zero or more (got {retries})")
    with open_workspace(workspace, analyst) as ws:
        if scheduler and scheduler.strip():
            from armswatch.maritime.ingest_task import ingest_on_cluster

            with cluster_job(scheduler.strip(), ws.tables_dir, retries, quiet) as job:
                done = ingest_on_cluster(
                    ws, job, files, fmt=fmt, mapping=mapping, strict=strict, simulated=simulated,
                    assume_time=assume_time,
                )  # fmt: skip
        else:
            done = [
                _ingest_here(ws, path, fmt, mapping, strict, simulated, assume_time, quiet) for path in files
            ]
        rows = [_summary_row(path, run_id, s) for path, (run_id, s) in zip(files, done, strict=True)]
        emit(rows, fmt=summary_format, title="AIS ingest")
        for row in rows:
            if row["rejected"]:
                say(f"{row['file']}: {row['rejected']} bad record(s): {row['reasons']} (first at line: "
                    f"{row['first_bad_line']})", quiet)  # fmt: skip


@contextmanager
def cluster_job(address: str, tables_dir: Path, retries: int, quiet: bool) -> Iterator[Job]:
    """A Dask job on the cluster at ``address`` with a progress bar per phase (partitions done/total
    on standard error); task failures Dask retried are reported when it ends."""
    from armswatch.maritime.distributed import Job, connect

    with connect(address) as client, progress_for(quiet) as prog:
        job = Job(client, tables_dir, retries=retries, progress=prog)
        try:
            yield job
        finally:
            failures = job.collect_failures()
            if failures:
                first = failures[0]
                say(f"{len(failures)} partition task failure(s) retried by Dask (first: {first['partition']}: "
                    f"{first['error']})", quiet)  # fmt: skip


def _ingest_here(
    ws: Any, path: Path, fmt: str, mapping: dict[str, str], strict: bool, simulated: bool,
    assume_time: str | None, quiet: bool,
) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """Ingest one file in this process, with a progress bar (bytes for text formats, else rows)."""
    from armswatch.maritime.formats import detect_format
    from armswatch.maritime.ingest import TEXT_FORMATS, ingest_file

    chosen = detect_format(path) if fmt == "auto" else fmt
    with progress(quiet) as bar:
        total = path.stat().st_size if chosen in TEXT_FORMATS else None
        task = bar.add_task(f"{path.name} ({chosen})", total=total)

        def advance(done: int, is_bytes: bool) -> None:
            if is_bytes:
                bar.update(task, completed=done)
            else:
                bar.advance(task, done)

        return ingest_file(
            ws, path, fmt=chosen, mapping=mapping, strict=strict, simulated=simulated, on_progress=advance,
            assume_time=assume_time if chosen == "nmea" else None,  # other formats carry their own times
        )  # fmt: skip


def _summary_row(path: Path, run_id: str, s: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": path.name,
        "run": run_id,
        "format": s.get("format"),
        "positions_added": s.get("positions", {}).get("added", 0),
        "duplicates": s.get("positions", {}).get("duplicates", 0),
        "statics_added": s.get("statics", {}).get("added", 0),
        "base_stations_added": s.get("base_stations", {}).get("added", 0),
        "rejected": s.get("rejected_total", 0),
        "reasons": ", ".join(f"{k}={v}" for k, v in s.get("rejected", {}).items()),
        "first_bad_line": ", ".join(f"{k} {v}" for k, v in s.get("first_bad_line", {}).items()),
    }


def vessels(
    mmsi: Annotated[int | None, typer.Option("--mmsi", help="Show the identity history of one MMSI.")] = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """List vessels seen in AIS (latest identity, flag from the MID, whether the MMSI is a valid ITU
    identity and if not why), or one MMSI's history.

    Example: armswatch ais vessels --mmsi 445123456
    """
    from armswatch.maritime.identity import identity_history, position_counts, vessel_table
    from armswatch.maritime.store import scan_positions, scan_statics

    fmt = check_format(fmt, ("table", "json", "csv"))
    with open_workspace(workspace) as ws:
        only = [mmsi] if mmsi is not None else None
        statics = scan_statics(ws, mmsi=only).collect()
        if mmsi is not None:
            history = identity_history(statics).sort("attribute", "first_seen")
            table = vessel_table(statics, position_counts(scan_positions(ws, mmsi=only)))
            if table.height == 0:
                raise InputError(f"MMSI {mmsi} not seen in this workspace's AIS data")
            if fmt == "table":
                emit(_rows(table), fmt=fmt, output=output, title=f"MMSI {mmsi}")
            emit(_rows(history), fmt=fmt, output=output, title="identity history")
            return
        table = vessel_table(statics, position_counts(scan_positions(ws)))
        if table.height == 0 and fmt == "table" and output == "-":
            say("no vessels yet: ingest AIS files with `armswatch ais ingest FILE`", False)
            return
        emit(_rows(table), fmt=fmt, output=output, title=f"{table.height} vessels")


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()} for r in frame.to_dicts()
    ]


def identity(
    max_speed: Annotated[float, typer.Option(help="Implied speed (knots) no ship reaches.")] = 50.0,
    min_jump_km: Annotated[float, typer.Option(help="Ignore jumps shorter than this (km).")] = 10.0,
    min_jumps: Annotated[int, typer.Option(help="Impossible jumps needed to flag a shared MMSI.")] = 3,
    imo_overlap_hours: Annotated[
        float, typer.Option(help="Overlap that makes two MMSIs on one IMO a conflict.")
    ] = 1.0,
    flags: Annotated[
        Path | None, typer.Option(help="CSV of declared flags: columns flag and imo or mmsi (ISO alpha-2).")
    ] = None,
    flags_from_entities: Annotated[
        bool,
        typer.Option(
            help="Also take declared flags from vessels in the workspace's imported lists (by IMO/MMSI)."
        ),
    ] = True,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check vessel identity in the AIS tables and record findings (run ``ais.identity``).

    Example: armswatch ais identity --flags declared_flags.csv
    """
    from armswatch.maritime.identity import IdentityParams

    checks = {
        "--max-speed": (max_speed, max_speed > 0, "positive"),
        "--min-jump-km": (min_jump_km, min_jump_km >= 0, "zero or more"),
        "--imo-overlap-hours": (imo_overlap_hours, imo_overlap_hours >= 0, "zero or more"),
        "--min-jumps": (min_jumps, min_jumps >= 1, "at least 1"),
    }
    for name, (value, ok, rule) in checks.items():
        if not ok:  # NaN fails every comparison, so it is refused too
            raise InputError(f"{name} must be {rule} (got {value})")
    params = IdentityParams(max_speed, min_jump_km, min_jumps, imo_overlap_hours)
    if flags is not None and not flags.is_file():
        raise MissingFileError("no such file", path=str(flags))
    with open_workspace(workspace, analyst) as ws:
        run_id, stats = record_identity(ws, params, flags=flags, flags_from_entities=flags_from_entities)
    say(f"run {run_id}: " + ", ".join(f"{k}={v}" for k, v in stats.items()), quiet)


def record_identity(
    ws: Any,
    params: IdentityParams | None = None,
    *,
    flags: Path | None = None,
    flags_from_entities: bool = True,
) -> tuple[str, dict[str, int]]:
    """Run the identity checks over the workspace's AIS tables in an ``ais.identity`` run (also used
    by the demo); returns the run id and its summary counts."""
    from armswatch.maritime.identity import IdentityParams, identity_findings
    from armswatch.maritime.store import scan_positions, scan_statics

    params = params or IdentityParams()
    declared = None
    inputs: list[str] = []
    if flags is not None:
        declared = pl.read_csv(flags, infer_schema=False).with_columns(
            pl.lit(flags.name).alias("declared_by")
        )
        if "flag" not in declared.columns or not ({"imo", "mmsi"} & set(declared.columns)):
            raise InputError("needs a flag column and an imo or mmsi column", path=str(flags))
        inputs.append(ws.add_artifact(flags, name=flags.name, media_type="text/csv").id)
    statics = scan_statics(ws).collect()
    positions = scan_positions(ws)
    sources = _sources(ws, statics, positions)
    if flags_from_entities:
        listed = entity_flags(ws, statics, sources)
        if listed.height:
            declared = listed if declared is None else pl.concat([declared, listed], how="diagonal_relaxed")
    parameters = {"max_speed_knots": params.max_speed_knots, "min_jump_km": params.min_jump_km,
                  "min_impossible": params.min_impossible, "imo_overlap_hours": params.imo_overlap_hours,
                  "flags": flags.name if flags else None, "flags_from_entities": flags_from_entities}  # fmt: skip
    with ws.run(
        "ais.identity", parameters=parameters, inputs=[*inputs, *sorted(set(sources["source"]))]
    ) as run:
        findings, stats = identity_findings(statics, positions, declared, params)
        for f in findings:
            mmsis = [int(s.rsplit(":", 1)[1]) for s in f.subjects if s.startswith("vessel:mmsi:")]
            evidence = sorted(set(sources.filter(pl.col("mmsi").is_in(mmsis))["source"]))
            run.add_finding(
                kind=f.kind, title=f.title, summary=f.summary, subjects=f.subjects, geometry=f.geometry,
                start=f.start, end=f.end, confidence=f.confidence, evidence=[*inputs, *evidence], details=f.details,
            )  # fmt: skip
        run.summary.update(stats)
    return str(run.id), stats


def entity_flags(ws: Any, statics: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Flags of the vessels in the workspace's imported lists whose IMO or MMSI appears in AIS.

    Columns ``imo`` / ``mmsi`` (one of them set), ``flag`` (ISO alpha-2, upper case), ``entity``.
    """
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import ids_by_value

    imos = sorted(statics["imo"].drop_nulls().unique().to_list())
    mmsis = sorted(str(m) for m in sources["mmsi"].unique().to_list())
    ids: set[str] = set()
    for prop, values in (("imoNumber", imos), ("mmsi", mmsis)):
        for i in range(0, len(values), 500):
            ids.update(ids_by_value(ws, prop, values[i : i + 500]))
    rows: list[dict[str, Any]] = []
    for entity_id in sorted(ids):
        entity = entity_at(ws, entity_id).entity
        if entity is None or not entity.schema.is_a("Vessel"):
            continue
        for flag in entity.get("flag"):
            tag = {"flag": flag.upper(), "entity": entity_id, "declared_by": "entities"}
            rows += [{"imo": clean_imo(v), **tag} for v in entity.get("imoNumber") if clean_imo(v)]
            rows += [{"mmsi": v.strip(), **tag} for v in entity.get("mmsi")]
    schema = {"imo": pl.Utf8, "mmsi": pl.Utf8, "flag": pl.Utf8, "entity": pl.Utf8, "declared_by": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def _sources(ws: Any, statics: pl.DataFrame, positions: pl.LazyFrame) -> pl.DataFrame:
    """``mmsi, source`` pairs, keeping only sources that are artifacts of this workspace."""
    pos = positions.select("mmsi", "source").unique().collect()
    pairs = pl.concat([statics.select("mmsi", "source").unique(), pos]).unique().drop_nulls()
    known = {a.id for a in ws.list_artifacts()}
    return pairs.filter(pl.col("source").is_in(sorted(known)))


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``vessels`` and ``identity`` to the ``ais`` command group."""
    app.command("ingest")(ingest)
    app.command("vessels")(vessels)
    app.command("identity")(identity)


def simulated_identity_nmea(start: int = 1_709_251_200) -> str:
    """SIMULATED raw NMEA (tag-block times) showing each identity pattern once, made with pyais's encoder:
    a renamed DPRK-flagged tanker, one Panamanian MMSI transmitted by two ships near Rajin and
    Vostochny at once, and that ship's IMO number also broadcast by a Russian MMSI."""
    from pyais.encode import encode_dict

    lines: list[str] = []

    def emit_msg(t: int, fields: dict[str, Any]) -> None:
        for i, sentence in enumerate(encode_dict(fields, talker_id="AI", seq_id=len(lines) % 10)):
            lines.append(f"\\c:{t}*00\\{sentence}" if i == 0 else sentence)

    renamed, shared, twin = 445301000, 352001234, 273450000
    for day, name in ((0, "SIM SUN BONG"), (2, "SIM OCEAN STAR")):
        emit_msg(start + day * 86400, {"type": 5, "mmsi": renamed, "imo": 7654329, "shipname": name,
                                       "callsign": "HMSB", "ship_type": 80, "to_bow": 90, "to_stern": 20})  # fmt: skip
    for i in range(36):  # every 10 minutes for 6 hours
        t = start + 600 * i
        emit_msg(
            t, {"type": 1, "msg_type": 1, "mmsi": renamed, "lat": 38.70 + 0.01 * i, "lon": 125.20, "speed": 8}
        )
        near_rajin = i % 2 == 0
        lat, lon = (42.24, 130.29) if near_rajin else (42.74, 133.05)
        emit_msg(t + 5, {"type": 1, "msg_type": 1, "mmsi": shared, "lat": lat, "lon": lon, "speed": 0.1})
        emit_msg(t + 7, {"type": 1, "msg_type": 1, "mmsi": twin, "lat": 42.80, "lon": 132.90, "speed": 0.2})
    for t in (start, start + 6 * 3600):
        for mmsi, name in ((shared, "SIM KORYO STAR"), (twin, "SIM VOSTOK 7")):
            emit_msg(t + 30, {"type": 5, "mmsi": mmsi, "imo": 1234567, "shipname": name, "ship_type": 70})
    return "\n".join(lines) + "\n"


def build_demo(ws: Any) -> None:
    """Demo part: ingest the SIMULATED identity feed (a real ``ais.ingest`` run on an artifact marked
    simulated) and run the identity checks, so the report shows each kind of identity finding."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "simulated-identity-ais.nmea"
        path.write_text(simulated_identity_nmea(), encoding="utf-8")
        from armswatch.maritime.ingest import ingest_file

        ingest_file(ws, path, fmt="nmea", simulated=True)
    record_identity(ws)
