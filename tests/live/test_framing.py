from __future__ import annotations

import random

import pytest

from armswatch.errors import InputError
from armswatch.live.backoff import Backoff
from armswatch.live.duration import parse_duration
from armswatch.live.framing import (
    MAX_LINE,
    LineSplitter,
    ServerError,
    aisstream_line,
    split_open_fragments,
    stamp_nmea,
)
from armswatch.live.source import host_port, parse_bbox


def test_splitter_keeps_unfinished_lines_for_the_next_read() -> None:
    s = LineSplitter()
    assert s.feed(b"!AIVDM,1,1,,A,ab") == b""
    assert s.feed(b"c,0*00\r\n!AIVDM,2") == b"!AIVDM,1,1,,A,abc,0*00\r\n"
    assert s.finish() == b"!AIVDM,2\n"
    assert s.finish() == b""


def test_splitter_drops_an_endless_line_once_and_resumes_after_it() -> None:
    s = LineSplitter()
    s.feed(b"x" * (MAX_LINE + 10))
    s.feed(b"y" * (MAX_LINE + 10))
    assert s.too_long == 1
    assert s.feed(b"zz\n!AIVDM\n") == b"!AIVDM\n"


def test_stamp_appends_the_receive_time_and_drops_blank_lines() -> None:
    text, n = stamp_nmea(b"!AIVDM,a*00\r\n\r\n  \n!AIVDM,b*00\n", 1709294400.25)
    assert n == 2
    assert text == b"!AIVDM,a*00 1709294400.250\n!AIVDM,b*00 1709294400.250\n"


def test_aisstream_line_is_one_line_and_server_errors_raise() -> None:
    assert aisstream_line('{"a":\n 1}') == b'{"a":  1}\n'
    with pytest.raises(ServerError, match="Api Key"):
        aisstream_line('{"error": "Api Key Is Not Valid"}')


def test_open_multisentence_message_is_carried_to_the_next_batch() -> None:
    lines = [b"!AIVDM,1,1,,A,x,0*00", b"!AIVDM,2,1,3,A,y,0*00"]
    kept, carry = split_open_fragments(lines)
    assert kept == lines[:1] and carry == lines[1:]
    done = [*lines, b"!AIVDM,2,2,3,A,z,2*00 1709294400.000"]
    assert split_open_fragments(done) == (done, [])
    three = [b"\\c:1*00\\!AIVDM,3,1,4,A,a,0*00", b"!AIVDM,3,2,4,A,b,0*00"]
    assert split_open_fragments(three) == ([], three)


def test_backoff_grows_with_jitter_caps_and_resets() -> None:
    b = Backoff(initial=1, maximum=8, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(6)]
    for i, d in enumerate(delays):
        cap = min(8, 2**i)
        assert cap / 2 <= d <= cap
    assert len(set(delays)) == 6  # jitter: not lock-step
    b.reset()
    assert b.next_delay() <= 1


def test_option_parsers() -> None:
    assert parse_duration("10m") == 600 and parse_duration("90") == 90 and parse_duration("1.5h") == 5400
    assert host_port("[::1]:5012", "--tcp") == ("::1", 5012)
    assert parse_bbox("129,41,134,44") == [[41.0, 129.0], [44.0, 134.0]]
    for bad in ("0", "-1m", "ten"):
        with pytest.raises(InputError):
            parse_duration(bad)
    with pytest.raises(InputError):
        host_port("localhost", "--tcp")
    with pytest.raises(InputError):
        parse_bbox("134,41,129,44")
