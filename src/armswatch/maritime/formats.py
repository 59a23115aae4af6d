"""AIS input formats: detection, the batch type every reader yields, and the tabular readers.

Readers stream: text formats are read in byte chunks, CSV and Parquet through polars batches, so
memory stays bounded whatever the file size. Each reader yields :class:`Batch` objects whose frames
use the column names of :mod:`armswatch.maritime.schema` (without ``source``); validation and
storage happen in :mod:`armswatch.maritime.ingest`.

Tabular formats (MarineCadastre, DMA, generic CSV, Parquet) carry static fields on every row; a
static row is kept only when a vessel's static fields change from its previous row in the batch.
Their ``Length``/``Width`` go to ``to_bow``/``to_port`` (with ``to_stern``/``to_starboard`` 0) when
the antenna position (DMA ``A``..``D``) is not given, so length = to_bow + to_stern holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from armswatch.errors import InputError
from armswatch.maritime.schema import POSITION_SCHEMA, STATIC_SCHEMA, UTC_TS

FORMATS: Final = ("auto", "nmea", "marinecadastre", "dma", "aisstream", "csv", "parquet")
BATCH_ROWS: Final = 250_000
STATIC_FIELDS: Final = ("imo", "name", "callsign", "ship_type", "to_bow", "to_stern", "to_port", "to_starboard",
                        "draught", "destination")  # fmt: skip


@dataclass(frozen=True)
class Batch:
    """One chunk of decoded input. ``done`` is progress in ``unit`` (bytes or rows)."""

    positions: pl.DataFrame
    base_stations: pl.DataFrame
    statics: pl.DataFrame
    rejects: pl.DataFrame  # line, reason
    counts: dict[str, int] = field(default_factory=dict)
    done: int = 0


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"line": pl.UInt64, "reason": pl.Utf8})


def detect_format(path: Path) -> str:
    """Guess the format from the extension and the first bytes of the file."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    with path.open("rb") as fh:
        head = fh.read(8192).decode("utf-8", errors="replace")
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    if "VDM," in head or "VDO," in head or "$PGHP" in head:
        return "nmea"
    if first.lstrip().startswith("{") and ("MetaData" in head or "MessageType" in head):
        return "aisstream"
    lower = first.lower()
    if "basedatetime" in lower and "mmsi" in lower:
        return "marinecadastre"
    if "type of mobile" in lower and "mmsi" in lower:
        return "dma"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    raise InputError("cannot tell the AIS format; pass --format", path=str(path))


def parse_map(spec: str | None) -> dict[str, str]:
    """``"ts=time,lat=latitude"`` -> ``{"ts": "time", "lat": "latitude"}`` (target=source)."""
    if not spec:
        return {}
    known = set(POSITION_SCHEMA) | set(STATIC_SCHEMA)
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        target, sep, source = part.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not source or target not in known:
            raise InputError(f"--map entry {part!r} must be target=column with target one of {sorted(known)}")
        out[target] = source
    return out


