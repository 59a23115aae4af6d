"""Line-oriented AIS inputs read in byte chunks: raw NMEA 0183 and aisstream.io JSON lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import polars as pl

from armswatch.errors import InputError
from armswatch.maritime.decode import VECTOR_TYPES, Decoded, decode_messages, decode_with_pyais, message_types
from armswatch.maritime.formats import TIME_MAX, TIME_MIN, Batch, empty_rejects, imo_expr, parse_time
from armswatch.maritime.linechunk import CHUNK_BYTES, MAX_LINE_BYTES, TOO_LONG, iter_chunks
from armswatch.maritime.nmea import parse_lines, split_lines
from armswatch.maritime.schema import TIME_SOURCE, UTC_TS


@dataclass(frozen=True)
class AssumedTime:
    """The time given to NMEA records that carry none (``--assume-time``): ``label`` goes into the
    stored ``time_source`` column (``"assumed 2024-03-01T00:00:00+00:00"``, ``"file-mtime ..."``)."""

    ts: datetime
    label: str


def assumed_time(spec: str | None, path: Path) -> AssumedTime | None:
    """``--assume-time`` value: an ISO time (UTC unless it has an offset) or ``file-mtime``."""
    if spec is None or spec == "":
        return None
    if spec == "file-mtime":
        ts = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        kind = "file-mtime"
    else:
        try:
            ts = datetime.fromisoformat(spec.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError(f"--assume-time must be an ISO time or file-mtime (got {spec!r})") from exc
        ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
        kind = "assumed"
    if not TIME_MIN <= ts < TIME_MAX:
        raise InputError(f"--assume-time {ts.isoformat()} is outside 1980..2100", path=str(path))
    return AssumedTime(ts, f"{kind} {ts.isoformat()}")


def iter_text(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int, bool]]:
    """Whole lines of the file in chunks of about ``chunk_bytes`` (over-long lines replaced by a
    placeholder, see :mod:`.linechunk`): (bytes, bytes read, is last)."""
    for chunk in iter_chunks(path, chunk_bytes, MAX_LINE_BYTES):
        yield chunk.data, chunk.done, chunk.last


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.width]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _mark_assumed(frame: pl.DataFrame, lines: pl.Series, assume: AssumedTime | None) -> pl.DataFrame:
    if assume is None or frame.width == 0:
        return frame
    assumed = pl.col("line").is_in(lines.implode())
    return frame.with_columns(
        pl.when(assumed).then(pl.lit(assume.ts, UTC_TS)).otherwise(pl.col("ts")).alias("ts"),
        pl.when(assumed).then(pl.lit(assume.label)).alias(TIME_SOURCE),
    )


def read_nmea(
    path: Path, chunk_bytes: int = CHUNK_BYTES, assume: AssumedTime | None = None
) -> Iterator[Batch]:
    """Raw NMEA: parse, reassemble (across chunk boundaries too) and decode each chunk. Messages
    without a time get ``assume``'s time (marked in ``time_source``) when it is given."""
    carry = pl.DataFrame(schema={"line": pl.UInt64, "raw": pl.Utf8})
    next_line = 1
    gatehouse: datetime | None = None  # the $PGHP time in force at the end of the previous chunk
    for text, done, last in iter_text(path, chunk_bytes):
        lines = split_lines(text, next_line)
        next_line += lines.height
        if carry.height:
            lines = pl.concat([carry, lines])
        parsed = parse_lines(lines, final=last, gatehouse_ts=gatehouse)
        gatehouse = parsed.gatehouse_ts
        carry = lines.tail(parsed.carry) if parsed.carry else carry.clear()
        decoded = decode_messages(parsed.messages)
        rejects = [parsed.rejects]
        counts: dict[str, int] = {"lines_ignored": parsed.ignored, "messages": parsed.messages.height}
        if decoded.short.height:
            fallback, failed = decode_with_pyais(decoded.short)
            counts["decoded_with_pyais"] = decoded.short.height - failed
            if failed:
                lines_failed = decoded.short.join(
                    _concat([fallback.positions, fallback.base_stations, fallback.statics])
                    .select("line")
                    .unique()
                    if fallback.positions.width or fallback.statics.width or fallback.base_stations.width
                    else pl.DataFrame(schema={"line": pl.UInt64}),
                    on="line",
                    how="anti",
                )
                rejects.append(lines_failed.select("line", pl.lit("undecodable_payload").alias("reason")))
            decoded = Decoded(
                _concat([decoded.positions, fallback.positions]),
                _concat([decoded.base_stations, fallback.base_stations]),
                _concat([decoded.statics, fallback.statics]),
                decoded.short.clear(),
            )
        types = message_types(parsed.messages["payload"])
        counts["other_message_types"] = int((~types.is_in(list(VECTOR_TYPES))).sum())
        untimed = parsed.messages.filter(pl.col("ts").is_null())["line"]
        counts["assumed_time"] = untimed.len() if assume is not None else 0
        yield Batch(
            _mark_assumed(decoded.positions, untimed, assume), _mark_assumed(decoded.base_stations, untimed, assume),
            _mark_assumed(decoded.statics, untimed, assume), _concat(rejects), counts, done,
        )  # fmt: skip


