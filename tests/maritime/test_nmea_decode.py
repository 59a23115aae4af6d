"""The vectorised decoder agrees with pyais field by field on generated messages."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pyais
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyais.encode import encode_dict

from armswatch.maritime.decode import decode_messages, decode_with_pyais, field, symbols, text

mmsis = st.integers(min_value=200_000_000, max_value=799_999_999)
lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
six_bit_text = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./", min_size=0, max_size=20)


def positions_of(kind: int) -> st.SearchStrategy[dict[str, Any]]:
    base = {
        "type": st.just(kind),
        "msg_type": st.just(kind),
        "mmsi": mmsis,
        "lat": lats,
        "lon": lons,
        "speed": st.floats(min_value=0, max_value=102.3) if kind != 27 else st.integers(0, 63),
        "course": st.floats(min_value=0, max_value=360) if kind != 27 else st.integers(0, 511),
    }
    if kind in (1, 2, 3, 27):
        base["status"] = st.integers(0, 15)
    if kind in (1, 2, 3, 18, 19):
        base["heading"] = st.integers(0, 511)
    if kind == 19:
        base["shipname"] = six_bit_text
        base["ship_type"] = st.integers(0, 99)
        base["to_bow"] = st.integers(0, 511)
    return st.fixed_dictionaries(base)


def frame_of(sentences: list[list[str]]) -> pl.DataFrame:
    payloads = ["".join(s.split(",")[5] for s in parts) for parts in sentences]
    fills = [int(parts[-1].split(",")[6][0]) for parts in sentences]
    n = len(payloads)
    return pl.DataFrame(
        {
            "line": pl.Series(range(1, n + 1), dtype=pl.UInt64),
            "ts": [datetime(2024, 1, 1, tzinfo=UTC)] * n,
            "payload": payloads,
            "fill": pl.Series(fills, dtype=pl.UInt8),
        }
    )


def close(ours: float | None, theirs: float | None, na: float | None, tol: float = 1e-6) -> bool:
    if theirs is None or (na is not None and math.isclose(theirs, na)):
        return ours is None
    return ours is not None and abs(ours - theirs) <= tol


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of([positions_of(k) for k in (1, 2, 3, 18, 19, 27)]), min_size=1, max_size=30))
def test_positions_agree_with_pyais(messages: list[dict[str, Any]]) -> None:
    sentences = [encode_dict(m, talker_id="AI") for m in messages]
    decoded = decode_messages(frame_of(sentences)).positions.sort("line")
    assert decoded.height == len(messages)
    for row, parts in zip(decoded.iter_rows(named=True), sentences, strict=True):
        ref = pyais.decode(*parts).asdict()
        t = ref["msg_type"]
        assert row["msg_type"] == t
        assert row["mmsi"] == ref["mmsi"]
        assert close(row["lat"], ref["lat"], 91.0)
        assert close(row["lon"], ref["lon"], 181.0)
        assert close(row["sog"], ref["speed"], 63 if t == 27 else 102.3)
        assert close(row["cog"], ref["course"], 511 if t == 27 else 360.0)
        if t != 27:
            assert close(row["heading"], ref["heading"], 511)
        if t in (1, 2, 3, 27):
            assert row["nav_status"] == int(ref["status"])


statics5 = st.fixed_dictionaries(
    {
        "type": st.just(5),
        "mmsi": mmsis,
        "imo": st.integers(0, 2**30 - 1),
        "callsign": st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=7),
        "shipname": six_bit_text,
        "ship_type": st.integers(0, 99),
        "to_bow": st.integers(0, 511),
        "to_stern": st.integers(0, 511),
        "to_port": st.integers(0, 63),
        "to_starboard": st.integers(0, 63),
        "draught": st.integers(0, 255).map(lambda d: d / 10),
        "destination": six_bit_text,
    }
)
statics24 = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just(24), "mmsi": mmsis, "partno": st.just(0), "shipname": six_bit_text}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just(24),
            "mmsi": mmsis,
            "partno": st.just(1),
            "callsign": six_bit_text.map(lambda s: s[:7]),
            "ship_type": st.integers(0, 99),
            "to_bow": st.integers(0, 511),
            "to_stern": st.integers(0, 511),
        }
    ),
)


def _none_if_zero(v: Any) -> Any:
    return None if v in (0, 0.0) else v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(statics5, statics24), min_size=1, max_size=20))
def test_statics_agree_with_pyais(messages: list[dict[str, Any]]) -> None:
    sentences = [encode_dict(m, talker_id="AI") for m in messages]
    decoded = decode_messages(frame_of(sentences)).statics.sort("line")
    assert decoded.height == len(messages)
    for row, parts in zip(decoded.iter_rows(named=True), sentences, strict=True):
        ref = pyais.decode(*parts).asdict()
        assert row["mmsi"] == ref["mmsi"]
        if ref["msg_type"] == 5:
            assert row["name"] == ref["shipname"]
            assert row["callsign"] == ref["callsign"]
            assert row["destination"] == ref["destination"]
            for key in ("to_bow", "to_stern", "to_port", "to_starboard"):
                assert row[key] == _none_if_zero(ref[key])
            assert row["ship_type"] == _none_if_zero(int(ref["ship_type"]))
            assert close(row["draught"], _none_if_zero(ref["draught"]), None)
            imo = ref["imo"]
            expected = str(imo) if 1_000_000 <= imo <= 9_999_999 and _check(imo) else None
            assert row["imo"] == expected
        elif ref["partno"] == 0:
            assert row["name"] == ref["shipname"]
        else:
            assert row["callsign"] == ref["callsign"]
            assert row["ship_type"] == _none_if_zero(int(ref["ship_type"]))
            assert row["to_bow"] == _none_if_zero(ref["to_bow"])


def _check(imo: int) -> bool:
    digits = str(imo)
    return sum(int(d) * w for d, w in zip(digits[:6], (7, 6, 5, 4, 3, 2), strict=True)) % 10 == int(digits[6])


def test_base_station_goes_to_its_own_frame() -> None:
    parts = encode_dict({"type": 4, "mmsi": 2734350, "lat": 43.1, "lon": 131.9}, talker_id="AI")
    decoded = decode_messages(frame_of([parts]))
    assert decoded.positions.height == 0
    row = decoded.base_stations.row(0, named=True)
    assert (row["mmsi"], round(row["lat"], 4), round(row["lon"], 4)) == (2734350, 43.1, 131.9)


def test_not_available_values_become_null() -> None:
    parts = encode_dict(
        {"type": 1, "mmsi": 445000001, "lat": 91, "lon": 181, "speed": 102.3, "course": 360, "heading": 511},
        talker_id="AI",
    )
    row = decode_messages(frame_of([parts])).positions.row(0, named=True)
    assert [row[k] for k in ("lat", "lon", "sog", "cog", "heading")] == [None] * 5


def test_short_payload_falls_back_to_pyais() -> None:
    parts = encode_dict({"type": 1, "mmsi": 445000001, "lat": 39.0, "lon": 127.0, "speed": 5}, talker_id="AI")
    frame = frame_of([parts]).with_columns(pl.col("payload").str.slice(0, 26))
    decoded = decode_messages(frame)
    assert decoded.positions.height == 0 and decoded.short.height == 1
    fallback, failed = decode_with_pyais(decoded.short)
    assert failed == 0
    row = fallback.positions.row(0, named=True)
    assert row["mmsi"] == 445000001 and abs(row["lat"] - 39.0) < 1e-6


def test_field_and_text_primitives() -> None:
    sym = symbols(pl.Series(["w", "0", "1"]), 1)  # w = 63, 0 = 0, 1 = 1
    assert field(sym, 0, 6).tolist() == [63, 0, 1]
    assert field(sym, 0, 6, signed=True).tolist() == [-1, 0, 1]
    sym2 = symbols(pl.Series(["1@"]), 2)  # bits 000001 010000 -> chars 'A', 'P'
    assert text(sym2, 0, 2).to_list() == ["AP"]