def parse_time(expr: pl.Expr) -> pl.Expr:
    """Times as ISO text (``T`` or space, optional seconds and fraction, ``Z``, a UTC offset such as
    ``+02:00`` / ``-0530`` / `` +0000 UTC`` converted to UTC), ``dd/mm/yyyy`` or UNIX s / ms."""
    text = expr.cast(pl.Utf8).str.strip_chars().str.replace(r"(?: UTC|Z)$", "").str.replace("T", " ")
    number = text.cast(pl.Float64, strict=False)
    epoch = pl.when(number > 1e11).then(number / 1000.0).otherwise(number)

    def naive(fmt: str) -> pl.Expr:
        return text.str.to_datetime(fmt, strict=False, time_unit="us").dt.replace_time_zone("UTC")

    return pl.coalesce(
        naive("%Y-%m-%d %H:%M:%S%.f"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%z", strict=False, time_unit="us", time_zone="UTC"),
        naive("%d/%m/%Y %H:%M:%S%.f"),
        naive("%Y/%m/%d %H:%M:%S%.f"),
        naive("%Y-%m-%d %H:%M"),
        (epoch * 1_000_000).round(0).cast(pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
    )


def _num(name: str, dtype: pl.DataType) -> pl.Expr:
    return (
        pl.col(name).cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False).cast(dtype, strict=False)
    )


def _clean_text(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.Utf8).str.strip_chars()
    return pl.when(text.is_in(["", "Unknown", "unknown", "nan", "NaN", "None"])).then(None).otherwise(text)


def imo_expr(name: str) -> pl.Expr:
    """Seven-digit IMO text with a valid check digit (``IMO9161003``, ``9161003.0`` accepted), else null."""
    digits = pl.col(name).cast(pl.Utf8).str.extract(r"(?:^|\D)([1-9]\d{6})(?:\.0)?(?:\D|$)", 1)
    total = pl.sum_horizontal(
        [digits.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate((7, 6, 5, 4, 3, 2))]
    )
    return pl.when(total % 10 == digits.str.slice(6, 1).cast(pl.Int32, strict=False)).then(digits)


def standardise(frame: pl.DataFrame, mapping: Mapping[str, str], first_line: int) -> Batch:
    """Rename a tabular batch to schema columns and split it into positions and static rows.

    ``first_line`` is the line of the batch's first row (header = line 1). The CSV reader keeps a
    blank line as a row of nulls: such rows are dropped and counted as ``lines_ignored``, not as bad
    records.
    """
    missing = [src for src in mapping.values() if src not in frame.columns]
    if missing:
        raise InputError(f"column(s) not in the file: {', '.join(missing)}; columns are {frame.columns}")
    rows = frame.height
    lines = pl.int_range(first_line, first_line + rows, dtype=pl.UInt64).alias("line")
    df = frame.select(
        *[pl.col(src).alias(dst) for dst, src in mapping.items()],
        lines,
        pl.all_horizontal(pl.all().is_null()).alias("_blank")
        if frame.width
        else pl.lit(False).alias("_blank"),
    )
    df = df.filter(~pl.col("_blank")).drop("_blank")
    n_blank = rows - df.height
    cols = set(mapping)
    exprs: list[pl.Expr] = [
        pl.col("line"),
        parse_time(pl.col("ts")).alias("ts") if "ts" in cols else pl.lit(None, UTC_TS).alias("ts"),
    ]
    exprs.append(
        _num("mmsi", pl.Int64()).alias("mmsi") if "mmsi" in cols else pl.lit(None, pl.Int64).alias("mmsi")
    )
    for name in ("lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type"):
        if name in cols:
            exprs.append(_num(name, POSITION_SCHEMA[name]).alias(name))
    for name in STATIC_FIELDS:
        if name not in cols:
            continue
        if name == "imo":
            exprs.append(imo_expr("imo").alias("imo"))
        elif STATIC_SCHEMA[name] == pl.Utf8():
            exprs.append(_clean_text(name).alias(name))
        else:
            exprs.append(_num(name, STATIC_SCHEMA[name]).alias(name))
    if "msg_type" not in cols:
        exprs.append(pl.lit(0, pl.UInt8).alias("msg_type"))
    df = df.select(exprs)
    has_position = "lat" in cols and "lon" in cols  # a static-only table has no position rows
    positions = df.select([c for c in df.columns if c in POSITION_SCHEMA]) if has_position else pl.DataFrame()
    statics = changed_statics(df.select([c for c in df.columns if c in STATIC_SCHEMA]))
    return Batch(positions, pl.DataFrame(), statics, empty_rejects(), {"lines_ignored": n_blank}, rows)


def changed_statics(df: pl.DataFrame) -> pl.DataFrame:
    """Rows whose static fields differ from the previous row of the same MMSI (by time)."""
    fields = [c for c in STATIC_FIELDS if c in df.columns]
    if not fields or df.height == 0:
        return df.clear() if fields else pl.DataFrame()
    df = df.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in fields]))
    df = df.sort("mmsi", "ts", nulls_last=True)
    changed = pl.any_horizontal([pl.col(c).ne_missing(pl.col(c).shift(1).over("mmsi")) for c in fields])
    first = pl.col("ts").cum_count().over("mmsi") == 1
    return df.filter(first | changed)


