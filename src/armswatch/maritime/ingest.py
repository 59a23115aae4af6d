"""AIS ingest: read a file in batches, validate records, store new rows, count problems by reason.

The pure part (:func:`validate_positions`, :func:`validate_statics`) works on polars frames; the
edge (:func:`ingest_file`) registers the file as an artifact, records an ``ais.ingest`` run and
writes the partitioned Parquet tables. Bad records never stop an ingest unless ``strict``; then the
first one raises :class:`~armswatch.errors.InputError` naming ``file:line`` (rows of earlier batches
are already stored; re-ingesting after a fix adds only what is missing).

Rejection reasons: ``garbage_line``, ``bad_checksum``, ``bad_fragment_number``,
``unreassembled_fragment``, ``undecodable_payload``, ``invalid_mmsi``, ``missing_time``,
``out_of_range_position``. Not errors, counted under ``skipped``: ``position_unavailable``
(lat 91 / lon 181), and under ``counts``: ignored lines (blank, ``#`` comments, ``$PGHP``) and
messages of types that are not stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Final

import polars as pl

from armswatch.errors import InputError, MissingFileError
from armswatch.maritime import store
from armswatch.maritime.format_dma import read_dma
from armswatch.maritime.format_text import read_aisstream, read_nmea
from armswatch.maritime.formats import FORMATS, Batch, detect_format, read_mapped, read_marinecadastre
from armswatch.maritime.schema import POSITION_SCHEMA, STATIC_SCHEMA, conform
from armswatch.types.mmsi import valid_mmsi_array

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


def _mmsi_ok(frame: pl.DataFrame) -> pl.Series:
    mmsi = frame["mmsi"].cast(pl.Int64, strict=False).fill_null(-1).to_numpy()
    return pl.Series("_mmsi_ok", valid_mmsi_array(mmsi))


def validate_positions(frame: pl.DataFrame, source: str) -> Checked:
    """Check decoded positions; clean speed/course/heading out of range to null."""
    if frame.height == 0 or frame.width == 0:
        return Checked(pl.DataFrame(schema=POSITION_SCHEMA), _no_rejects())
    df = frame.with_columns(_mmsi_ok(frame)).with_columns(  # 91 / 181: AIS "not available"
        pl.when(pl.col("lat") != 91).then(pl.col("lat")).alias("lat"),
        pl.when(pl.col("lon") != 181).then(pl.col("lon")).alias("lon"),
    )
    lat, lon = pl.col("lat"), pl.col("lon")
    df = _reason(
        df,
        [
            ("invalid_mmsi", ~pl.col("_mmsi_ok")),
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
        conform(good, POSITION_SCHEMA),
        rejects.select(pl.col("line").cast(pl.UInt64), pl.col("_reason").alias("reason")),
        {"position_unavailable": skipped} if skipped else {},
    )


def validate_statics(frame: pl.DataFrame, source: str) -> Checked:
    """Check static / voyage rows (valid MMSI and a time)."""
    if frame.height == 0 or frame.width == 0:
        return Checked(pl.DataFrame(schema=STATIC_SCHEMA), _no_rejects())
    df = _reason(
        frame.with_columns(_mmsi_ok(frame)),
        [("invalid_mmsi", ~pl.col("_mmsi_ok")), ("missing_time", pl.col("ts").is_null())],
    )
    good = df.filter(pl.col("_reason").is_null()).with_columns(pl.lit(source).alias("source"))
    rejects = df.filter(pl.col("_reason").is_not_null())
    return Checked(
        conform(good, STATIC_SCHEMA),
        rejects.select(pl.col("line").cast(pl.UInt64), pl.col("_reason").alias("reason")),
    )


def _no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"line": pl.UInt64, "reason": pl.Utf8})


def read_batches(path: Path, fmt: str, mapping: Mapping[str, str] | None = None) -> Iterator[Batch]:
    """The batches of ``path`` in format ``fmt`` (not ``auto``); a file that cannot be read in that
    format raises :class:`InputError` naming it (not a library traceback)."""
    try:
        yield from _read_batches(path, fmt, mapping)
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read as {fmt}: {first}", path=str(path)) from exc


def _read_batches(path: Path, fmt: str, mapping: Mapping[str, str] | None) -> Iterator[Batch]:
    if fmt == "nmea":
        return read_nmea(path)
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
            yield checked.good


@dataclass
class IngestTally:
    """Running totals of one ingest (mutable while reading; :meth:`summary` gives the JSON form)."""

    fmt: str
    rejected: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    tables: dict[str, Counter[str]] = field(default_factory=dict)

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
            "skipped": dict(self.skipped),
            "counts": dict(self.counts),
            **{name: dict(c) for name, c in self.tables.items()},
        }


ProgressFn = Callable[[int, bool], None]


FLUSH_ROWS: Final = 1_000_000
"""Validated rows are buffered up to this many before writing, so partitions get few, large files."""

_WRITERS: Final = {
    "positions": store.write_positions,
    "base_stations": store.write_base_stations,
    "statics": store.write_statics,
}


def ingest_batches(
    ws: store.HasTablesDir,
    batches: Iterator[Batch],
    *,
    source: str,
    tally: IngestTally,
    strict: bool = False,
    path: str | None = None,
    on_progress: ProgressFn | None = None,
    flush_rows: int = FLUSH_ROWS,
) -> IngestTally:
    """Validate and store each batch; raise on the first bad record when ``strict``."""
    buffer: dict[str, list[pl.DataFrame]] = {name: [] for name in _WRITERS}
    buffered = 0

    def flush() -> None:
        for name, frames in buffer.items():
            if frames:
                tally.add_write(name, _WRITERS[name](ws, pl.concat(frames, how="vertical_relaxed")))
                frames.clear()

    for batch in batches:
        pos = validate_positions(batch.positions, source)
        base = validate_positions(batch.base_stations, source)
        stat = validate_statics(batch.statics, source)
        rejects = pl.concat([batch.rejects, pos.rejects, base.rejects, stat.rejects], how="vertical_relaxed")
        rejects = rejects.unique("line", keep="first", maintain_order=True)  # one reason per record
        if strict and rejects.height:
            first = rejects.sort("line").row(0, named=True)
            raise InputError(f"bad AIS record ({first['reason']})", path=path, record=int(first["line"]))
        tally.rejected.update(dict(rejects["reason"].value_counts().iter_rows()))
        for checked in (pos, base):
            tally.skipped.update(checked.skipped)
        tally.counts.update(batch.counts)
        for name, checked in (("positions", pos), ("base_stations", base), ("statics", stat)):
            buffer[name].append(checked.good)
            buffered += checked.good.height
        if buffered >= flush_rows:
            flush()
            buffered = 0
        if on_progress is not None:
            on_progress(batch.done, tally.fmt in TEXT_FORMATS)
    flush()
    for name in _WRITERS:
        tally.tables.setdefault(name, Counter({"offered": 0, "added": 0, "duplicates": 0}))
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
) -> tuple[str, dict[str, Any]]:
    """Ingest one file into workspace ``ws``; returns the run id and the run summary."""
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    chosen = detect_format(path) if fmt == "auto" else fmt
    if chosen not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    batches = read_batches(path, chosen, mapping)
    first = next(batches, None)  # a file that is not in this format fails here, before anything is recorded
    art = ws.add_artifact(
        path, name=path.name, media_type=MEDIA_TYPES[chosen], source=source_id, simulated=simulated,
        metadata={"format": chosen, "kind": "ais"},
    )  # fmt: skip
    params = {"file": path.name, "format": chosen, "strict": strict, "map": dict(mapping or {})}
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
