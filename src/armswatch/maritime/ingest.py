"""AIS ingest: read a file in batches, validate records, store new rows, count problems by reason.

The pure part (:func:`validate_positions`, :func:`validate_statics`) works on polars frames; the
edge (:func:`ingest_file`) registers the file as an artifact, records an ``ais.ingest`` run and
writes the partitioned Parquet tables through :class:`~armswatch.maritime.staging.Staging`: the
rows of a file are published only when the whole file has been read, so a failed or ``strict``-
stopped ingest stores nothing, and a re-ingest (or a concurrent ingest) of the same file adds no rows.
Bad records never stop an ingest unless ``strict``; then the first one raises
:class:`~armswatch.errors.InputError` naming ``file:line``.

Rejection reasons: ``garbage_line``, ``line_too_long``, ``bad_encoding``, ``bad_checksum``,
``bad_fragment_number``, ``unreassembled_fragment``, ``undecodable_payload``, ``bad_mmsi`` (not a
number of 1 to 9 digits), ``bad_time`` (a time given but unreadable or outside 1980..2100),
``missing_time``, ``out_of_range_position``. An MMSI that is a 1-9 digit number but fits no ITU
pattern or has an unallocated MID is an *invalid identity*, kept and analysed like any other (see
:func:`armswatch.types.mmsi.mmsi_problem`). Not errors, counted under ``skipped``:
``position_unavailable`` (lat 91 / lon 181), and under ``counts``: ignored lines (blank, ``#``
comments, ``$PGHP``) and messages of types that are not stored.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow as pa

from armswatch.errors import InputError, MissingFileError
from armswatch.maritime import store
from armswatch.maritime.format_dma import read_dma
from armswatch.maritime.format_text import AssumedTime, assumed_time, read_aisstream, read_nmea
from armswatch.maritime.formats import FORMATS, Batch, detect_format, read_mapped, read_marinecadastre
from armswatch.maritime.schema import POSITION_SCHEMA, STATIC_SCHEMA, STORED_EXTRA, conform
from armswatch.maritime.staging import Staging, clean_stale_staging
from armswatch.types.mmsi import MAX_MMSI

STORED_POSITIONS: Final = {**POSITION_SCHEMA, **STORED_EXTRA}
STORED_STATICS: Final = {**STATIC_SCHEMA, **STORED_EXTRA}

TEXT_FORMATS: Final = frozenset({"nmea", "aisstream"})
MEDIA_TYPES: Final = {
    "nmea": "text/plain", "aisstream": "application/x-ndjson", "marinecadastre": "text/csv", "dma": "text/csv",
    "csv": "text/csv", "parquet": "application/vnd.apache.parquet",
}  # fmt: skip


@dataclass(frozen=True)
class Checked:
    """Rows that passed (conformed to the table schema) and rejected rows (``line``, ``reason``)."""

    good: pl.DataFrame
    rejects: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)


def _reason(frame: pl.DataFrame, rules: list[tuple[str, pl.Expr]]) -> pl.DataFrame:
    expr: pl.Expr = pl.lit(None, pl.Utf8)
    for name, bad in reversed(rules):
        expr = pl.when(bad).then(pl.lit(name)).otherwise(expr)
    return frame.with_columns(expr.alias("_reason"))


def _mmsi_ok(frame: pl.DataFrame) -> pl.Expr:
    """A number of 1 to 9 digits (0..999,999,999); whether it is a *valid* MMSI is not checked here."""
    if "mmsi" not in frame.columns:
        return pl.lit(False).alias("_mmsi_ok")
    mmsi = pl.col("mmsi").cast(pl.Int64, strict=False)
    return mmsi.is_between(0, MAX_MMSI).fill_null(False).alias("_mmsi_ok")


def validate_positions(frame: pl.DataFrame, source: str) -> Checked:
    """Check decoded positions; clean speed/course/heading out of range to null."""
    if frame.height == 0 or frame.width == 0:
        return Checked(pl.DataFrame(schema=STORED_POSITIONS), _no_rejects())
    df = frame.with_columns(_mmsi_ok(frame)).with_columns(  # 91 / 181: AIS "not available"
        pl.when(pl.col("lat") != 91).then(pl.col("lat")).alias("lat"),
        pl.when(pl.col("lon") != 181).then(pl.col("lon")).alias("lon"),
    )
    lat, lon = pl.col("lat"), pl.col("lon")
    df = _reason(
        df,
        [
            ("bad_mmsi", ~pl.col("_mmsi_ok")),
            ("missing_time", pl.col("ts").is_null()),
            ("out_of_range_position", (lat.abs() > 90) | (lon.abs() > 180) | lat.is_nan() | lon.is_nan()),
            ("position_unavailable", lat.is_null() | lon.is_null()),
        ],
    )
    skipped = int((df["_reason"] == "position_unavailable").sum())
    rejects = df.filter(pl.col("_reason").is_not_null() & (pl.col("_reason") != "position_unavailable"))
    good = df.filter(pl.col("_reason").is_null()).with_columns(
        pl.when(pl.col("sog").is_between(0, 102.2)).then(pl.col("sog")).alias("sog")
        if "sog" in df.columns
        else pl.lit(None).alias("sog"),
        pl.when((pl.col("cog") >= 0) & (pl.col("cog") < 360)).then(pl.col("cog")).alias("cog")
        if "cog" in df.columns
        else pl.lit(None).alias("cog"),
        pl.when((pl.col("heading") >= 0) & (pl.col("heading") < 360)).then(pl.col("heading")).alias("heading")
        if "heading" in df.columns
        else pl.lit(None).alias("heading"),
        pl.when(pl.col("nav_status").is_between(0, 15)).then(pl.col("nav_status")).alias("nav_status")
        if "nav_status" in df.columns
        else pl.lit(None).alias("nav_status"),
        pl.lit(source).alias("source"),
    )
    return Checked(
        conform(good, STORED_POSITIONS),
        rejects.select(pl.col("line").cast(pl.UInt64), pl.col("_reason").alias("reason")),
        {"position_unavailable": skipped} if skipped else {},
    )


def validate_statics(frame: pl.DataFrame, source: str) -> Checked:
    """Check static / voyage rows (valid MMSI and a time)."""
    if frame.height == 0 or frame.width == 0:
        return Checked(pl.DataFrame(schema=STORED_STATICS), _no_rejects())
    df = _reason(
        frame.with_columns(_mmsi_ok(frame)),
        [("bad_mmsi", ~pl.col("_mmsi_ok")), ("missing_time", pl.col("ts").is_null())],
    )
    good = df.filter(pl.col("_reason").is_null()).with_columns(pl.lit(source).alias("source"))
    rejects = df.filter(pl.col("_reason").is_not_null())
    return Checked(
        conform(good, STORED_STATICS),
        rejects.select(pl.col("line").cast(pl.UInt64), pl.col("_reason").alias("reason")),
    )


def _no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"line": pl.UInt64, "reason": pl.Utf8})


def read_batches(
    path: Path, fmt: str, mapping: Mapping[str, str] | None = None, assume: AssumedTime | None = None
) -> Iterator[Batch]:
    """The batches of ``path`` in format ``fmt`` (not ``auto``); a file that cannot be read in that
    format raises :class:`InputError` naming it (not a library traceback). ``assume``: the time of
    NMEA records without one (``--assume-time``)."""
    try:
        yield from _read_batches(path, fmt, mapping, assume)
    except (
        pl.exceptions.PolarsError,
        pl.exceptions.PanicException,
        pa.ArrowException,
        OSError,
        UnicodeDecodeError,
    ) as exc:  # UnicodeDecodeError: pyarrow decodes damaged Parquet column names (found by fuzzing)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read as {fmt}: {first}", path=str(path)) from exc


def _read_batches(
    path: Path, fmt: str, mapping: Mapping[str, str] | None, assume: AssumedTime | None
) -> Iterator[Batch]:
    if assume is not None and fmt != "nmea":
        raise InputError(f"--assume-time is for raw NMEA; {fmt} records carry their own time", path=str(path))
    if fmt == "nmea":
        return read_nmea(path, assume=assume)
    if fmt == "aisstream":
        return read_aisstream(path)
    if fmt == "marinecadastre":
        return read_marinecadastre(path)
    if fmt == "dma":
        return read_dma(path)
    if fmt in ("csv", "parquet"):
        return read_mapped(path, mapping or {}, fmt)
    raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def iter_valid_positions(
    path: Path,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    source: str = "",
    rejected: Counter[str] | None = None,
) -> Iterator[pl.DataFrame]:
    """Validated vessel positions of a file (:data:`POSITION_SCHEMA`), batch by batch, without a
    workspace; bad records are dropped (see :func:`validate_positions`), counted by reason into
    ``rejected`` when given (one reason per record, as in an ingest), and base stations left out."""
    chosen = detect_format(path) if fmt == "auto" else fmt
    for batch in read_batches(path, chosen, mapping):
        checked = validate_positions(batch.positions, source)
        if rejected is not None:
            bad = pl.concat([batch.rejects, checked.rejects], how="vertical_relaxed").unique("line")
            rejected.update(dict(bad["reason"].value_counts().iter_rows()))
        if checked.good.height:
            yield conform(checked.good, POSITION_SCHEMA)


@dataclass
class IngestTally:
    """Running totals of one ingest (mutable while reading; :meth:`summary` gives the JSON form)."""

    fmt: str
    rejected: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    tables: dict[str, Counter[str]] = field(default_factory=dict)
    first_bad: dict[str, int] = field(default_factory=dict)

    def add_write(self, table: str, result: store.WriteResult) -> None:
        c = self.tables.setdefault(table, Counter())
        c["offered"] += result.offered
        c["added"] += result.added
        c["duplicates"] += result.duplicates

    def summary(self) -> dict[str, Any]:
        return {
            "format": self.fmt,
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": sum(self.rejected.values()),
            "first_bad_line": dict(sorted(self.first_bad.items())),
            "skipped": dict(self.skipped),
            "counts": dict(self.counts),
            **{name: dict(c) for name, c in self.tables.items()},
        }


ProgressFn = Callable[[int, bool], None]

TABLE_NAMES: Final = ("positions", "base_stations", "statics")


@dataclass(frozen=True)
class CheckedBatch:
    """One batch after validation: good rows per table and one reason per bad record."""

    good: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    skipped: dict[str, int]
    counts: dict[str, int]
    done: int


def check_batch(batch: Batch, source: str) -> CheckedBatch:
    """Validate one batch (pure): every bad record appears once in ``rejects`` with its line."""
    pos = validate_positions(batch.positions, source)
    base = validate_positions(batch.base_stations, source)
    stat = validate_statics(batch.statics, source)
    rejects = pl.concat([batch.rejects, pos.rejects, base.rejects, stat.rejects], how="vertical_relaxed")
    rejects = rejects.unique("line", keep="first", maintain_order=True)  # one reason per record
    skipped = Counter(pos.skipped) + Counter(base.skipped)
    return CheckedBatch(
        {"positions": pos.good, "base_stations": base.good, "statics": stat.good},
        rejects, dict(skipped), dict(batch.counts), batch.done,
    )  # fmt: skip


def tally_batch(tally: IngestTally, checked: CheckedBatch) -> None:
    """Add a checked batch's bad records, skips and counts to ``tally``."""
    tally.rejected.update(dict(checked.rejects["reason"].value_counts().iter_rows()))
    for reason, line in checked.rejects.group_by("reason").agg(pl.col("line").min()).iter_rows():
        tally.first_bad[reason] = min(int(line), tally.first_bad.get(reason, int(line)))
    tally.skipped.update(checked.skipped)
    tally.counts.update(checked.counts)


