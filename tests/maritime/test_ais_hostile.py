"""Regression tests for the crashes and unbounded reads found by fuzzing the AIS readers (issue 9
item 3). Each bad line, cell, byte or value is one counted bad record with its line number; the rest
of the file is read."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from armswatch.errors import InputError
from armswatch.maritime.formats import read_marinecadastre
from armswatch.maritime.ingest import ingest_file, read_counts
from armswatch.maritime.linechunk import MAX_LINE_BYTES, TOO_LONG, iter_chunks
from armswatch.maritime.store import scan_positions
from armswatch.workspace import Workspace

HEADER = b"BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft\n"
ROW = b"2020-06-30T00:00:00,-74.07157,40.64409,367000140,0.0,10,246.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60,0,94,21,\n"
SENTENCE = b"!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"


def row(minute: int, **replace: bytes) -> bytes:
    out = ROW.replace(b"00:00:00", f"00:{minute:02d}:00".encode())
    for old, new in replace.items():
        out = out.replace(old.encode(), new)
    return out


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row(1, **{"2020-06-30T00:01:00": b"inf"}), "bad_time"),
        (row(1, **{"2020-06-30T00:01:00": b"nan"}), "bad_time"),
        (row(1, **{"2020-06-30T00:01:00": b"-23750-01-01T00:00:00"}), "bad_time"),
        (row(1, **{"2020-06-30T00:01:00": b"1e300"}), "bad_time"),
        (row(1, SAMUEL=b"SAM\xffUEL"), "bad_encoding"),
        (row(1, **{"-74.07157": b"3e7"}), "out_of_range_position"),  # rejected, never wrapped to -90.5
        (row(1, **{"367000140": b"36700014x"}), "bad_mmsi"),
        (row(1, **{"367000140": b"1367000140"}), "bad_mmsi"),
        (b"x" * (MAX_LINE_BYTES + 10) + b"\n", "line_too_long"),
    ],
)
def test_one_bad_marinecadastre_line_is_one_bad_record(bad: bytes, reason: str) -> None:
    counts = read_counts(HEADER + row(0) + bad + row(2), "marinecadastre")
    assert counts.rejected == {reason: 1} and counts.first_bad_line == {reason: 3}
    assert counts.kept["positions"] == 2  # the lines after the bad one are read


def test_strict_names_file_and_line_and_stores_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "AIS.csv"
    path.write_bytes(HEADER + row(0) + row(1, **{"2020-06-30T00:01:00": b"inf"}) + row(2))
    with pytest.raises(InputError) as err:
        ingest_file(ws, path, strict=True)
    assert str(err.value).startswith(f"{path}:3: bad AIS record (bad_time)")
    assert scan_positions(ws).collect().height == 0
    _, summary = ingest_file(ws, path)
    assert summary["rejected"] == {"bad_time": 1} and summary["positions"]["added"] == 2


def test_a_chunk_starting_with_a_short_line_is_read(tmp_path: Path) -> None:
    # polars took the width of a chunk from its first line: a short first line raised, which
    # raised KeyError in the fallback (found by the 200 MB cell input)
    path = tmp_path / "AIS.csv"
    path.write_bytes(HEADER + row(0) + b"\n" + b"short,line\n" + row(2) + TOO_LONG + b"\n" + row(3))
    batches = list(read_marinecadastre(path, chunk_bytes=64))
    rejects = sorted(r for b in batches for r in b.rejects.iter_rows())
    assert sum(b.positions.height for b in batches) == 3
    assert (4, "bad_time") in rejects or (4, "garbage_line") in rejects
    assert (6, "line_too_long") in rejects


def test_header_with_a_stray_carriage_return_is_read(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(
        b"\r# Timestamp,Type of mobile,MMSI,Latitude,Longitude\n01/03/2024 00:00:01,Class A,219000001,55.5,10.5\n"
    )
    with pytest.raises(InputError, match="not a DMA file"):
        read_counts(path, "dma")  # csv.Error before: now the header is read and judged by its names


def test_wide_or_long_header_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(5000)) + "\n1,2\n")
    with pytest.raises(InputError, match="more than 1000 columns"):
        read_counts(wide, "csv")
    long = tmp_path / "long.csv"
    long.write_bytes(b"a" * (MAX_LINE_BYTES + 5))
    with pytest.raises(InputError, match="header line longer"):
        read_counts(long, "csv")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"$PGHP,1,2020,13,45,25,61,99,999,,,1,1,*00", "garbage_line"),  # month 13: crashed pl.datetime
        (b"$PGHP,1,-23750,1,1,0,0,0,0", "garbage_line"),
        (b"$PGHP,garbage", "garbage_line"),
        (b"!AIVDM," + b"A" * (MAX_LINE_BYTES + 1), "line_too_long"),
    ],
)
def test_bad_nmea_line_is_one_bad_record(line: bytes, reason: str) -> None:
    data = b"$PGHP,1,2020,1,1,0,0,0,0,,,1,1,*00\n" + SENTENCE + b"\n" + line + b"\n" + SENTENCE + b"\n"
    counts = read_counts(data, "nmea")
    assert counts.rejected == {reason: 1} and counts.first_bad_line == {reason: 3}
    assert counts.kept["positions"] == 2 and counts.counts["messages"] == 2  # duplicates go at storage


def test_nmea_without_any_line_break_is_one_line_too_long() -> None:
    data = SENTENCE * (3 * MAX_LINE_BYTES // len(SENTENCE))
    counts = read_counts(data, "nmea")
    assert counts.rejected == {"line_too_long": 1} and counts.first_bad_line == {"line_too_long": 1}


def test_chunks_bound_memory_and_keep_line_numbers() -> None:
    data = b"a\n" + b"x" * 1000 + b"\nb\n" + b"y" * 50 + b"\nc"
    chunks = list(iter_chunks(io.BytesIO(data), chunk_bytes=16, max_line=100))
    assert all(len(c.data) <= 16 + 100 + 1 for c in chunks)
    assert b"".join(c.data for c in chunks).split(b"\n") == [b"a", TOO_LONG, b"b", b"y" * 50, b"c"]


def test_quoted_line_breaks_stay_in_one_record(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b"ts,mmsi,lat,lon,name\n" + b'2024-01-01T00:00:00Z,273000001,42,131,"A\nB"\n' * 50)
    counts = read_counts(path, "csv")
    assert counts.rejected == {} and counts.kept["positions"] == 50  # 50 records of two lines each


@pytest.mark.parametrize("fmt", ["nmea", "aisstream"])
def test_a_byte_order_mark_alone_or_first_is_read(fmt: str) -> None:
    # a final chunk that was only a BOM made polars return no column at all (IndexError, fuzzing)
    assert read_counts(b"\xef\xbb\xbf", fmt).rejected_total <= 1
    counts = read_counts(b"\xef\xbb\xbf" + SENTENCE + b"\n" + SENTENCE + b"\n\xef\xbb\xbf", "nmea")
    assert counts.counts["messages"] == 2 and counts.rejected == {"missing_time": 2}  # untimed, not garbage


# A 1,952-byte mutant of a small Parquet file (found by helper D's fuzz campaign, scripts/fuzz.py):
# polars 2.1 tried to allocate 2.3e18 bytes and aborted the process; Parquet is now decoded by pyarrow.
DAMAGED_PARQUET = (
    "UEFSMRUEFSAVMkwVBBUAAAAotS/9IBCBAACQ5ocaAAAAAICIRxAAAAAAFQAVEhUkLBUEFRAVBhUGHDYAKAiQ5ocaAAAAABgIgIhH"
    "EAAAAAAAAAAotS/9IAlJAAACAAAABAEBAwIVBBk1AAYQGRgCaWQVDBYEFp4BFsIBJlQmCBw2ACgIkOaHGgAAAAAYCICIRxAAAAAA"
    "AAAVBBVgFVpMFQQVAAAAKLUv/SAwJQEA8BQAAAAyMDI0LTAzLTAxVDEyOjAwOjAwWjEwOjAwWgEArDfHFQAVEhUkLBUEFRAVBhUG"
    "HDYAKBQyMDI0LTAzLTAxVDEyOjEwOjAwWhgUMjAyNC0wMy0wMVQxMjowMDowMFoAAAAotS/9IAlJAAACAAAABAEBAwIVDBk1AAYQ"
    "GRgEd2hlbhUMFgQWjgIWmgImpAMmsAIcNgAoFDIwMjQtMDMtMDFUMTI6MTA6MDBaGBQyMDI0LTAzLTAxVDEyOjAwOjAwWgAAFQAV"
    "LBU+LBUEFQAVBhUGHDYAKAjNzMzMzIxFQBgIZmZmZmYmRUAAAAAotS/9IBaxAAACAAAABAFmZmZmZiZFQM3MzMzMjEVAFQoZJQAG"
    "GRgBeRUMFgQWfhaQASboBTw2ACgIzczMzMyMRUAYCGZmZmZmJkVAAAAVABUsFT4sFQQVABUGFQYcNgAoCM3MzMzMfGBAGAjNzMzM"
    "zExgQAAAACi1L/0gFrEAAAIAAAAEAc3MzMzMTGBAzczMzMx8YEAVChklAAYZGAF4FQwWBBZ+FpABJtYHPDYAKAjNzMzMzHxgQBgI"
    "zczMzMxMYEAAABUAFSwVPiwVBRUAFQYVBhw2ACgIAAAAAAAAJEAYCJqZmZmZmbk/AAAAKLUv/SAWsQAAAgAAAAQBAAAAAAAAJECa"
    "mZmZmZm5PxUKGSUABhkYBXNwZWVkFQwWBBZ+FpABJsQJPDYAKAgAAAAAAAAkQBgImpmZmZmZuT8AABkRAhkYCICIRxAAAAAAGRgI"
    "kOaHGgAAAAAVABkWAAAZEQIZGBQyMDI0LTAzLTAxVDEyOjAwOjAwWhkYFDIwMjQtMDMtMDFUMTI6MTA6MDBaFQAZFgAAGRECGRgI"
    "ZmZmZmYmRUAZGAjNzMzMzIxFQBUAGRYAABkRAhkYCM3MzMzMTGBAGRgIzczMzMx8YEAVABkWAAAZEQIZGAiamZmZmZm5PxkYCAAA"
    "AAAAACRAFQAZFgAAGRwWVBV2FgAAABkcFqQDFaYBFgAAABkcFugFFZABFgAAABkcFtYHFZABFgAAABkcFsQJFZABFgAAABUCGWxI"
    "BHJvb3QVCgAVBCUCGAJpZAAVDCUCGAR3aGVuJQBMHAAAABUKJQIYAXkAFQolAhgBeAAVCiUCGAVzcGVlZAAWBBkcGVwmlgIcFQQZ"
    "NQAGEBkYAmlkFQwWBBaeARbCASZUJggcNgAoCJDmhxoAAAAAGAiAiEcQAAAAAAAAFqAOFRQWugsVPgAmvgUcFQwZNQAGEBkYBHdo"
    "ZW4VDBYEFo4CFpoCJqQDJrACHDYAKBQyMDI0LTAzLTAxVDEyOjEwOjAwWhgUMjAyNC0wMy0wMVQxMjowMDowMFoAABa0DhUYFvgL"
    "FW4AJvgGHBUKGSUABhkYAXkVDBYEFn4WkAEm6AU8NgAoCM3MzMzMjEVAGAhmZmZmZiZFQAAAFswOFRgW5gwVPgAm5ggcFQoZJQAG"
    "GRgBeBUMFgQWfhaQASbWBzw2ACgIzczMzMx8YEAYCM3MzMzMTGBAAAAW5A4VGBakDRU+ACbUChwVChklAAYZGAVzcGVlZBUMFgQW"
    "fhaQASbECTw2ACgIAAAAAAAAJEAYCJqZmZmZmbk/AAAW/A4VGBbiDRU+ABamBhYEJggWjAcUAAAZHBgMQVJST1c6c2NoZW1hGKQD"
    "Ly8vLy96TUJBQUFFQUFBQTh2Ly8veFFBQUFBRUFBRUFBQUFLQUFzQUNBQUtBQVFBK1AvLy93d0FBQUFJQUFnQUFBQUVBQVVBQUFE"
    "QUFBQUFrQUFBQUdBQUFBQTBBQUFBQkFBQUFFRC8vLzhjQUFBQUVBQUFBQWdBQUFBQkF3QUFBQUFBQUtiLy8vOENBQUFBQlFBQUFI"
    "TndaV1ZrQUFBQWJQLy8veHdBQUFBUUFBQUFDQUFBQUFFREFBQUFBQUFBMHYvLy93SUFBQUFCQUFBQWVBQUFBSlQvLy84Z0FBQUFF"
    "QUFBQUFnQUFBQUJBd0FBQUFBQUFQci8vLzhDQUFZQUJnQUVBQUVBQUFCNUFBQUF3UC8vL3h3QUFBQVFBQUFBQ0FBQUFBRVVBQUFB"
    "QUFBQS9QLy8vd1FBQkFBRUFBQUFkMmhsYmdBQUFBRHMvLy8vT0FBQUFDQUFBQUFZQUFBQUFRSUFBQkFBRWdBRUFCQUFFUUFJQUFB"
    "QURBQUFBQUFBOVAvLy8wQUFBQUFCQUFBQUNBQUpBQVFBQ0FBQ0FBQUFhV1FBABhOUG9sYXJzIChweXRob24pIHZlcnNpb24gMi4x"
    "LjAgKGJ1aWxkIDdmOTAyYmQzZmZkMjdmZjgyZDE0Mjc4YTA5YTI5NWZmMmY3YWVkOTIpGVwcAAAcAAAcAAAcAAAcAAAAzgMAAFBB"
    "UjE="
)


def test_damaged_parquet_is_one_input_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.parquet"
    path.write_bytes(base64.b64decode(DAMAGED_PARQUET))
    with pytest.raises(InputError, match="cannot read as parquet") as err:
        read_counts(path, "parquet", {"mmsi": "id", "ts": "when", "lat": "y", "lon": "x"})
    assert err.value.path == str(path)


def test_csv_whose_first_line_is_blank_is_refused_not_a_traceback() -> None:
    # ValueError (zip) before: the blank first line was taken as a header without columns
    data = b"\n445114000,2024-03-01T12:00:00Z,42.3,130.4,10\n"
    with pytest.raises(InputError, match="first line is blank"):
        read_counts(data, "csv", {"mmsi": "id", "ts": "when", "lat": "y", "lon": "x"})


#: The fuzz campaign's input (made by scripts/fuzz.py from its own seed) on which pyarrow raised UnicodeDecodeError.
UNDECODABLE_PARQUET = (
    "UEFSMRUEFSAVMkwVBBUAAAAotS/9IBCBAACQ5ocaAAAAAICIRxAAAAAAFQAVEhUkLBUEFRAVBhUGHDYAKAiQ5ocaAAAAABgIgIhH"
    "EAAAAAAAAAAotS/9IAlJAAACAAAABAEBAwIVBBk1AAYQGRgCaWQVDBYEFp4BFsIBJlQmCBw2ACgIkOaHGgAAAAAYCICIRxAAAAAA"
    "AAAVBBVgFVpMFQQVAAAAKLUv/SAwJQEA8BQAAAAyMDI0LTAzLTAxVDEyOjAwOjAwWjEwOjAwWgEArDfHFQAVEhUkLBUEFRAVBhUG"
    "HDYAKBQyMDI0LTAzLTAxVDEyOjEwOjAwWhgUMjAyNC0wMy0wMVQxMjowMDowMFoAAAAotS/9IAlJAAACAAAABAEBAwIVDBk1AAYQ"
    "GRgEd2hlbhUMFgQWjgIWmgImpAMmsAIcNgAoFDIwMjQtMDMtMDFUMTI6MTA6MDBaGBQyMDI0LTAzLTAxVDEyOjAwOjAwWgAAFQAV"
    "LBU+LBUEFQAVBhUGHDYAKAjNzMzMzIxFQBgIZmZmZmYmRUAAAAAotS/9IBaxAAACAAAABAFmZmZmZiZFQM3MzMzMjEVAFQoZJQAG"
    "GRgBeRUMFgQWfhaQASboBTw2ACgIzczMzMyMRUAYCGZmZmZmJkVAAAAVABUsFT4sFQQVABUGFQYcNgAoCM3MzMzMfGBAGAjNzMzM"
    "zExgQAAAACi1L/0gFrEAAAIAAAAEAc3MzMzMTGBAzczMzMx8YEAVChklAAYZGAF4FQwWBBZ+FpABJtYHPDYAKAjNzMzMzHxgQBgI"
    "zczMzMxMYEAAABUAFSwVPiwVBBUAFQYVBhw2ACgIAAAAAAAAJEAYCJqZmZmZmbk/AAAAKLUv/SAWsQAAAgAAAAQBAAAAAAAAJECa"
    "mZmZmZm5PxUKGSUABhkYBXNwZWVkFQwWBBZ+FpABJsQJPDYAKAgAAAAAAAAkQBgImpmZmZmZuT8AABkRAhkYCICIRxAAAAAAGRgI"
    "kOaHGgAAAAAVABkWAAAZEQIZGBQyMDI0LTAzLTAxVDEyOjAwOkdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04o"
    "R0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9O"
    "KEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElP"
    "TihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJ"
    "T04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNU"
    "SU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVD"
    "VElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExF"
    "Q1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xM"
    "RUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09M"
    "TEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNP"
    "TExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllD"
    "T0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZ"
    "Q09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRS"
    "WUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVU"
    "UllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWShT8P2I30NPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9O"
    "KEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElP"
    "TihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJ"
    "T04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNU"
    "SU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVD"
    "VElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExF"
    "Q1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xM"
    "RUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09M"
    "TEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNP"
    "TExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllD"
    "T0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZ"
    "Q09MTEVDVElPTihHRU9NRVRSWUNPTExFQ1RJT04oR0VPTUVUUllDT0xMRUNUSU9OKEdFT01FVFJZQ09MTEVDVElPTig6MTA6MDBa"
    "FQAZFgAAGRECGRgIZmZmZmYmRUAZGAjNzMzMzIxFQBUAGRYAABkRAhkYCM3MzMzMTGBAGRgIzczMzMx8YEAVABkWAAAZEQIZGAia"
    "mZmZmZm5PxkYCAAAAAAAACRAFQAZFgAAGRwWVBV2FgAAABkcFqQDFaYBFgAAABkcFugFFZABFgAAABkcFtYHFZABFgAAABkcFsQJ"
    "FZABFgAAABUCGWxIBHJvb3QVCgAVBCUCGAL/ZAAVDCUCGAR3aGVuJQBMHAAAABUKJQIYAXkAFQolAhgBeAAVCiUCGAVzcGVlZAAW"
    "BBkcGVwmlgIcFQQZNQAGEBkYAmlkFQwWBBaeARbCASZUJggcNgAoCJDmhxoAAAAAGAiAiEcQAAAAAAAAFqAOFRQWugsVPgAmvgUc"
    "FQwZNQAGEBkYBHdoZW4VDBYEFo4CFpoCJqQDJrACHDYAKBQyMDI0LTAzLTAxVDEyOjEwOjAwWhgUMjAyNC0wMy0wMVQxMjowMDow"
    "MFoAABa0DhUYFvgLFW4AJvgGHBUKGSUABhkYAXkVDBYEFn4WkAEm6AU8NgAoCM3MzMzMjEVAGAhmZmZmZiZFQAAAFswOFRgW5gwV"
    "PgAm5ggcFQoZJQAGGRgBeBUMFgQWfhaQASbWBzw2ACgIzczMzMx8YEAYCM3MzMzMTGBAAAAW5A4VGBakDRU+ACbUChwVChklAAYZ"
    "GAVzcGVlZBUMFgQWfhaQASbECTw2ACgIAAAAAAAAJEAYCJqZmZmZmbk/AAAW/A4VGBbiDRU+ABamBhYEJggWjAcUAAAZHBgMQVJS"
    "T1c6c2NoZW1hGKQDLy8vLy96TUJBQUFFQUFBQTh2Ly8veFFBQUFBRUFBRUFBQUFLQUFzQUNBQUtBQVFBK1AvLy93d0FBQUFJQUFn"
    "QUFBQUVBQVVBQUFEQUFBQUFrQUFBQUdBQUFBQTBBQUFBQkFBQUFFRC8vLzhjQUFBQUVBQUFBQWdBQUFBQkF3QUFBQUFBQUtiLy8v"
    "OENBQUFBQlFBQUFITndaV1ZrQUFBQWJQLy8veHdBQUFBUUFBQUFDQUFBQUFFREFBQUFBQUFBMHYvLy93SUFBQUFCQUFBQWVBQUFB"
    "SlQvLy84Z0FBQUFFQUFBQUFnQUFBQUJBd0FBQUFBQUFQci8vLzhDQUFZQUJnQUVBQUVBQUFCNUFBQUF3UC8vL3h3QUFBQVFBQUFB"
    "Q0FBQUFBRVVBQUFBQUFBQS9QLy8vd1FBQkFBRUFBQUFkMmhsYmdBQUFBRHMvLy8vT0FBQUFDQUFBQUFZQUFBQUFRSUFBQkFBRWdB"
    "RUFCQUFFUUFJQUFBQURBQUFBQUFBOVAvLy8wQUFBQUFCQUFBQUNBQUpBQVFBQ0FBQ0FBQUFhV1FBABhOUG9sYXJzIChweXRob24p"
    "IHZlcnNpb24gMi4xLjAgKGJ1aWxkIDdmOTAyYmQzZmZkMjdmZjgyZDE0Mjc4YTA5YTI5NWZmMmY3YWVkOTIpGVwcAAAcAAAcAAAc"
    "AAAcAAAAzgMAAFBBUjE="
)


def test_parquet_with_undecodable_column_names_is_one_input_error(tmp_path: Path) -> None:
    """Found by the fuzz campaign: pyarrow raised UnicodeDecodeError reading a damaged footer's names."""
    from armswatch.maritime import ingest

    path = tmp_path / "bad.parquet"
    path.write_bytes(base64.b64decode(UNDECODABLE_PARQUET))
    with pytest.raises(InputError, match="cannot read as parquet"):
        list(ingest.read_batches(path, "parquet", {"ts": "ts", "mmsi": "mmsi"}))
