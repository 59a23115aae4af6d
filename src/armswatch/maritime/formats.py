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

import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import polars as pl
import pyarrow.parquet as pq

from armswatch.errors import InputError
from armswatch.maritime.linechunk import CHUNK_BYTES, MAX_LINE_BYTES, TOO_LONG, iter_chunks
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


TIME_MIN: Final = datetime(1980, 1, 1, tzinfo=UTC)
TIME_MAX: Final = datetime(2100, 1, 1, tzinfo=UTC)
"""Times outside [1980, 2100) are not AIS times (AIS began in the 2000s): ``bad_time`` records."""
_EPOCH_MIN: Final = 315_532_800.0
_EPOCH_MAX: Final = 4_102_444_800.0


def parse_time_unbounded(expr: pl.Expr) -> pl.Expr:
    """:func:`parse_time` without the range check (for a two-step evaluation: each reference to the
    result of this expression evaluates all its parsers again)."""
    text = expr.cast(pl.Utf8).str.strip_chars().str.replace(r"(?: UTC|Z)$", "").str.replace("T", " ")
    number = text.cast(pl.Float64, strict=False)
    epoch = pl.when(number > 1e11).then(number / 1000.0).otherwise(number)
    epoch = pl.when(epoch.is_between(_EPOCH_MIN, _EPOCH_MAX)).then(epoch)

    def naive(fmt: str) -> pl.Expr:
        return text.str.to_datetime(fmt, strict=False, time_unit="us").dt.replace_time_zone("UTC")

    return pl.coalesce(
        naive("%Y-%m-%d %H:%M:%S%.f"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%z", strict=False, time_unit="us", time_zone="UTC"),
        naive("%d/%m/%Y %H:%M:%S%.f"),
        naive("%Y/%m/%d %H:%M:%S%.f"),
        naive("%Y-%m-%d %H:%M"),
        (epoch * 1_000_000)
        .round(0)
        .cast(pl.Int64, strict=False)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC"),
    )


def in_time_range(ts: pl.Expr) -> pl.Expr:
    """``ts`` where it lies in [:data:`TIME_MIN`, :data:`TIME_MAX`), else null."""
    return pl.when((ts >= TIME_MIN) & (ts < TIME_MAX)).then(ts)


def parse_time(expr: pl.Expr) -> pl.Expr:
    """Times as ISO text (``T`` or space, optional seconds and fraction, ``Z``, a UTC offset such as
    ``+02:00`` / ``-0530`` / `` +0000 UTC`` converted to UTC), ``dd/mm/yyyy`` or UNIX s / ms.

    Anything else, and any time outside [:data:`TIME_MIN`, :data:`TIME_MAX`) (``inf``, ``NaN``, the
    year -23750), is null: never an exception. On large frames prefer :func:`parse_time_unbounded`
    into a column, then :func:`in_time_range` on that column (this form parses three times)."""
    return in_time_range(parse_time_unbounded(expr))


def mmsi_expr(name: str) -> pl.Expr:
    """An MMSI cell as an integer when it is a number of 1 to 9 digits (``367123456``, ``367123456.0``,
    `` 2734 ``), else null (a ``bad_mmsi`` record)."""
    text = pl.col(name).cast(pl.Utf8).str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(r"^\d{1,9}$")).then(text.cast(pl.Int64, strict=False))


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


_PARSE_ERROR: Final = "\x15"
"""Cell value standing for a line that the CSV parser could not read (a ``garbage_line`` record)."""


def _row_reasons(frame: pl.DataFrame, check_encoding: bool) -> pl.Expr:
    """Per raw row: the reason it is a bad record before any value is read, else null."""
    if frame.width == 0 or frame.schema[frame.columns[0]] != pl.Utf8:  # Parquet: typed columns, no lines
        return pl.lit(None, pl.Utf8)
    first = pl.col(frame.columns[0])
    rest_null = (
        pl.all_horizontal([pl.col(c).is_null() for c in frame.columns[1:]]) if frame.width > 1 else True
    )
    reason = (
        pl.when((first == TOO_LONG.decode()) & rest_null)
        .then(pl.lit("line_too_long"))
        .when((first == _PARSE_ERROR) & rest_null)
        .then(pl.lit("garbage_line"))
    )
    if check_encoding:
        text = [c for c, t in frame.schema.items() if t == pl.Utf8]
        bad = pl.any_horizontal([pl.col(c).str.contains("\ufffd", literal=True) for c in text])
        reason = reason.when(bad).then(pl.lit("bad_encoding"))
    return reason.otherwise(pl.lit(None, pl.Utf8))


