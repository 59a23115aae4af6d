"""Ingest into a workspace: formats, deduplication, counts by reason, strict mode, CLI."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from pyais.encode import encode_dict
from typer.testing import CliRunner

from armswatch.cli.ais_ingest import register
from armswatch.errors import InputError
from armswatch.maritime.formats import detect_format, imo_expr, parse_map
from armswatch.maritime.ingest import ingest_file
from armswatch.maritime.store import positions_path, scan_base_stations, scan_positions, scan_statics
from armswatch.types.imo import clean_imo
from armswatch.workspace import Workspace

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def tagged(sentence: str, t: int) -> str:
    return f"\\s:test,c:{t}*00\\{sentence}"


def position(mmsi: int, lat: float, lon: float, t: int, kind: int = 1) -> str:
    return tagged(
        encode_dict(
            {"type": kind, "msg_type": kind, "mmsi": mmsi, "lat": lat, "lon": lon, "speed": 10},
            talker_id="AI",
        )[0],
        t,
    )


def nmea_file(tmp_path: Path) -> Path:
    type5 = encode_dict(
        {"type": 5, "mmsi": 445123456, "imo": 9161003, "shipname": "CHON MA SAN"}, talker_id="AI"
    )
    good = position(445123456, 39.0, 127.5, T0)
    bad_cs = good[:-2] + ("00" if not good.endswith("00") else "11")
    lines = [
        good,  # 1
        position(445123456, 39.01, 127.51, T0 + 60, kind=3),  # 2
        bad_cs,  # 3 bad checksum
        "garbage here",  # 4
        position(123456789, 39.0, 127.5, T0),  # 5 invalid identity (MID 123 unassigned): kept
        position(273111000, 95.0, 127.5, T0),  # 6 latitude out of range
        encode_dict({"type": 1, "mmsi": 273111000, "lat": 43.1, "lon": 131.9}, talker_id="AI")[
            0
        ],  # 7 no time
        tagged(type5[0], T0),  # 8
        type5[1],  # 9
        tagged(type5[0], T0 + 5),  # 10 first fragment whose second never comes
        position(2734350, 43.1, 131.9, T0, kind=4),  # 11 base station
        position(273111000, 91.0, 181.0, T0),  # 12 position not available
        "",  # 13
    ]
    path = tmp_path / "feed.nmea"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_nmea_ingest_counts_by_reason_and_is_idempotent(ws: Workspace, tmp_path: Path) -> None:
    path = nmea_file(tmp_path)
    run_id, summary = ingest_file(ws, path)
    assert summary["rejected"] == {
        "bad_checksum": 1,
        "garbage_line": 1,
        "missing_time": 1,
        "out_of_range_position": 1,
        "unreassembled_fragment": 1,
    }
    assert summary["first_bad_line"] == {"bad_checksum": 3, "garbage_line": 4, "missing_time": 7,
                                         "out_of_range_position": 6, "unreassembled_fragment": 10}  # fmt: skip
    assert summary["skipped"] == {"position_unavailable": 1}
    assert summary["positions"]["added"] == 3
    assert summary["base_stations"]["added"] == 1
    assert summary["statics"]["added"] == 1
    positions = scan_positions(ws).collect().sort("ts", "line")
    assert positions["mmsi"].to_list() == [445123456, 123456789, 445123456]  # the invalid identity is kept
    assert positions["line"].to_list() == [1, 5, 2]
    assert positions["msg_type"].to_list() == [1, 1, 3]
    art = ws.get_artifact(positions["source"][0])
    assert art.name == "feed.nmea"
    assert ws.get_run(run_id).status == "succeeded"
    assert scan_base_stations(ws).collect()["mmsi"].to_list() == [2734350]
    statics = scan_statics(ws).collect()
    assert statics.select("mmsi", "imo", "name").row(0) == (445123456, "9161003", "CHON MA SAN")
    # layout: day=YYYY-MM-DD/bucket=NN with bucket = mmsi % 16
    files = sorted(positions_path(ws).glob("day=*/bucket=*/*.parquet"))
    assert sorted(f.parent.name for f in files) == sorted(
        f"bucket={m % 16:02d}" for m in (445123456, 123456789)
    )
    assert files[0].parent.parent.name == "day=2023-11-14"

    _, again = ingest_file(ws, path)
    assert again["positions"] == {"offered": 3, "added": 0, "duplicates": 3}
    assert again["statics"]["added"] == 0 and again["base_stations"]["added"] == 0
    assert scan_positions(ws).collect().height == 3


def test_strict_stops_at_first_bad_record_with_file_and_line(ws: Workspace, tmp_path: Path) -> None:
    path = nmea_file(tmp_path)
    with pytest.raises(InputError) as err:
        ingest_file(ws, path, strict=True)
    assert err.value.record == 3 and err.value.path == str(path)
    assert "bad_checksum" in str(err.value) and str(path) + ":3" in str(err.value)
    assert ws.list_runs(tool="ais.ingest")[0].status == "failed"
    assert scan_positions(ws).collect().height == 0  # lines 1-2 were valid but nothing is half-written


def test_scan_positions_filters_by_time(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "two_days.nmea"
    path.write_text(
        "\n".join([position(445123456, 39.0, 127.5, T0), position(445123456, 39.2, 127.5, T0 + 86400)])
    )
    ingest_file(ws, path)
    assert scan_positions(ws).collect().height == 2
    later = scan_positions(ws, start=datetime(2023, 11, 15, tzinfo=UTC)).collect()
    assert later["lat"].round(3).to_list() == [39.2]
    assert scan_positions(ws, end=datetime(2023, 11, 15, tzinfo=UTC)).collect().height == 1


MARINECADASTRE = """BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TranscieverClass
2020-06-30T00:00:00,-74.07157,40.64409,367000140,0.0,-60.6,246.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60.0,0.0,94.0,21.0,,69.0,B
2020-06-30T00:01:00,-74.07100,40.64400,367000140,1.0,10.0,511.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60.0,0.0,94.0,21.0,,69.0,B
2020-06-30T00:02:00,-74.07000,40.64300,367000140,102.3,360.0,246.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60.0,0.0,94.0,21.0,,69.0,B
2020-06-30T00:02:00,-74.07000,40.64300,12345,1.0,10.0,246.0,X,,,60.0,0.0,,,,,B
,-74.07000,40.64300,367000140,1.0,10.0,246.0,SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60.0,0.0,94.0,21.0,,69.0,B
"""


def test_marinecadastre_csv(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "AIS_2020_06_30.csv"
    path.write_text(MARINECADASTRE)
    assert detect_format(path) == "marinecadastre"
    _, summary = ingest_file(ws, path)
    assert summary["rejected"] == {"missing_time": 1}
    pos = scan_positions(ws).collect().filter(pl.col("mmsi") == 367000140).sort("ts")
    assert pos.height == 3 and pos["line"].to_list() == [2, 3, 4]
    assert scan_positions(ws, mmsi=[12345]).collect()["line"].to_list() == [5]  # an invalid identity, kept
    assert pos["heading"].to_list() == [246.0, None, 246.0]
    assert pos["sog"].to_list()[2] is None and pos["cog"].to_list()[2] is None
    assert pos["cog"].to_list()[0] is None  # -60.6 is outside 0..360
    statics = scan_statics(ws, mmsi=[367000140]).collect()
    assert statics.height == 1  # unchanged static fields are stored once
    assert statics.select("imo", "name", "callsign", "ship_type", "to_bow", "to_port").row(0) == (
        "7702774", "SAMUEL I NEWHOUSE", "WYR3371", 60, 94, 21,
    )  # fmt: skip


DMA = """# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D
01/03/2024 00:00:01,Class A,219000001,55.5,10.5,Under way using engine,0,12.1,90.0,91,Unknown,OXAB,NORDIC STAR,Tanker,,20,120,GPS,7.5,AARHUS,,AIS,100,20,10,10
01/03/2024 00:00:02,Base Station,2190047,55.6,10.6,Unknown value,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS,,,,
01/03/2024 00:00:03,Class A,219000001,91.0,181.0,Moored,,,,,Unknown,OXAB,NORDIC STAR,Tanker,,20,120,GPS,7.5,AARHUS,,AIS,100,20,10,10
"""


def test_dma_csv(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "aisdk-2024-03-01.csv"
    path.write_text(DMA)
    assert detect_format(path) == "dma"
    _, summary = ingest_file(ws, path)
    pos = scan_positions(ws).collect()
    assert pos.select("mmsi", "nav_status", "sog").row(0) == (219000001, 0, pytest.approx(12.1))
    assert pos["ts"][0] == datetime(2024, 3, 1, 0, 0, 1, tzinfo=UTC)
    assert scan_base_stations(ws).collect()["mmsi"].to_list() == [2190047]
    assert summary["rejected"] == {} and summary["skipped"] == {"position_unavailable": 1}
    st = scan_statics(ws).collect().row(0, named=True)
    assert (st["ship_type"], st["to_bow"], st["to_starboard"], st["destination"]) == (80, 100, 10, "AARHUS")


def test_aisstream_json_lines(ws: Workspace, tmp_path: Path) -> None:
    meta = {"MMSI": 273456000, "time_utc": "2024-03-01 10:00:00.5 +0000 UTC"}
    rows = [
        {"MessageType": "PositionReport", "MetaData": meta,
         "Message": {"PositionReport": {"Latitude": 43.1, "Longitude": 131.9, "Sog": 9.5, "Cog": 45.0,
                                        "TrueHeading": 511, "NavigationalStatus": 0, "MessageID": 1}}},
        {"MessageType": "ShipStaticData", "MetaData": meta,
         "Message": {"ShipStaticData": {"ImoNumber": 9161003, "Name": "VOSTOK@@@", "CallSign": "UBCD",
                                        "Type": 70, "Dimension": {"A": 50, "B": 10, "C": 5, "D": 6},
                                        "MaximumStaticDraught": 6.1, "Destination": "RAJIN"}}},
        {"MessageType": "UnknownMessage", "MetaData": meta, "Message": {}},
    ]  # fmt: skip
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join([*(json.dumps(r) for r in rows), "{not json"]) + "\n")
    assert detect_format(path) == "aisstream"
    _, summary = ingest_file(ws, path)
    assert summary["rejected"] == {"garbage_line": 1}
    pos = scan_positions(ws).collect().row(0, named=True)
    assert (pos["mmsi"], pos["heading"], pos["msg_type"]) == (273456000, None, 1)
    assert pos["ts"] == datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)
    st = scan_statics(ws).collect().row(0, named=True)
    assert (st["imo"], st["name"], st["to_starboard"], st["destination"]) == ("9161003", "VOSTOK", 6, "RAJIN")


def test_generic_csv_with_map_and_parquet(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "track.csv"
    path.write_text("time;id;latitude;lng\n1709287200;445123456;39.0;127.5\n".replace(";", ","))
    with pytest.raises(InputError):
        ingest_file(ws, path, fmt="csv")  # no ts/mmsi columns without a map
    mapping = parse_map("ts=time,mmsi=id,lat=latitude,lon=lng")
    _, summary = ingest_file(ws, path, fmt="csv", mapping=mapping)
    assert summary["positions"]["added"] == 1
    pq = tmp_path / "track.parquet"
    pl.DataFrame(
        {"mmsi": [445123456], "ts": ["2024-03-01T10:00:00"], "lat": [39.5], "lon": [127.5]}
    ).write_parquet(pq)
    ingest_file(ws, pq)
    assert sorted(scan_positions(ws).collect()["lat"].to_list()) == [39.0, 39.5]
    with pytest.raises(InputError):
        parse_map("nonsense=col")


def test_generic_csv_with_common_column_names_needs_no_map(ws: Workspace, tmp_path: Path) -> None:
    """GFW-like and tracktable-like headers are recognised; an ambiguous header is left to --map."""
    gfw = tmp_path / "gfw.csv"
    gfw.write_text("Timestamp,SSVID,Latitude,Longitude,Speed\n2024-03-01 10:00:00,445123456,39.0,127.5,9.5\n")
    _, summary = ingest_file(ws, gfw, fmt="csv")
    assert summary["positions"]["added"] == 1
    row = scan_positions(ws).collect().row(0, named=True)
    assert row["mmsi"] == 445123456 and row["lon"] == 127.5 and row["sog"] == 9.5
    both = tmp_path / "both.csv"
    both.write_text("time,timestamp,mmsi,lat,lon\n2024-03-01 10:00:00,2024-03-01 10:00:00,445123456,39,127\n")
    with pytest.raises(InputError, match="no 'ts' column"):
        ingest_file(ws, both, fmt="csv")  # two headers could be the time: the analyst says which
    _, summary = ingest_file(ws, both, fmt="csv", mapping=parse_map("ts=timestamp"))
    assert summary["positions"]["added"] == 1


def test_cli_ingest_vessels_identity(ws: Workspace, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    path = nmea_file(tmp_path)
    root = str(ws.root)
    res = runner.invoke(app, ["ingest", str(path), "-w", root, "-q", "--output-format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows[0]["positions_added"] == 3 and rows[0]["rejected"] == 5
    res = runner.invoke(app, ["vessels", "-w", root, "--format", "json"])
    assert res.exit_code == 0, res.output
    vessels = {v["mmsi"]: v for v in json.loads(res.stdout)}
    assert vessels[445123456]["flag"] == "KP" and vessels[445123456]["name"] == "CHON MA SAN"
    res = runner.invoke(app, ["vessels", "-w", root, "--mmsi", "445123456", "--format", "csv"])
    assert res.exit_code == 0 and "CHON MA SAN" in res.stdout
    flags = tmp_path / "flags.csv"
    flags.write_text("imo,flag\n9161003,PA\n")
    res = runner.invoke(app, ["identity", "-w", root, "--flags", str(flags), "-q"])
    assert res.exit_code == 0, res.output
    findings = ws.list_findings(kind="ais.identity.flag-mismatch")
    assert len(findings) == 1 and "vessel:mmsi:445123456" in findings[0].subjects


def test_small_chunks_and_flushes_store_the_same_rows(ws: Workspace, tmp_path: Path) -> None:
    from armswatch.maritime.format_text import read_nmea
    from armswatch.maritime.ingest import IngestTally, ingest_batches

    path = nmea_file(tmp_path)
    tally = ingest_batches(ws, read_nmea(path, chunk_bytes=150), source="sha256:x", tally=IngestTally("nmea"))
    summary = tally.summary()
    assert summary["positions"]["added"] == 3 and summary["statics"]["added"] == 1
    assert summary["rejected_total"] == 5
    again = ingest_batches(ws, read_nmea(path), source="sha256:x", tally=IngestTally("nmea")).summary()
    assert again["positions"]["added"] == 0 and again["positions"]["duplicates"] == 3


@given(st.integers(min_value=0, max_value=99_999_999))
def test_imo_expression_agrees_with_clean_imo(number: int) -> None:
    text = f"IMO{number}"
    got = pl.DataFrame({"imo": [text]}).select(imo_expr("imo")).item()
    expected = clean_imo(text)
    if expected is not None and expected.startswith("0"):
        expected = None  # 0xxxxxx is not an IMO number
    assert got == expected


def test_iter_valid_positions_without_workspace(tmp_path: Path) -> None:
    from armswatch.maritime.ingest import iter_valid_positions
    from armswatch.maritime.schema import POSITION_SCHEMA

    rejected: Counter[str] = Counter()
    frames = list(iter_valid_positions(nmea_file(tmp_path), source="file", rejected=rejected))
    pos = pl.concat(frames)
    assert dict(pos.schema) == dict(POSITION_SCHEMA)
    assert sorted(pos["mmsi"].to_list()) == [123456789, 445123456, 445123456] and set(pos["source"]) == {
        "file"
    }
    assert rejected == {  # as the ingest counts them (this file's bad records are all positions)
        "bad_checksum": 1,
        "garbage_line": 1,
        "missing_time": 1,
        "out_of_range_position": 1,
        "unreassembled_fragment": 1,
    }


def test_partitions_are_compacted_without_losing_rows(ws: Workspace) -> None:
    from armswatch.maritime.schema import POSITION_KEY, POSITION_SCHEMA
    from armswatch.maritime.store import MAX_FILES, compact_partition, write_positions

    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    for i in range(MAX_FILES + 4):
        write_positions(
            ws, pl.DataFrame({"mmsi": [445123456], "ts": [t0], "lat": [39.0 + i / 100], "lon": [127.5]})
        )
    folder = next(positions_path(ws).glob("day=*/bucket=*"))
    assert len(list(folder.glob("*.parquet"))) <= MAX_FILES
    assert scan_positions(ws).collect().height == MAX_FILES + 4
    # a crash between writing the compacted file and removing the old ones leaves duplicates: repaired
    only = next(folder.glob("*.parquet"))
    (folder / "part-copy.parquet").write_bytes(only.read_bytes())
    compact_partition(folder, POSITION_SCHEMA, POSITION_KEY)
    assert len(list(folder.glob("*.parquet"))) == 1
    assert scan_positions(ws).collect().height == MAX_FILES + 4


def test_scan_positions_by_mmsi_and_bbox(ws: Workspace) -> None:
    from armswatch.maritime.store import write_positions

    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    write_positions(
        ws,
        pl.DataFrame(
            {
                "mmsi": [445123456, 273111000, 273111000],
                "ts": [t0] * 3,
                "lat": [42.35, 42.8, 10.0],
                "lon": [130.38, 132.9, 10.0],
            }
        ),
    )
    rajin_vostochny = (130.0, 42.0, 133.5, 43.5)
    assert scan_positions(ws, bbox=rajin_vostochny).collect().height == 2
    assert scan_positions(ws, mmsi=[273111000], bbox=rajin_vostochny).collect()["lat"].to_list() == [42.8]


@pytest.mark.parametrize("fmt", ["parquet", "marinecadastre", "dma", "csv"])
def test_wrong_format_is_one_input_error_naming_the_file(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"hello\x00\xff garbage\nmore,stuff\n1,2\n")
    with pytest.raises(InputError) as err:
        ingest_file(ws, path, fmt=fmt)
    assert err.value.path == str(path)
    assert scan_positions(ws).collect().height == 0
    assert ws.list_artifacts() == [] and ws.list_runs() == []  # refused before anything is recorded


def test_csv_without_positions_stores_its_static_rows(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "registry.csv"
    path.write_text("ts,mmsi,name\n2024-01-01T00:00:00Z,445123456,CHON MA SAN\n")
    _, summary = ingest_file(ws, path)
    assert summary["statics"]["added"] == 1 and summary["positions"]["offered"] == 0
    assert scan_statics(ws).collect()["name"].to_list() == ["CHON MA SAN"]


def test_cli_bad_summary_format_refused_before_ingesting(ws: Workspace, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    path = nmea_file(tmp_path)
    res = CliRunner().invoke(app, ["ingest", str(path), "-w", str(ws.root), "-q", "--output-format", "xml"])
    assert res.exit_code != 0
    assert ws.list_runs(tool="ais.ingest") == [] and scan_positions(ws).collect().height == 0


def test_aisstream_imo_needs_a_valid_check_digit(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        {"MessageType": "ShipStaticData", "MetaData": {"MMSI": 273456000 + i, "time_utc": "2024-03-01 10:00:00"},
         "Message": {"ShipStaticData": {"ImoNumber": imo, "Name": f"SHIP {i}"}}}
        for i, imo in enumerate((9161003, 9161004, 0))
    ]  # fmt: skip
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ingest_file(ws, path)
    assert scan_statics(ws).collect().sort("mmsi")["imo"].to_list() == ["9161003", None, None]


def test_times_with_utc_offsets_are_converted_not_dropped() -> None:
    from armswatch.maritime.formats import parse_time

    text = ["2024-01-01T10:00:00+02:00", "2024-01-01 10:00:00.5-0530", "2024-01-01T10:00:00+00:00",
            "2024-01-01T10:00Z", "01/01/2024 10:00:00", "2024-01-01 10:00:00.5 +0000 UTC"]  # fmt: skip
    got = pl.DataFrame({"t": text}).select(parse_time(pl.col("t")))["t"].to_list()
    assert got == [
        datetime(2024, 1, 1, 8, tzinfo=UTC),
        datetime(2024, 1, 1, 15, 30, 0, 500000, tzinfo=UTC),
        datetime(2024, 1, 1, 10, tzinfo=UTC),
        datetime(2024, 1, 1, 10, tzinfo=UTC),
        datetime(2024, 1, 1, 10, tzinfo=UTC),
        datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=UTC),
    ]


def test_blank_lines_in_csv_are_ignored_not_bad_records(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    good = "2024-01-01T00:00:00Z,273000001,42,131"
    path.write_text(f"ts,mmsi,lat,lon\n{good}\n\n\n2024-01-01T01:00:00Z,273000001,42.1,131\n\n")
    _, summary = ingest_file(ws, path)
    assert summary["rejected"] == {} and summary["counts"]["lines_ignored"] == 3
    assert scan_positions(ws).collect().sort("ts")["line"].to_list() == [2, 5]  # physical lines
    bad = tmp_path / "bad.csv"
    bad.write_text(f"ts,mmsi,lat,lon\n{good}\n\n2024-01-01T02:00:00Z,1234567890,42,131\n")
    with pytest.raises(InputError) as err:
        ingest_file(ws, bad, strict=True)  # the blank line 3 is not the bad record
    assert err.value.record == 4 and "bad_mmsi" in str(err.value)


def test_dma_blank_lines_keep_base_stations_apart(ws: Workspace, tmp_path: Path) -> None:
    head = "# Timestamp,Type of mobile,MMSI,Latitude,Longitude\n"
    rows = ["01/03/2024 00:00:00,Class A,219000001,55.5,10.5", "", "01/03/2024 00:00:10,Base Station,2190071,55.6,10.6",
            "01/03/2024 00:01:00,Class A,219000001,55.51,10.51"]  # fmt: skip
    path = tmp_path / "aisdk.csv"
    path.write_text(head + "\n".join(rows) + "\n")
    _, summary = ingest_file(ws, path, fmt="dma")
    assert summary["rejected"] == {} and summary["counts"]["lines_ignored"] == 1
    assert scan_positions(ws).collect().sort("ts")["line"].to_list() == [2, 5]
    assert scan_base_stations(ws).collect()["line"].to_list() == [4]


@pytest.mark.parametrize(
    "option", [["--max-speed", "0"], ["--min-jumps", "0"], ["--imo-overlap-hours", "-1"]]
)
def test_cli_identity_thresholds_out_of_range_refused(ws: Workspace, option: list[str]) -> None:
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["identity", "-w", str(ws.root), "-q", *option])
    assert isinstance(res.exception, InputError) and option[0] in str(res.exception)
    assert ws.list_runs(tool="ais.identity") == []


def test_cli_vessels_on_an_empty_workspace_says_so(ws: Workspace) -> None:
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["vessels", "-w", str(ws.root)])
    assert res.exit_code == 0 and "no vessels yet" in res.output


def test_aisstream_line_with_wrong_value_types_is_one_bad_record(ws: Workspace, tmp_path: Path) -> None:
    def report(mmsi: object, lat: object) -> str:
        return json.dumps({"MessageType": "PositionReport", "MetaData": {"MMSI": mmsi, "time_utc": "2024-03-01 10:00:00"},
                           "Message": {"PositionReport": {"Latitude": lat, "Longitude": 131.9, "MessageID": 1}}})  # fmt: skip

    lines = [report(273456000 + i, 43.0) for i in range(9)]
    lines[3] = report("abc", "x")  # polars cannot decode this line into the message schema
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(lines) + "\n")
    _, summary = ingest_file(ws, path)
    assert summary["rejected"] == {"garbage_line": 1} and summary["positions"]["added"] == 8
    assert 4 not in scan_positions(ws).collect()["line"].to_list()