MARINECADASTRE: Final = {
    "ts": "BaseDateTime", "mmsi": "MMSI", "lat": "LAT", "lon": "LON", "sog": "SOG", "cog": "COG",
    "heading": "Heading", "nav_status": "Status", "name": "VesselName", "imo": "IMO", "callsign": "CallSign",
    "ship_type": "VesselType", "to_bow": "Length", "to_port": "Width", "draught": "Draft",
}  # fmt: skip


def _csv_batches(path: Path, rows: int, separator: str = ",") -> Iterator[tuple[pl.DataFrame, int]]:
    lf = pl.scan_csv(path, infer_schema=False, separator=separator, truncate_ragged_lines=True)
    line = 2
    for frame in lf.collect_batches(chunk_size=rows):
        yield frame, line
        line += frame.height


def require_columns(path: Path, what: str, header: list[str], needed: tuple[str, ...]) -> None:
    """Raise :class:`InputError` naming ``path`` when a ``what`` file lacks one of ``needed``."""
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"not a {what} file: no column(s) {', '.join(missing)}", path=str(path))


def read_marinecadastre(path: Path, rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """NOAA MarineCadastre AIS CSV (2015+ column names; case-insensitive). Length/Width as described."""
    header = pl.scan_csv(path, infer_schema=False, n_rows=1).collect_schema().names()
    lookup = {h.lower(): h for h in header}
    require_columns(path, "MarineCadastre", list(lookup), ("basedatetime", "mmsi", "lat", "lon"))
    mapping = {dst: lookup[src.lower()] for dst, src in MARINECADASTRE.items() if src.lower() in lookup}
    for frame, line in _csv_batches(path, rows):
        batch = standardise(frame, mapping, line)
        yield _with_dims_zeroed(batch)


def _with_dims_zeroed(batch: Batch) -> Batch:
    if batch.statics.height == 0:
        return batch
    statics = (
        batch.statics.with_columns(
            pl.when(pl.col("to_bow").is_not_null()).then(pl.lit(0, pl.UInt16)).alias("to_stern"),
            pl.when(pl.col("to_port").is_not_null()).then(pl.lit(0, pl.UInt16)).alias("to_starboard"),
        )
        if "to_bow" in batch.statics.columns and "to_port" in batch.statics.columns
        else batch.statics
    )
    return Batch(batch.positions, batch.base_stations, statics, batch.rejects, batch.counts, batch.done)


def read_mapped(path: Path, mapping: Mapping[str, str], fmt: str, rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """Generic CSV or Parquet with a ``target=column`` mapping (identity for columns already named)."""
    if fmt == "parquet":
        names = pl.scan_parquet(path).collect_schema().names()
        batches: Iterator[tuple[pl.DataFrame, int]] = _parquet_batches(path, rows)
    else:
        names = pl.scan_csv(path, infer_schema=False, n_rows=1).collect_schema().names()
        batches = _csv_batches(path, rows)
    full = {c: c for c in names if c in POSITION_SCHEMA or c in STATIC_SCHEMA}
    full.update(mapping)
    full.pop("source", None)
    full.pop("line", None)
    for need in ("ts", "mmsi"):
        if need not in full:
            raise InputError(f"no {need!r} column; map one with --map {need}=COLUMN", path=str(path))
    for frame, line in batches:
        yield standardise(frame, full, line)


def _parquet_batches(path: Path, rows: int) -> Iterator[tuple[pl.DataFrame, int]]:
    line = 1
    for frame in pl.scan_parquet(path).collect_batches(chunk_size=rows):
        yield frame, line
        line += frame.height