def standardise(
    frame: pl.DataFrame, mapping: Mapping[str, str], first_line: int, *, check_encoding: bool = False
) -> Batch:
    """Rename a tabular batch to schema columns and split it into positions and static rows.

    ``first_line`` is the line of the batch's first row (header = line 1). The CSV reader keeps a
    blank line as a row of nulls: such rows are dropped and counted as ``lines_ignored``, not as bad
    records. Rows that are bad before any value is read (``line_too_long``, ``garbage_line``,
    ``bad_encoding`` when ``check_encoding``: an invalid UTF-8 byte, read as U+FFFD) and rows whose
    time is given but unreadable or outside 1980..2100 (``bad_time``) go to the batch's rejects.
    """
    missing = [src for src in mapping.values() if src not in frame.columns]
    if missing:
        raise InputError(f"column(s) not in the file: {', '.join(missing)}; columns are {frame.columns}")
    frame = frame.with_columns(pl.col(c).cast(pl.Utf8) for c, t in frame.schema.items() if t == pl.Null)
    rows = frame.height
    lines = pl.int_range(first_line, first_line + rows, dtype=pl.UInt64).alias("line")
    df = frame.select(
        *[pl.col(src).alias(dst) for dst, src in mapping.items()],
        lines,
        pl.all_horizontal(pl.all().is_null()).alias("_blank")
        if frame.width
        else pl.lit(False).alias("_blank"),
        _row_reasons(frame, check_encoding).alias("_reason"),
    )
    df = df.filter(~pl.col("_blank")).drop("_blank")
    n_blank = rows - df.height
    cols = set(mapping)
    if "ts" in cols:
        raw_ts = pl.col("ts").cast(pl.Utf8).str.strip_chars()
        df = df.with_columns(parse_time_unbounded(pl.col("ts")).alias("_ts"))
        df = df.with_columns(in_time_range(pl.col("_ts")).alias("_ts")).with_columns(
            pl.when(pl.col("_reason").is_null() & pl.col("_ts").is_null() & (raw_ts.fill_null("") != ""))
            .then(pl.lit("bad_time"))
            .otherwise(pl.col("_reason"))
            .alias("_reason")
        )
    rejects = df.filter(pl.col("_reason").is_not_null()).select("line", pl.col("_reason").alias("reason"))
    df = df.filter(pl.col("_reason").is_null())
    exprs: list[pl.Expr] = [
        pl.col("line"),
        pl.col("_ts").alias("ts") if "ts" in cols else pl.lit(None, UTC_TS).alias("ts"),
        mmsi_expr("mmsi").alias("mmsi") if "mmsi" in cols else pl.lit(None, pl.Int64).alias("mmsi"),
    ]
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
    return Batch(positions, pl.DataFrame(), statics, rejects, {"lines_ignored": n_blank}, rows)


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


MAX_COLUMNS: Final = 1000
"""A CSV header with more columns than this is refused (AIS tables have a few dozen)."""


def read_header(path: Path, separator: str = ",") -> list[str]:
    """The column names of a CSV file, read from its first line without reading further (a header
    longer than :data:`~.linechunk.MAX_LINE_BYTES` or with more than :data:`MAX_COLUMNS` columns is
    refused with :class:`InputError`). Duplicate and empty names are made unique."""
    with path.open("rb") as fh:
        head = fh.read(MAX_LINE_BYTES + 1)
    nl = head.find(b"\n")
    if nl < 0 and len(head) > MAX_LINE_BYTES:
        raise InputError(f"CSV header line longer than {MAX_LINE_BYTES} bytes", path=str(path), record=1)
    line = (head[:nl] if nl >= 0 else head).rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
    if line.count(separator.encode()) >= MAX_COLUMNS:
        raise InputError(f"CSV header has more than {MAX_COLUMNS} columns", path=str(path), record=1)
    text = line.decode("utf-8", errors="replace").replace("\r", " ").replace("\x00", "")
    try:
        names = next(csv.reader([text], delimiter=separator), [])
    except csv.Error:  # a stray quote or line break: plain split (the header is then checked by name)
        names = text.split(separator)
    if not text.strip():
        raise InputError("the first line is blank: a CSV file needs a header line", path=str(path), record=1)
    out: list[str] = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        while name in out:
            name += "_"
        out.append(name)
    return out


