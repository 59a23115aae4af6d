"""NMEA 0183 AIS sentence parsing and multi-sentence reassembly, vectorised over lines with polars.

Handles ``!AIVDM`` / ``!AIVDO`` (any talker, e.g. ``!ABVDM``), NMEA 4.0 tag blocks
(``\\s:rcv,c:1503079517*55\\!AIVDM,...``; ``c:`` is the UNIX time in seconds, or milliseconds when
larger than 10^11), Gatehouse ``$PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,...`` lines (their time applies to
the sentences that follow), a leading ISO or UNIX timestamp (``2020-01-01 00:00:00,!AIVDM...``,
``1503079517.1 !AIVDM...``) and a trailing receiver suffix with a UNIX or ISO time
(``!AIVDM,...*5C,rMYRECV,1503079517``, ``!AIVDM,...*5C 2020-01-01T00:00:00Z``). Time precedence: tag block, leading, trailing, Gatehouse.

The sentence checksum (XOR of the characters between ``!`` and ``*``) is verified; tag block
checksums are not. Lines starting ``#`` and blank lines are ignored and not counted as bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa

from armswatch.maritime.formats import in_time_range, parse_time, parse_time_unbounded
from armswatch.maritime.linechunk import TOO_LONG
from armswatch.maritime.schema import UTC_TS

_BODY = r"^[A-Z]{2}VD[MO],[1-9],[1-9],[0-9]?,[A-Za-z0-9]?,[0-9:;<=>?@A-W`a-w]*,[0-5]$"
_PGHP = r"^\s*\$PGHP,1,(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,3})"
_ISO = r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
_EPOCH_PRE = r"^\s*(\d{10}(?:\.\d+)?)(?:[\s,;]|$)"
_EPOCH_POST = r"(?:^|[,;\s])(\d{10}(?:\.\d+)?)\s*$"

LOW_TS: Final = 315532800  # 1980-01-01: earlier UNIX times are treated as missing
HIGH_TS: Final = 4102444800  # 2100-01-01

MAX_FRAGMENTS: Final = 9


@dataclass(frozen=True)
class ParsedLines:
    """Result of :func:`parse_lines`.

    ``messages``: one row per complete AIS message — ``line`` (first line of the message), ``ts``,
    ``payload`` (armoured 6-bit text, fragments joined), ``fill`` (fill bits of the last fragment).
    ``rejects``: ``line`` and ``reason`` of every bad record. ``carry``: number of trailing input rows
    that belong to a multi-sentence message still open at the end of the chunk (to be re-parsed with
    the next chunk); zero when ``final``. ``ignored`` counts the ignorable lines (blank, ``#``,
    ``$PGHP``) before the carried rows. ``gatehouse_ts``: the Gatehouse time in force at the first
    carried row (or after the chunk), to pass as ``gatehouse_ts`` when parsing the next chunk.
    """

    messages: pl.DataFrame
    rejects: pl.DataFrame
    carry: int
    ignored: int
    gatehouse_ts: datetime | None = None


def split_lines(text: str | bytes, first_line: int = 1) -> pl.DataFrame:
    """Split text into a frame of ``line`` (1-based number) and ``raw``, without Python lists.

    Uses polars' multi-threaded CSV reader with a separator and quote that never occur in NMEA, so
    every line (blank ones as null) becomes one row; invalid UTF-8 is replaced.
    """
    data = text.encode() if isinstance(text, str) else text
    if not data:
        return pl.DataFrame(schema={"line": pl.UInt64, "raw": pl.Utf8})
    if b"\x1f" in data:  # the separator must not occur
        data = data.replace(b"\x1f", b"?")
    # a first line of our own: polars would drop a byte-order mark that starts the data (a chunk
    # that is only a BOM then had no column at all: IndexError found by fuzzing)
    frame = pl.read_csv(
        b"-\n" + data, has_header=False, separator="\x1f", quote_char=None, new_columns=["raw"],
        infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True, raise_if_empty=False,
    )  # fmt: skip
    raw = frame.to_series(0).slice(1).fill_null("").str.strip_prefix("\ufeff").alias("raw")
    n = raw.len()
    return pl.DataFrame(
        {"line": pl.int_range(first_line, first_line + n, dtype=pl.UInt64, eager=True), "raw": raw}
    )


def xor_checksum(bodies: pl.Series) -> np.ndarray:
    """XOR of the bytes of each (non-empty, non-null) string, vectorised with ``reduceat``."""
    arr = bodies.cast(pl.Utf8).to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    if len(arr) == 0:
        return np.zeros(0, dtype=np.uint8)
    data = np.frombuffer(data_buf, dtype=np.uint8)[: offsets[-1]]
    return np.bitwise_xor.reduceat(data, offsets[:-1]).astype(np.uint8)


def _epoch(expr: pl.Expr) -> pl.Expr:
    """UNIX seconds (or milliseconds above 10^11) as text -> UTC time; only cheap ops, ``expr`` is repeated."""
    seconds = expr.cast(pl.Float64, strict=False)
    seconds = pl.when(seconds > 1e11).then(seconds / 1000.0).otherwise(seconds)
    seconds = pl.when((seconds >= LOW_TS) & (seconds < HIGH_TS)).then(seconds)
    return (seconds * 1_000_000).round(0).cast(pl.Int64).cast(UTC_TS)


def _iso(expr: pl.Expr) -> pl.Expr:
    return parse_time_unbounded(expr)  # ISO with an optional Z or UTC offset, converted to UTC; bounded later


def _sentences(lines: pl.DataFrame, gatehouse_ts: datetime | None = None) -> pl.DataFrame:
    """Per line: sentence fields, time candidates and whether the line is ignorable.

    Plain string splitting (no capturing regex) keeps this fast; the fields are then checked
    (talker + ``VDM``/``VDO``, one-digit counts, fill 0..5, payload alphabet, two hex digits).
    """
    raw = pl.col("raw")
    df = lines.with_columns(raw.str.strip_chars_end("\r\n ").alias("raw"))
    has_tag = raw.str.starts_with("\\")
    df = df.with_columns(
        pl.when(has_tag).then(raw.str.slice(1).str.find("\\", literal=True) + 1).alias("_tag_end"),
        raw.str.find(r"[!$][A-Z]{2}VD[MO],").alias("_bang"),
    )
    start = pl.col("_tag_end").fill_null(-1) + 1  # where the text after the tag block starts
    df = df.with_columns(
        raw.str.slice(1, pl.col("_tag_end") - 1).alias("tag"),
        pl.when(pl.col("_bang") > start).then(raw.str.slice(start, pl.col("_bang") - start)).alias("pre"),
        raw.str.slice(pl.col("_bang") + 1).alias("_s"),
    )
    df = df.with_columns(pl.col("_s").str.find("*", literal=True).alias("_star"))
    df = df.with_columns(
        pl.col("_s").str.slice(0, pl.col("_star")).alias("body"),
        pl.col("_s").str.slice(pl.col("_star") + 1, 2).str.to_uppercase().alias("cs"),
        pl.when(pl.col("_s").str.len_bytes() > pl.col("_star") + 3)
        .then(pl.col("_s").str.slice(pl.col("_star") + 3))
        .alias("post"),
    ).drop("_s", "_star", "_bang", "_tag_end")
    # one DFA match validates the whole sentence; fields are then cut at known positions
    body = pl.col("body")
    valid = body.str.contains(_BODY) & pl.col("cs").str.contains(r"^[0-9A-F]{2}$")
    df = df.with_columns(pl.when(valid.fill_null(False)).then(body).alias("body"))
    seq_len = (body.str.slice(10, 1) != ",").cast(pl.Int64)
    df = df.with_columns(
        body.str.slice(6, 1).cast(pl.UInt8, strict=False).alias("count"),
        body.str.slice(8, 1).cast(pl.UInt8, strict=False).alias("num"),
        (11 + seq_len).alias("_chan_at"),
        body.str.slice(10, seq_len).alias("seq"),
        body.str.slice(-1, 1).cast(pl.UInt8, strict=False).alias("fill"),
    )
    chan_len = (body.str.slice(pl.col("_chan_at"), 1) != ",").cast(pl.Int64)
    df = df.with_columns(
        body.str.slice(pl.col("_chan_at"), chan_len).alias("chan"),
        (pl.col("_chan_at") + chan_len + 1).alias("_p"),
    )
    df = df.with_columns(
        body.str.slice(pl.col("_p"), body.str.len_bytes() - 2 - pl.col("_p")).alias("payload")
    )
    is_pghp = pl.col("raw").str.contains("$PGHP", literal=True)
    df = df.with_columns(pl.when(is_pghp).then(pl.col("raw")).str.extract_groups(_PGHP).alias("_g"))
    g = pl.col("_g")
    parts = [g.struct.field(str(i)).str.zfill(2) for i in range(2, 7)]
    text = pl.format(
        "{}-{}-{} {}:{}:{}.{}", g.struct.field("1"), *parts, g.struct.field("7").str.zfill(3)
    )  # an impossible date (month 13, 31 February) reads as null: a garbage line, not a crash
    df = df.with_columns(parse_time(text).alias("pghp_ts")).with_columns(
        pl.col("pghp_ts").is_not_null().alias("is_pghp")
    )
    # the last $PGHP time so far, starting from the one in force before this chunk
    df = df.with_columns(
        pl.col("pghp_ts").forward_fill().fill_null(pl.lit(gatehouse_ts, UTC_TS)).alias("gatehouse")
    )
    df = df.with_columns(  # time candidates, extracted once (the conversions below reuse them)
        pl.col("tag").str.extract(r"(?:^|,)c:(\d+(?:\.\d+)?)", 1).alias("_t_tag"),
        pl.col("pre").str.extract(_ISO, 1).alias("_t_iso"),
        pl.col("pre").str.extract(_EPOCH_PRE, 1).alias("_t_pre"),
        pl.col("post").str.extract(_EPOCH_POST, 1).alias("_t_post"),
        pl.col("post").str.extract(_ISO, 1).alias("_t_post_iso"),
    )
    ts = pl.coalesce(
        _epoch(pl.col("_t_tag")),
        _iso(pl.col("_t_iso")),
        _epoch(pl.col("_t_pre")),
        _epoch(pl.col("_t_post")),
        _iso(pl.col("_t_post_iso")),
        pl.col("gatehouse"),
    )
    stripped = pl.col("raw").str.strip_chars()
    ignored = (stripped == "") | stripped.str.starts_with("#")
    keep = ["line", "body", "cs", "count", "num", "seq", "chan", "payload", "fill", "is_pghp", "gatehouse"]
    too_long = pl.col("raw") == TOO_LONG.decode()
    df = df.select(*keep, ts.alias("ts"), ignored.alias("ignored"), too_long.alias("too_long"))
    return df.with_columns(in_time_range(pl.col("ts")).alias("ts"))


def parse_lines(
    lines: pl.DataFrame, *, final: bool = True, gatehouse_ts: datetime | None = None
) -> ParsedLines:
    """Parse a chunk of raw lines (``line``, ``raw``) into complete messages and rejects.

    ``gatehouse_ts``: the ``$PGHP`` time in force before the chunk (from the previous chunk's result).
    """
    df = _sentences(lines, gatehouse_ts)
    sent = df.filter(pl.col("body").is_not_null())
    garbage = df.filter(
        pl.col("body").is_null() & ~pl.col("ignored") & ~pl.col("is_pghp") & ~pl.col("too_long")
    )
    cs = xor_checksum(sent["body"])
    expected = sent["cs"].str.to_integer(base=16, strict=False).to_numpy()
    sent = sent.with_columns(pl.Series("cs_ok", cs == expected))
    bad_cs = sent.filter(~pl.col("cs_ok"))
    good = sent.filter(pl.col("cs_ok") & (pl.col("num") <= pl.col("count")))
    bad_num = sent.filter(pl.col("cs_ok") & (pl.col("num") > pl.col("count")))

    single = good.filter(pl.col("count") == 1).select("line", "ts", "payload", "fill")
    multi = good.filter(pl.col("count") > 1).with_columns(
        pl.col("seq").fill_null(""), pl.col("chan").fill_null("")
    )
    complete, broken, carry = _reassemble(multi, lines.height, df["line"], final=final)

    messages = pl.concat([single, complete]).sort("line")
    rejects = pl.concat(
        [
            garbage.select("line", pl.lit("garbage_line").alias("reason")),
            df.filter(pl.col("too_long")).select("line", pl.lit("line_too_long").alias("reason")),
            bad_cs.select("line", pl.lit("bad_checksum").alias("reason")),
            bad_num.select("line", pl.lit("bad_fragment_number").alias("reason")),
            broken,
        ]
    )
    done = df.head(lines.height - carry)  # rows not re-parsed with the next chunk
    if carry:
        first_carried = int(df["line"][lines.height - carry])
        messages = messages.filter(pl.col("line") < first_carried)
        rejects = rejects.filter(pl.col("line") < first_carried)
    ignored = int((done["ignored"] | done["is_pghp"]).sum())
    gatehouse = done["gatehouse"][-1] if done.height else gatehouse_ts
    return ParsedLines(messages, rejects.sort("line"), carry, ignored, gatehouse)


def _reassemble(
    multi: pl.DataFrame, n_rows: int, line_numbers: pl.Series, *, final: bool
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Join fragments of multi-sentence messages (grouped by sequence id and channel, in order)."""
    empty = pl.DataFrame(schema={"line": pl.UInt64, "reason": pl.Utf8})
    msg_schema: dict[str, pl.DataType] = {
        "line": pl.UInt64(),
        "ts": UTC_TS,
        "payload": pl.Utf8(),
        "fill": pl.UInt8(),
    }
    if multi.height == 0:
        return pl.DataFrame(schema=msg_schema), empty, 0
    key = ["seq", "chan"]
    grouped = (
        multi.with_columns(
            (pl.col("num") == 1).cum_sum().over(key).alias("grp"),
        )
        .group_by([*key, "grp"], maintain_order=True)
        .agg(
            pl.col("line").first().alias("line"),
            pl.col("line").last().alias("last_line"),
            pl.col("line").alias("lines"),
            pl.col("ts").drop_nulls().first().alias("ts"),
            pl.col("payload").sort_by("num").str.join("").alias("payload"),
            pl.col("fill").sort_by("num").last().alias("fill"),
            pl.col("count").first().alias("count"),
            pl.col("count").n_unique().alias("counts"),
            pl.col("num").n_unique().alias("nums"),
            pl.len().alias("n"),
            pl.col("num").max().alias("max_num"),
            pl.col("num").min().alias("min_num"),
        )
    )
    ok = (pl.col("n") == pl.col("count")) & (pl.col("nums") == pl.col("count")) & (pl.col("counts") == 1)
    ok = ok & (pl.col("min_num") == 1)
    carry = 0
    if not final:
        last_line = int(line_numbers[n_rows - 1])
        open_end = grouped.filter(
            ~ok
            & (pl.col("last_line") > last_line - MAX_FRAGMENTS)
            & (pl.col("n") == pl.col("max_num"))
            & (pl.col("max_num") < pl.col("count"))
        )
        if open_end.height:
            first = int(open_end["line"].min())  # type: ignore[arg-type]
            carry = int((line_numbers >= first).sum())
    complete = grouped.filter(ok).select(*msg_schema)
    broken = (
        grouped.filter(~ok)
        .select(pl.col("lines").explode().alias("line"))
        .with_columns(pl.lit("unreassembled_fragment").alias("reason"))
    )
    return complete, broken, carry