_DIM = pl.Struct({"A": pl.Int64, "B": pl.Int64, "C": pl.Int64, "D": pl.Int64})
_POS = {"Latitude": pl.Float64, "Longitude": pl.Float64, "Sog": pl.Float64, "Cog": pl.Float64,
        "TrueHeading": pl.Int64, "NavigationalStatus": pl.Int64, "MessageID": pl.Int64}  # fmt: skip
_POSITION_TYPES: Final = ("PositionReport", "StandardClassBPositionReport", "ExtendedClassBPositionReport",
                          "LongRangeAisBroadcastMessage", "BaseStationReport")  # fmt: skip
_JSON = pl.Struct(
    {
        "MessageType": pl.Utf8,
        "MetaData": pl.Struct({"MMSI": pl.Int64, "time_utc": pl.Utf8}),
        "Message": pl.Struct(
            {
                **{t: pl.Struct(_POS) for t in _POSITION_TYPES if t != "ExtendedClassBPositionReport"},
                "ExtendedClassBPositionReport": pl.Struct(
                    {**_POS, "Name": pl.Utf8, "Type": pl.Int64, "Dimension": _DIM}
                ),
                "ShipStaticData": pl.Struct(
                    {
                        "ImoNumber": pl.Int64,
                        "Name": pl.Utf8,
                        "CallSign": pl.Utf8,
                        "Type": pl.Int64,
                        "Dimension": _DIM,
                        "MaximumStaticDraught": pl.Float64,
                        "Destination": pl.Utf8,
                    }
                ),
                "StaticDataReport": pl.Struct(
                    {
                        "ReportA": pl.Struct({"Valid": pl.Boolean, "Name": pl.Utf8}),
                        "ReportB": pl.Struct(
                            {
                                "Valid": pl.Boolean,
                                "CallSign": pl.Utf8,
                                "ShipType": pl.Int64,
                                "Dimension": _DIM,
                            }
                        ),
                    }
                ),
            }
        ),
    }
)


def _msg(kind: str, *path: str) -> pl.Expr:
    expr = pl.col("j").struct.field("Message").struct.field(kind)
    for p in path:
        expr = expr.struct.field(p)
    return expr