def ingest_batches(
    ws: store.HasTablesDir,
    batches: Iterator[Batch],
    *,
    source: str,
    tally: IngestTally,
    strict: bool = False,
    path: str | None = None,
    on_progress: ProgressFn | None = None,
) -> IngestTally:
    """Validate and stage each batch, then publish the file's rows at once (see
    :mod:`~armswatch.maritime.staging`); with ``strict`` the first bad record raises and nothing is
    stored."""
    staging = Staging(ws.tables_dir)
    try:
        for batch in batches:
            checked = check_batch(batch, source)
            if strict and checked.rejects.height:
                first = checked.rejects.sort("line").row(0, named=True)
                raise InputError(f"bad AIS record ({first['reason']})", path=path, record=int(first["line"]))
            tally_batch(tally, checked)
            for name, good in checked.good.items():
                staging.add(name, good)
            if on_progress is not None:
                on_progress(batch.done, tally.fmt in TEXT_FORMATS)
        for name, result in staging.publish().items():
            tally.add_write(name, result)
    finally:
        staging.discard()
    return tally


def ingest_file(
    ws: Any,
    path: Path,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    strict: bool = False,
    simulated: bool = False,
    source_id: str | None = None,
    on_progress: ProgressFn | None = None,
    assume_time: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Ingest one file into workspace ``ws``; returns the run id and the run summary.

    ``assume_time``: for raw NMEA, an ISO time or ``file-mtime`` given to records without a time
    (they are stored with ``time_source`` saying so); without it they are ``missing_time`` records.
    """
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    chosen = detect_format(path) if fmt == "auto" else fmt
    if chosen not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    assume = assumed_time(assume_time, path)
    clean_stale_staging(ws.tables_dir)
    batches = read_batches(path, chosen, mapping, assume)
    first = next(batches, None)  # a file that is not in this format fails here, before anything is recorded
    art = ws.add_artifact(
        path, name=path.name, media_type=MEDIA_TYPES[chosen], source=source_id, simulated=simulated,
        metadata={"format": chosen, "kind": "ais"},
    )  # fmt: skip
    params = {"file": path.name, "format": chosen, "strict": strict, "map": dict(mapping or {}),
              "assume_time": assume.label if assume else None}  # fmt: skip
    with ws.run("ais.ingest", parameters=params, inputs=[art.id]) as run:
        tally = IngestTally(chosen)
        try:
            ingest_batches(
                ws, chain([] if first is None else [first], batches), source=art.id, tally=tally, strict=strict,
                path=str(path), on_progress=on_progress,
            )  # fmt: skip
        finally:
            run.summary.update(tally.summary())
        return str(run.id), dict(run.summary)


@dataclass(frozen=True)
class ReadCounts:
    """What a reader made of an input, without a workspace: records kept per table, bad records by
    reason (with the first line of each), skipped and ignored counts."""

    kept: dict[str, int]
    rejected: dict[str, int]
    first_bad_line: dict[str, int]
    skipped: dict[str, int]
    counts: dict[str, int]

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def read_counts(
    source: Path | bytes,
    fmt: str,
    mapping: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    assume_time: str | None = None,
) -> ReadCounts:
    """Read and validate a whole AIS input (a path, or the bytes of a file) exactly as an ingest does,
    without a workspace, and return the counts: the entry point of the fuzz harness for each reader
    (``fmt`` one of nmea, marinecadastre, dma, aisstream, csv, parquet). The only exception it raises
    on any input is :class:`InputError` (a file that cannot be read in ``fmt`` at all, or with
    ``strict`` the first bad record, naming its line)."""
    if isinstance(source, bytes):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"input.{'parquet' if fmt == 'parquet' else 'txt'}"
            path.write_bytes(source)
            return read_counts(path, fmt, mapping, strict=strict, assume_time=assume_time)
    tally = IngestTally(fmt)
    kept: Counter[str] = Counter()
    for batch in read_batches(source, fmt, mapping, assumed_time(assume_time, source)):
        checked = check_batch(batch, "")
        if strict and checked.rejects.height:
            first = checked.rejects.sort("line").row(0, named=True)
            raise InputError(
                f"bad AIS record ({first['reason']})", path=str(source), record=int(first["line"])
            )
        tally_batch(tally, checked)
        kept.update({name: frame.height for name, frame in checked.good.items()})
    return ReadCounts(
        dict(kept), dict(tally.rejected), dict(tally.first_bad), dict(tally.skipped), dict(tally.counts)
    )
