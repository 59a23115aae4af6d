"""Vectorised AIS payload decoder (numpy over the 6-bit armoured payload).

Each payload character maps to six bits through a lookup table; a field is extracted for all
messages at once by combining the few characters it spans into a ``uint64`` and shifting. Decoded
types: 1, 2, 3 (class A position), 4 (base station), 18 and 19 (class B position; 19 also static),
27 (long-range position), 5 (static and voyage data) and 24 (class B static, parts A and B).
Messages of those types whose payload is shorter than the standard length go to pyais
(:func:`decode_with_pyais`) one by one; they are rare, and pyais tolerates truncated payloads.

AIS "not available" values become null: speed 1023 (102.3 kn), course 3600 (360°), heading 511,
longitude 181°, latitude 91°, draught/dimensions/ship type/IMO 0. Field positions follow
ITU-R M.1371-5 (and gpsd's AIVDM/AIVDO protocol decoding notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl
import pyais
import pyarrow as pa
from pyais.exceptions import AISBaseException

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

_LUT: Final[U8] = np.zeros(256, dtype=np.uint8)
for _c in range(48, 120):
    _LUT[_c] = (_c - 48) - 8 if _c - 48 > 40 else _c - 48
_ASCII6: Final[U8] = np.array([v + 64 if v < 32 else v for v in range(64)], dtype=np.uint8)

# minimum payload characters for a full-length decode of each type (standard lengths in bits / 6)
FULL_CHARS: Final[dict[int, int]] = {1: 28, 2: 28, 3: 28, 4: 28, 18: 28, 19: 52, 27: 16, 5: 70, 24: 27}
VECTOR_TYPES: Final = frozenset(FULL_CHARS)


def symbols(payloads: pl.Series, width: int) -> U8:
    """6-bit values of each payload, padded with zeros / truncated to ``width`` characters: (n, width)."""
    n = payloads.len()
    if n == 0:
        return np.zeros((0, width), dtype=np.uint8)
    fixed = payloads.str.pad_end(width, "0").str.slice(0, width).to_arrow()
    if isinstance(fixed, pa.ChunkedArray):
        fixed = fixed.combine_chunks()
    fixed = fixed.cast(pa.large_string())
    _, offsets_buf, data_buf = fixed.buffers()
    start = int(np.frombuffer(offsets_buf, dtype=np.int64)[fixed.offset])
    raw = np.frombuffer(data_buf, dtype=np.uint8)[start : start + n * width]
    return _LUT[raw].reshape(n, width)


def field(sym: U8, start: int, width: int, *, signed: bool = False) -> I64:
    """Bits ``start .. start+width-1`` of every row as integers (two's complement when ``signed``)."""
    c0, c1 = start // 6, (start + width - 1) // 6
    acc = np.zeros(sym.shape[0], dtype=np.uint64)
    for c in range(c0, c1 + 1):
        acc = (acc << np.uint64(6)) | sym[:, c].astype(np.uint64)
    shift = (c1 - c0 + 1) * 6 - (start - c0 * 6) - width
    value = ((acc >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)
    if signed:
        value = np.where(value >= (1 << (width - 1)), value - (1 << width), value)
    return value


def text(sym: U8, start: int, chars: int) -> pl.Series:
    """6-bit ASCII text field: cut at the first ``@``, surrounding whitespace stripped (as pyais)."""
    n = sym.shape[0]
    if n == 0:
        return pl.Series(values=[], dtype=pl.Utf8)
    mat = np.empty((n, chars), dtype=np.uint8)
    for i in range(chars):
        mat[:, i] = _ASCII6[field(sym, start + 6 * i, 6)]
    buf = pa.py_buffer(np.ascontiguousarray(mat).tobytes())
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(chars), n, [None, buf])
    series = pl.from_arrow(arr.cast(pa.binary()).cast(pa.string()))
    assert isinstance(series, pl.Series)
    return series.str.split("@").list.first().str.strip_chars()


def _na(values: I64, na: int, scale: float) -> pl.Series:
    out = values.astype(np.float64) * scale
    return pl.Series(out).set(pl.Series(values == na), None)


def _nullable(values: I64, na: int = 0) -> pl.Series:
    return pl.Series(values).set(pl.Series(values == na), None)


@dataclass(frozen=True)
class _PosLayout:
    mmsi: int
    status: int | None
    speed: tuple[int, int, int, float]  # start, width, na, scale
    lon: tuple[int, int, float]  # start, width, scale (na = 181 degrees)
    lat: tuple[int, int, float]
    course: tuple[int, int, int, float] | None
    heading: int | None


_A = _PosLayout(
    8, 38, (50, 10, 1023, 0.1), (61, 28, 1 / 600000), (89, 27, 1 / 600000), (116, 12, 3600, 0.1), 128
)
_B = _PosLayout(
    8, None, (46, 10, 1023, 0.1), (57, 28, 1 / 600000), (85, 27, 1 / 600000), (112, 12, 3600, 0.1), 124
)
_LONG = _PosLayout(8, 40, (79, 6, 63, 1.0), (44, 18, 1 / 600), (62, 17, 1 / 600), (85, 9, 511, 1.0), None)
_BASE = _PosLayout(8, None, (0, 0, 0, 0.0), (79, 28, 1 / 600000), (107, 27, 1 / 600000), None, None)
LAYOUTS: Final[dict[int, _PosLayout]] = {1: _A, 2: _A, 3: _A, 18: _B, 19: _B, 27: _LONG, 4: _BASE}


def _positions(sym: U8, layout: _PosLayout) -> dict[str, pl.Series]:
    n = sym.shape[0]
    none_f = pl.Series([None] * n, dtype=pl.Float64)
    lon_s, lon_w, lon_k = layout.lon
    lat_s, lat_w, lat_k = layout.lat
    lon_raw = field(sym, lon_s, lon_w, signed=True)
    lat_raw = field(sym, lat_s, lat_w, signed=True)
    cols: dict[str, pl.Series] = {
        "mmsi": pl.Series(field(sym, layout.mmsi, 30)),
        "lon": _na(lon_raw, round(181 / lon_k), lon_k),
        "lat": _na(lat_raw, round(91 / lat_k), lat_k),
    }
    if layout.speed[1]:
        s, w, na, k = layout.speed
        cols["sog"] = _na(field(sym, s, w), na, k)
    else:
        cols["sog"] = none_f
    if layout.course is not None:
        s, w, na, k = layout.course
        cols["cog"] = _na(field(sym, s, w), na, k)
    else:
        cols["cog"] = none_f
    cols["heading"] = _na(field(sym, layout.heading, 9), 511, 1.0) if layout.heading is not None else none_f
    cols["nav_status"] = (
        pl.Series(field(sym, layout.status, 4))
        if layout.status is not None
        else pl.Series([None] * n, dtype=pl.Int64)
    )
    return cols


def _imo(values: I64) -> pl.Series:
    """Seven-digit IMO string where the check digit holds, else null (vectorised)."""
    weights = (7, 6, 5, 4, 3, 2)
    total = np.zeros(values.shape, dtype=np.int64)
    for i, w in enumerate(weights):
        total += ((values // 10 ** (6 - i)) % 10) * w
    ok = (values >= 1_000_000) & (values <= 9_999_999) & (total % 10 == values % 10)
    return pl.Series(values).cast(pl.Utf8).set(pl.Series(~ok), None)


def _dims(sym: U8, start: int) -> dict[str, pl.Series]:
    return {
        "to_bow": _nullable(field(sym, start, 9)),
        "to_stern": _nullable(field(sym, start + 9, 9)),
        "to_port": _nullable(field(sym, start + 18, 6)),
        "to_starboard": _nullable(field(sym, start + 24, 6)),
    }


def _static5(sym: U8) -> dict[str, pl.Series]:
    return {
        "mmsi": pl.Series(field(sym, 8, 30)),
        "imo": _imo(field(sym, 40, 30)),
        "callsign": text(sym, 70, 7),
        "name": text(sym, 112, 20),
        "ship_type": _nullable(field(sym, 232, 8)),
        **_dims(sym, 240),
        "draught": _na(field(sym, 294, 8), 0, 0.1),
        "destination": text(sym, 302, 20),
    }


def _static19(sym: U8) -> dict[str, pl.Series]:
    return {
        "mmsi": pl.Series(field(sym, 8, 30)),
        "name": text(sym, 143, 20),
        "ship_type": _nullable(field(sym, 263, 8)),
        **_dims(sym, 271),
    }


def _static24(sym: U8) -> dict[str, pl.Series]:
    part = field(sym, 38, 2)
    is_a = pl.Series(part == 0)
    is_b = pl.Series(part == 1)
    mmsi = field(sym, 8, 30)
    # auxiliary craft (98MIDxxxx) carry a mothership MMSI instead of dimensions in part B
    aux = pl.Series((mmsi // 10_000_000) == 98)
    dims = {k: v.set(~is_b | aux, None) for k, v in _dims(sym, 132).items()}
    return {
        "mmsi": pl.Series(mmsi),
        "name": text(sym, 40, 20).set(~is_a, None),
        "ship_type": _nullable(field(sym, 40, 8)).set(~is_b, None),
        "callsign": text(sym, 90, 7).set(~is_b, None),
        **dims,
        "_part_ok": pl.Series(part <= 1),
    }


def message_types(payloads: pl.Series) -> pl.Series:
    """AIS message type of each payload (from its first character)."""
    first = symbols(payloads.str.slice(0, 1), 1)[:, 0]
    return pl.Series("msg_type", first, dtype=pl.UInt8)


@dataclass(frozen=True)
class Decoded:
    """Decoded rows of one batch: ``positions``, ``base_stations`` and ``statics`` carry the input's
    ``line`` and ``ts`` columns; ``msg_type`` counts the messages of every type seen."""

    positions: pl.DataFrame
    base_stations: pl.DataFrame
    statics: pl.DataFrame
    short: pl.DataFrame  # rows (line, ts, payload, fill, msg_type) too short for the vector decoder


def decode_messages(messages: pl.DataFrame) -> Decoded:
    """Decode a frame with ``line``, ``ts``, ``payload``, ``fill`` (one row per complete message)."""
    df = messages.with_columns(message_types(messages["payload"]))
    df = df.with_columns(pl.col("payload").str.len_bytes().alias("_chars"))
    full = pl.col("msg_type").replace_strict(FULL_CHARS, default=0, return_dtype=pl.Int64)
    short = df.filter(pl.col("msg_type").is_in(list(VECTOR_TYPES)) & (pl.col("_chars") < full)).drop("_chars")
    df = df.filter(pl.col("_chars") >= full)
    positions: list[pl.DataFrame] = []
    bases: list[pl.DataFrame] = []
    statics: list[pl.DataFrame] = []
    for msg_type, part in df.partition_by("msg_type", as_dict=True).items():
        t = int(msg_type[0])
        if t not in VECTOR_TYPES:
            continue
        sym = symbols(part["payload"], FULL_CHARS[t] + 1)
        keep = part.select("line", "ts", "msg_type")
        if t in LAYOUTS:
            frame = keep.with_columns(**_positions(sym, LAYOUTS[t]))
            (bases if t == 4 else positions).append(frame)
        if t in (5, 19, 24):
            cols = {5: _static5, 19: _static19, 24: _static24}[t](sym)
            frame = keep.with_columns(**cols)
            if "_part_ok" in frame.columns:
                frame = frame.filter(pl.col("_part_ok")).drop("_part_ok")
            statics.append(frame)
    return Decoded(
        pl.concat(positions, how="diagonal_relaxed") if positions else pl.DataFrame(),
        pl.concat(bases, how="diagonal_relaxed") if bases else pl.DataFrame(),
        pl.concat(statics, how="diagonal_relaxed") if statics else pl.DataFrame(),
        short,
    )


_PYAIS_POSITION = {"lon": 181.0, "lat": 91.0, "speed": 102.3, "course": 360.0, "heading": 511}


def _pyais_row(payload: str, fill: int) -> dict[str, object] | None:
    body = f"AIVDM,1,1,,A,{payload},{fill}"
    checksum = 0
    for ch in body.encode():
        checksum ^= ch
    try:
        return dict(pyais.decode(f"!{body}*{checksum:02X}").asdict())
    except (AISBaseException, ValueError, IndexError):
        return None


def _none_if(value: object, na: object) -> object:
    return None if value is None or value == na else value


def decode_with_pyais(rows: pl.DataFrame) -> tuple[Decoded, int]:
    """Decode rare rows (``line``, ``ts``, ``payload``, ``fill``) with pyais; returns also the failures."""
    pos: list[dict[str, object]] = []
    stat: list[dict[str, object]] = []
    failed = 0
    for line, ts, payload, fill in rows.select("line", "ts", "payload", "fill").iter_rows():
        d = _pyais_row(payload, fill)
        if d is None or d.get("mmsi") is None:
            failed += 1
            continue
        t = int(str(d["msg_type"]))
        base: dict[str, object] = {"line": line, "ts": ts, "msg_type": t, "mmsi": int(str(d["mmsi"]))}
        if t in LAYOUTS and d.get("lat") is not None:
            status = d.get("status")
            pos.append(
                base
                | {
                    "lon": _none_if(d.get("lon"), 181.0),
                    "lat": _none_if(d.get("lat"), 91.0),
                    "sog": _none_if(d.get("speed"), 63 if t == 27 else 102.3),
                    "cog": _none_if(d.get("course"), 511 if t == 27 else 360.0),
                    "heading": _none_if(d.get("heading"), 511),
                    "nav_status": int(str(status.value if hasattr(status, "value") else status))
                    if status is not None and t in (1, 2, 3, 27)
                    else None,
                }
            )
        if t in (5, 19, 24):
            stat.append(
                base
                | {
                    "name": d.get("shipname") or None,
                    "callsign": d.get("callsign") or None,
                    "ship_type": _none_if(
                        int(str(d["ship_type"])) if d.get("ship_type") is not None else None, 0
                    ),
                    "destination": d.get("destination") or None,
                }
            )
    positions = pl.DataFrame(pos, infer_schema_length=None) if pos else pl.DataFrame()
    is_base = pl.col("msg_type") == 4
    return (
        Decoded(
            positions.filter(~is_base) if pos else positions,
            positions.filter(is_base) if pos else positions,
            pl.DataFrame(stat, infer_schema_length=None) if stat else pl.DataFrame(),
            rows.clear(),
        ),
        failed,
    )