def _blank(expr: pl.Expr) -> pl.Expr:
    text = expr.str.split("@").list.first().str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _json_decode(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Decode JSON lines into :data:`_JSON` structs; a line whose values have the wrong type (an MMSI
    given as text, ...) makes the whole batch fail in polars, so the failing half is split until
    the bad lines are found: they become nulls, flagged in the returned mask (few calls: k log n)."""
    try:
        return raw.str.json_decode(_JSON), pl.Series(values=[False] * raw.len(), dtype=pl.Boolean)
    except pl.exceptions.PolarsError:
        if raw.len() == 1:
            return pl.Series(values=[None], dtype=_JSON), pl.Series(values=[True])
        half = raw.len() // 2
        (a, bad_a), (b, bad_b) = _json_decode(raw.head(half)), _json_decode(raw.tail(raw.len() - half))
        return pl.concat([a, b]), pl.concat([bad_a, bad_b])


def aisstream_frames(lines: pl.DataFrame) -> Batch:
    """Decode aisstream.io JSON lines (``line``, ``raw``) into positions, base stations and statics."""
    raw = pl.col("raw").str.strip_chars()
    blank = (raw == "") | raw.str.starts_with("#")
    too_long = pl.col("raw") == TOO_LONG.decode()
    long_lines = lines.filter(too_long).select("line", pl.lit("line_too_long").alias("reason"))
    lines = lines.filter(~too_long)
    df = lines.filter(~blank).with_columns(raw.str.json_path_match("$.MessageType").alias("kind"))
    bad = df.filter(pl.col("kind").is_null()).select("line", pl.lit("garbage_line").alias("reason"))
    bad = pl.concat([long_lines, bad])
    df = df.filter(pl.col("kind").is_not_null())
    decoded, unreadable = _json_decode(df["raw"])
    df = df.with_columns(decoded.alias("j"))
    bad = pl.concat([bad, df.filter(unreadable).select("line", pl.lit("garbage_line").alias("reason"))])
    df = df.filter(~unreadable)
    meta = pl.col("j").struct.field("MetaData")
    df = df.with_columns(
        meta.struct.field("MMSI").alias("mmsi"), parse_time(meta.struct.field("time_utc")).alias("ts")
    )
    pos = df.filter(pl.col("kind").is_in(list(_POSITION_TYPES)))
    field = {f: pl.coalesce([_msg(t, f) for t in _POSITION_TYPES]) for f in _POS}
    pos = pos.select(
        "line", "ts", "mmsi",
        field["Latitude"].alias("lat"), field["Longitude"].alias("lon"),
        pl.when(field["Sog"] < 102.3).then(field["Sog"]).alias("sog"),
        pl.when(field["Cog"] < 360).then(field["Cog"]).alias("cog"),
        pl.when(field["TrueHeading"] < 360).then(field["TrueHeading"]).alias("heading"),
        pl.when(pl.col("kind") == "PositionReport").then(field["NavigationalStatus"]).alias("nav_status"),
        field["MessageID"].alias("msg_type"),
    )  # fmt: skip
    pos = pos.with_columns(
        pl.when(pl.col("lat") != 91).then(pl.col("lat")).alias("lat"),
        pl.when(pl.col("lon") != 181).then(pl.col("lon")).alias("lon"),
    )
    ssd, sdr, ext = "ShipStaticData", "StaticDataReport", "ExtendedClassBPositionReport"
    dim = pl.coalesce(_msg(ssd, "Dimension"), _msg(sdr, "ReportB", "Dimension"), _msg(ext, "Dimension"))
    imo = _msg(ssd, "ImoNumber").cast(pl.Utf8).alias("imo")
    statics = df.filter(pl.col("kind").is_in([ssd, sdr, ext])).select(
        "line", "ts", "mmsi",
        imo,
        _blank(pl.coalesce(_msg(ssd, "Name"), _msg(sdr, "ReportA", "Name"), _msg(ext, "Name"))).alias("name"),
        _blank(pl.coalesce(_msg(ssd, "CallSign"), _msg(sdr, "ReportB", "CallSign"))).alias("callsign"),
        pl.coalesce(_msg(ssd, "Type"), _msg(sdr, "ReportB", "ShipType"), _msg(ext, "Type")).alias("ship_type"),
        *[dim.struct.field(k).alias(n) for k, n in zip("ABCD", ("to_bow", "to_stern", "to_port", "to_starboard"), strict=True)],
        _msg(ssd, "MaximumStaticDraught").alias("draught"),
        _blank(_msg(ssd, "Destination")).alias("destination"),
    )  # fmt: skip
    statics = statics.with_columns(imo_expr("imo").alias("imo"))  # 7 digits and a valid check digit
    other = df.height - pos.height - statics.height
    is_base = pl.col("msg_type") == 4
    return Batch(pos.filter(~is_base), pos.filter(is_base), statics, bad if bad.height else empty_rejects(),
                 {"lines_ignored": lines.height - df.height - bad.height + long_lines.height,
                  "other_message_types": other})  # fmt: skip


def read_aisstream(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Batch]:
    """aisstream.io websocket messages saved one JSON object per line."""
    next_line = 1
    for text, done, _last in iter_text(path, chunk_bytes):
        lines = split_lines(text, next_line)
        next_line += lines.height
        b = aisstream_frames(lines)
        yield Batch(b.positions, b.base_stations, b.statics, b.rejects, b.counts, done)
