"""NMEA line parsing: tag blocks, Gatehouse, timestamps, checksums, garbage, reassembly, chunking."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais.encode import encode_dict

from armswatch.maritime.decode import decode_messages
from armswatch.maritime.format_text import read_nmea
from armswatch.maritime.nmea import parse_lines, split_lines, xor_checksum


def with_checksum(body: str) -> str:
    """``AIVDM,...`` -> ``!AIVDM,...*HH`` with the right checksum."""
    cs = 0
    for ch in body.encode():
        cs ^= ch
    return f"!{body}*{cs:02X}"


POS = "13HOI:0P0000VOHLCnHQKwvL05Ip"  # type 1, MMSI 227006760
TYPE5 = encode_dict(
    {
        "type": 5,
        "mmsi": 445123456,
        "imo": 9161003,
        "shipname": "CHON MA SAN",
        "callsign": "HMYP",
        "ship_type": 80,
        "to_bow": 100,
        "to_stern": 20,
        "to_port": 10,
        "to_starboard": 10,
        "draught": 7.5,
        "destination": "NAMPO",
    },
    talker_id="AI",
    seq_id=3,
)


def parse(text: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = parse_lines(split_lines(text))
    return result.messages, result.rejects


def test_checksum_matches_known_sentence() -> None:
    assert xor_checksum(pl.Series(["AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"]))[0] == 0x23


def test_tag_block_time_and_leading_and_trailing_timestamps() -> None:
    body = f"AIVDM,1,1,,A,{POS},0"
    text = "\n".join(
        [
            f"\\s:rcv1,c:1503079517*55\\{with_checksum(body)}",
            f"2021-02-03T04:05:06.5Z,{with_checksum(body)}",
            f"1600000000.25 {with_checksum(body)}",
            f"{with_checksum(body)},rMYRCV,1700000000",
            f"\\s:rcv,c:1503079517123*00\\{with_checksum(body)}",  # milliseconds
            "1700000000 $" + with_checksum(body)[1:],  # '$' start, as some receivers write
            f"{with_checksum(body)} 2022-05-06 07:08:09",  # trailing ISO time
        ]
    )
    msgs, rejects = parse(text)
    assert rejects.height == 0
    assert msgs["ts"].to_list() == [
        datetime(2017, 8, 18, 18, 5, 17, tzinfo=UTC),
        datetime(2021, 2, 3, 4, 5, 6, 500000, tzinfo=UTC),
        datetime(2020, 9, 13, 12, 26, 40, 250000, tzinfo=UTC),
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        datetime(2017, 8, 18, 18, 5, 17, 123000, tzinfo=UTC),
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        datetime(2022, 5, 6, 7, 8, 9, tzinfo=UTC),
    ]
    assert msgs["line"].to_list() == [1, 2, 3, 4, 5, 6, 7]


def test_gatehouse_time_applies_to_following_sentences() -> None:
    text = "\n".join(
        [
            with_checksum(f"AIVDM,1,1,,A,{POS},0"),  # before any $PGHP: no time
            "$PGHP,1,2008,5,9,1,2,3,10,338,2,,1,09*17",
            with_checksum(f"AIVDM,1,1,,B,{POS},0"),
            "",
            "# comment",
            with_checksum(f"AIVDM,1,1,,A,{POS},0"),
            "$PGHP,1,2009,6,10,0,0,0,0,338,2,,1,09*17",
            with_checksum(f"AIVDM,1,1,,A,{POS},0"),
        ]
    )
    result = parse_lines(split_lines(text))
    ts = result.messages["ts"].to_list()
    assert ts[0] is None
    assert ts[1] == ts[2] == datetime(2008, 5, 9, 1, 2, 3, 10000, tzinfo=UTC)
    assert ts[3] == datetime(2009, 6, 10, tzinfo=UTC)
    assert result.ignored == 4  # blank, comment and two $PGHP lines


def test_bad_checksum_and_garbage_are_counted_not_fatal() -> None:
    good = with_checksum(f"AIVDM,1,1,,A,{POS},0")
    bad = good[:-2] + ("00" if not good.endswith("00") else "01")
    text = "\n".join([good, bad, "IamNotAnAisMessage1111", "!AIVDM,1,1,,A,13HOI,0", good])
    msgs, rejects = parse(text)
    assert msgs.height == 2
    assert dict(zip(rejects["line"], rejects["reason"], strict=True)) == {
        2: "bad_checksum",
        3: "garbage_line",
        4: "garbage_line",
    }


def test_multi_sentence_type5_is_reassembled_even_when_interleaved() -> None:
    other = encode_dict({"type": 5, "mmsi": 273111000, "shipname": "VOSTOK"}, talker_id="AI", seq_id=4)
    lines = [
        f"\\c:1700000000*00\\{TYPE5[0]}",
        other[0],
        with_checksum(f"AIVDM,1,1,,A,{POS},0"),
        TYPE5[1],
        other[1],
    ]
    msgs, rejects = parse("\n".join(lines))
    assert rejects.height == 0
    assert msgs.height == 3
    decoded = decode_messages(msgs).statics.sort("mmsi")
    assert decoded["mmsi"].to_list() == [273111000, 445123456]
    row = decoded.filter(pl.col("mmsi") == 445123456).row(0, named=True)
    assert row["name"] == "CHON MA SAN"
    assert row["imo"] == "9161003"
    assert row["ts"] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_missing_fragment_is_an_unreassembled_fragment() -> None:
    msgs, rejects = parse("\n".join([TYPE5[0], with_checksum(f"AIVDM,1,1,,A,{POS},0"), TYPE5[0], TYPE5[1]]))
    assert msgs.height == 2  # the position and the second, complete type 5
    assert rejects.to_dicts() == [{"line": 1, "reason": "unreassembled_fragment"}]


def test_chunked_reading_reassembles_across_chunk_boundaries(tmp_path: Path) -> None:
    lines: list[str] = []
    for i in range(60):
        msg = encode_dict(
            {"type": 5, "mmsi": 273000000 + i, "shipname": f"SHIP {i}"}, talker_id="AI", seq_id=i % 10
        )
        lines.append(f"\\c:{1700000000 + i}*00\\{msg[0]}")
        lines.append(msg[1])
        lines.append(f"\\c:{1700000000 + i}*00\\" + with_checksum(f"AIVDM,1,1,,A,{POS},0"))
    path = tmp_path / "feed.nmea"
    path.write_text("\n".join(lines) + "\n")
    whole = list(read_nmea(path))
    small = list(read_nmea(path, chunk_bytes=997))
    assert len(small) > 10
    statics = pl.concat([b.statics for b in small if b.statics.height])
    assert sorted(statics["mmsi"].to_list()) == list(range(273000000, 273000060))
    assert sum(b.positions.height for b in small) == sum(b.positions.height for b in whole) == 60
    assert all(b.rejects.height == 0 for b in small)
    assert statics.sort("mmsi")["line"].to_list() == list(range(1, 180, 3))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just(with_checksum(f"AIVDM,1,1,,A,{POS},0")),
            st.text(max_size=40),  # any unicode, including backslashes, '!' and '*'
            st.builds(
                lambda i, c: (
                    with_checksum(f"AIVDM,1,1,,A,{POS},0")[:i]
                    + c
                    + with_checksum(f"AIVDM,1,1,,A,{POS},0")[i + 1 :]
                ),
                st.integers(0, 45),
                st.characters(),
            ),
        ),
        max_size=30,
    )
)
def test_every_line_is_a_message_a_reject_or_ignored(lines: list[str]) -> None:
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    result = parse_lines(split_lines(text))
    n_lines = split_lines(text).height
    accounted = set(result.messages["line"]) | set(result.rejects["line"])
    assert len(accounted) == result.messages.height + result.rejects.height  # no line counted twice
    assert result.messages.height + result.rejects.height + result.ignored == n_lines


def test_gatehouse_time_and_ignored_count_survive_chunk_boundaries(tmp_path: Path) -> None:
    lines: list[str] = []
    for i in range(40):
        lines.append(f"$PGHP,1,2008,5,9,0,{i},0,0,338,2,,1,09*17")
        lines.append("# comment")
        lines.append(with_checksum(f"AIVDM,1,1,,B,{POS},0"))
        lines.append(with_checksum(f"AIVDM,1,1,,A,{POS},0"))
        msg = encode_dict({"type": 5, "mmsi": 273000000 + i, "shipname": f"SHIP {i}"}, seq_id=i % 10)
        lines.extend(msg)  # two fragments timed by the $PGHP line above them
    path = tmp_path / "gatehouse.nmea"
    path.write_text("\n".join(lines) + "\n")
    for chunk in (1 << 20, 200, 333):
        batches = list(read_nmea(path, chunk_bytes=chunk))
        positions = pl.concat([b.positions for b in batches if b.positions.height])
        statics = pl.concat([b.statics for b in batches if b.statics.height])
        assert positions.height == 80 and statics.height == 40
        assert positions["ts"].null_count() == 0 and statics["ts"].null_count() == 0
        minutes = statics.sort("line")["ts"].dt.minute().to_list()
        assert minutes == list(range(40))  # each static has the time of its own $PGHP line
        assert sum(b.counts["lines_ignored"] for b in batches) == 80  # $PGHP + comment, once each


def test_leading_iso_time_with_an_offset_is_converted_to_utc() -> None:
    sentence = with_checksum(f"AIVDM,1,1,,A,{POS},0")
    text = f"2020-01-01T02:00:00+02:00,{sentence}\n2020-01-01 00:00:00,{sentence}\n{sentence} 2020-01-01T05:00:00-05:00"
    ts = parse_lines(split_lines(text)).messages["ts"].to_list()
    assert ts == [
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, 10, tzinfo=UTC),
    ]