def _read_csv_chunk(data: bytes, header: list[str], separator: str) -> pl.DataFrame:
    """Parse a chunk of whole CSV lines (no header) into ``header`` text columns: a row with fewer
    fields gets nulls, extra fields are dropped. A part polars cannot parse is split in halves by line
    until the unreadable lines are found, each becoming one row marked :data:`_PARSE_ERROR`."""
    names = separator.join(f"c{i}" for i in range(len(header))).encode() + b"\n"  # fixes the width
    try:
        frame = pl.read_csv(
            names + data, has_header=True, separator=separator, infer_schema=False, truncate_ragged_lines=True,
            encoding="utf8-lossy", raise_if_empty=False, quote_char='"',
        )  # fmt: skip
        return frame.rename(dict(zip(frame.columns, header, strict=True)))
    except pl.exceptions.PolarsError:
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        if len(lines) <= 1:
            first = TOO_LONG.decode() if data.strip(b"\r\n") == TOO_LONG else _PARSE_ERROR
            return pl.DataFrame([[first if i == 0 else None] for i in range(len(header))],
                                schema=dict.fromkeys(header, pl.Utf8))  # fmt: skip
        half = len(lines) // 2
        parts = (b"\n".join(lines[:half]) + b"\n", b"\n".join(lines[half:]) + b"\n")
        return pl.concat([_read_csv_chunk(p, header, separator) for p in parts])


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def csv_batches(
    path: Path, header: list[str], separator: str = ",", chunk_bytes: int = CHUNK_BYTES
) -> Iterator[tuple[pl.DataFrame, int, bool]]:
    """Rows of a CSV file after its header, in chunks of whole lines: (frame of text columns, line of
    its first row, whether the chunk had invalid UTF-8). Bounded memory (see :mod:`.linechunk`)."""
    line = 2
    first = True
    for chunk in iter_chunks(path, chunk_bytes, MAX_LINE_BYTES, quote=b'"'):
        data = chunk.data
        if first:
            first = False
            nl = data.find(b"\n")
            data = data[nl + 1 :] if nl >= 0 else b""
        if not data.strip(b"\r\n"):
            continue
        frame = _read_csv_chunk(data, header, separator)
        yield frame, line, not _is_utf8(data)
        line += frame.height


def require_columns(path: Path, what: str, header: list[str], needed: tuple[str, ...]) -> None:
    """Raise :class:`InputError` naming ``path`` when a ``what`` file lacks one of ``needed``."""
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"not a {what} file: no column(s) {', '.join(missing)}", path=str(path))


def read_marinecadastre(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Batch]:
    """NOAA MarineCadastre AIS CSV (2015+ column names; case-insensitive). Length/Width as described."""
    header = read_header(path)
    lookup = {h.lower(): h for h in header}
    require_columns(path, "MarineCadastre", list(lookup), ("basedatetime", "mmsi", "lat", "lon"))
    mapping = {dst: lookup[src.lower()] for dst, src in MARINECADASTRE.items() if src.lower() in lookup}
    for frame, line, bad_utf8 in csv_batches(path, header, chunk_bytes=chunk_bytes):
        batch = standardise(frame, mapping, line, check_encoding=bad_utf8)
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


COMMON_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "ts": ("timestamp", "timestamp_utc", "time", "time_utc", "datetime", "date_time", "basedatetime",
           "received_at", "position_time"),
    "mmsi": ("mmsi", "ssvid", "mmsi_number"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "longitude", "long", "lng"),
    "sog": ("sog", "speed", "speed_kn", "speed_knots"),
    "cog": ("cog", "course"),
    "heading": ("heading", "true_heading"),
}  # fmt: skip
"""Column names generic CSVs use for the position fields (GFW, tracktable exports, MarineTraffic-like):
matched case-insensitively when one header, and only one, fits; ``--map`` overrides."""


def common_names(names: Sequence[str], taken: set[str]) -> dict[str, str]:
    """``target -> column`` for targets not yet mapped whose column has one of the common names."""
    out: dict[str, str] = {}
    for target, known in COMMON_NAMES.items():
        if target in taken:
            continue
        hits = [c for c in names if c.strip().lower() in known and c not in taken]
        if len(hits) == 1:
            out[target] = hits[0]
    return out


def read_mapped(path: Path, mapping: Mapping[str, str], fmt: str, rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """Generic CSV or Parquet with a ``target=column`` mapping (identity for columns already named)."""
    if fmt == "parquet":
        names = pq.ParquetFile(path).schema_arrow.names
        if len(names) > MAX_COLUMNS:
            raise InputError(f"Parquet file has more than {MAX_COLUMNS} columns", path=str(path))
        batches: Iterator[tuple[pl.DataFrame, int, bool]] = _parquet_batches(path, rows)
    else:
        names = read_header(path)
        batches = csv_batches(path, names)
    full = {c: c for c in names if c in POSITION_SCHEMA or c in STATIC_SCHEMA}
    full.update(common_names(names, taken=set(full) | set(mapping)))
    full.update(mapping)
    full.pop("source", None)
    full.pop("line", None)
    for need in ("ts", "mmsi"):
        if need not in full:
            raise InputError(f"no {need!r} column; map one with --map {need}=COLUMN", path=str(path))
    for frame, line, bad_utf8 in batches:
        yield standardise(frame, full, line, check_encoding=bad_utf8)


def _parquet_batches(path: Path, rows: int) -> Iterator[tuple[pl.DataFrame, int, bool]]:
    """Row batches of a Parquet file, decoded by pyarrow: on a damaged file it raises an error where
    polars 2.1 aborted the process (an allocation of 2.3e18 bytes) or panicked (found by fuzzing)."""
    line = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        yield frame, line, False
        line += frame.height
