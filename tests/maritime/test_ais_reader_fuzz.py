"""Fuzzing every AIS reader (issue 9 item 3): on any input the only exception is ``InputError``, every
bad record is counted once with a line inside the file, the counts add up, and ``strict`` stops at
the first bad record that the lenient read reports.

Inputs are mutations of a small valid file per format (bytes inserted, deleted, duplicated,
replaced by hostile values such as ``inf``, year -23750, invalid UTF-8, quotes and separators).
Example counts are bounded so the suite stays fast; ``make fuzz`` runs the same entry point
(:func:`armswatch.maritime.ingest.read_counts`) for much longer.
"""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyais.encode import encode_dict

from armswatch.errors import InputError
from armswatch.maritime.ingest import ReadCounts, read_counts

T0 = 1_700_000_000
NMEA = (
    "\n".join(
        [
            f"\\s:rx,c:{T0}*00\\" + encode_dict({"type": 1, "mmsi": 445123456, "lat": 39.0, "lon": 127.5}, talker_id="AI")[0],
            *[f"\\s:rx,c:{T0 + 5}*00\\" + s if i == 0 else s for i, s in enumerate(
                encode_dict({"type": 5, "mmsi": 445123456, "imo": 9161003, "shipname": "CHON MA SAN"}, talker_id="AI"))],
            "$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17",
            encode_dict({"type": 18, "mmsi": 273111000, "lat": 43.1, "lon": 131.9}, talker_id="AI")[0],
            "# comment",
            "",
        ]
    )
    + "\n"
).encode()  # fmt: skip
MARINECADASTRE = (
    b"BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,"
    b"TranscieverClass\n"
    b"2020-06-30T00:00:00,-74.07157,40.64409,367000140,0.0,-60.6,246.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60,0,94,21,,69,B\n"
    b"2020-06-30T00:01:00,-74.07100,40.64400,338208268,1.0,10.0,511.0,FREEDOM,,,37,0,7,3,,,B\n"
    b"2020-06-30T00:02:00,-74.07000,40.64300,123456789,102.3,360.0,246.0,X,,,60,0,,,,,B\n"
)
DMA = (
    b"# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
    b"Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D\n"
    b"01/03/2024 00:00:01,Class A,219000001,55.5,10.5,Under way using engine,0,12.1,90.0,91,Unknown,OXAB,NORDIC STAR,"
    b"Tanker,,20,120,GPS,7.5,AARHUS,,AIS,100,20,10,10\n"
    b"01/03/2024 00:00:02,Base Station,2190047,55.6,10.6,Unknown value,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS,,,,\n"
)
_META = {"MMSI": 273456000, "time_utc": "2024-03-01 10:00:00.5 +0000 UTC"}
AISSTREAM = (
    "\n".join(
        json.dumps(r)
        for r in (
            {"MessageType": "PositionReport", "MetaData": _META, "Message": {"PositionReport": {
                "Latitude": 43.1, "Longitude": 131.9, "Sog": 9.5, "Cog": 45.0, "TrueHeading": 511,
                "NavigationalStatus": 0, "MessageID": 1}}},
            {"MessageType": "ShipStaticData", "MetaData": _META, "Message": {"ShipStaticData": {
                "ImoNumber": 9161003, "Name": "VOSTOK@@@", "CallSign": "UBCD", "Type": 70}}},
        )
    )
    + "\n"
).encode()  # fmt: skip
CSV = b"ts,mmsi,lat,lon,name\n2024-01-01T00:00:00Z,273000001,42,131,A\n1704070800,273000001,42.1,131.1,\n"
SAMPLES = {"nmea": NMEA, "marinecadastre": MARINECADASTRE, "dma": DMA, "aisstream": AISSTREAM, "csv": CSV}

HOSTILE = [b"inf", b"-inf", b"nan", b"-23750-01-01T00:00:00", b"1e308", b"99999999999999999999", b"\xff", b"\xc3",
           b"\x00", b'"', b",", b"\n", b"\r", b"$PGHP,1,2020,13,45,25,61,99,999", b"!AIVDM,9,9,", b"*", b"\\",
           b"{", b"}", b"-1", b"0", b"3e7", b"\x1a", b"\x1f", b"\xef\xbb\xbf", b"{\"MessageType\":1}"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup_line", "hostile"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        elif op == "replace" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "dup_line":
            end = data.find(b"\n", at)
            start = data.rfind(b"\n", 0, at) + 1
            if end > 0:
                data[end + 1 : end + 1] = data[start : end + 1]
        else:
            data[at : at + draw(st.integers(0, 6))] = draw(st.sampled_from(HOSTILE))
    return bytes(data)


def check(data: bytes, fmt: str) -> ReadCounts | None:
    """The properties every reader must have on ``data``."""
    try:
        counts = read_counts(data, fmt)
    except InputError:
        return None  # the whole file is unreadable in this format: one clear error, allowed
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    assert all(1 <= line <= lines for line in counts.first_bad_line.values()), (counts, lines)
    assert set(counts.first_bad_line) == set(counts.rejected)
    kept = sum(counts.kept.values())
    records = counts.rejected_total + sum(counts.skipped.values()) + counts.counts.get("lines_ignored", 0)
    if fmt in ("marinecadastre", "dma", "csv"):  # one record per data line: kept positions or a reason
        rows = counts.kept.get("positions", 0) + counts.kept.get("base_stations", 0)
        assert rows + records <= max(lines - 1, 0)
        if b'"' not in data and b"\r" not in data and rows:  # a table with positions (not statics only)
            assert rows + records == lines - 1, counts
    else:
        assert records <= lines and kept <= 2 * lines
    try:
        strict = read_counts(data, fmt, strict=True)
    except InputError as err:
        assert counts.rejected_total > 0 and err.record == min(counts.first_bad_line.values())
    else:
        assert counts.rejected_total == 0 and strict == counts
    return counts


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_samples_are_read_without_bad_records(fmt: str) -> None:
    counts = check(SAMPLES[fmt], fmt)
    assert counts is not None and counts.rejected == {} and sum(counts.kept.values()) >= 2


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_inputs_never_crash_and_counts_add_up(fmt: str, data: st.DataObject) -> None:
    check(data.draw(mutated(SAMPLES[fmt])), fmt)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ts=st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["inf", "-23750-01-01", "2024-01-01"])), min_size=1, max_size=5),
    mmsi=st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40)), min_size=5, max_size=5),
    lat=st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), min_size=5, max_size=5),
)  # fmt: skip
def test_parquet_with_hostile_values(
    ts: list[str | None], mmsi: list[int | None], lat: list[float | None]
) -> None:
    n = len(ts)
    frame = pl.DataFrame({"ts": ts, "mmsi": mmsi[:n], "lat": lat[:n], "lon": lat[:n]},
                         schema={"ts": pl.Utf8, "mmsi": pl.Int64, "lat": pl.Float64, "lon": pl.Float64})  # fmt: skip
    buf = io.BytesIO()
    frame.write_parquet(buf)
    counts = check(buf.getvalue(), "parquet")
    assert counts is not None
    ignored = counts.counts.get("lines_ignored", 0)  # an all-null row is a blank record
    assert (
        counts.kept.get("positions", 0) + counts.rejected_total + sum(counts.skipped.values()) + ignored == n
    )


@given(st.binary(max_size=200))
@settings(max_examples=30, deadline=None)
def test_random_bytes_as_parquet_are_one_input_error(data: bytes) -> None:
    check(data, "parquet")
