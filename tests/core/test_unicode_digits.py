"""Numbers typed or imported with non-ASCII digits ("²", "٣") or thousands of digits are bad input
(one clear error or "not a number"), never a crash: ``str.isdigit`` accepts "²" but ``int`` does not,
and ``int`` refuses strings of more than 4,300 digits."""

from __future__ import annotations

import pytest

from armswatch.errors import InputError
from armswatch.imagery.band import parse_bands_option
from armswatch.live.source import host_port
from armswatch.maritime.distributed import _local_workers
from armswatch.maritime.voyage.record import vessel_key
from armswatch.rail.movement import clean_wagons
from armswatch.types.imo import clean_imo, imo_check_digit_ok
from armswatch.types.mmsi import is_valid_mmsi, mmsi_problem
from armswatch.web.query.vessels import clean_mmsi

ODD = ["²", "12²", "٣٤", "1" * 5000, "²" * 9, "²" * 7]


@pytest.mark.parametrize("text", ODD)
def test_numbers_with_odd_digits_are_bad_input_not_a_crash(text: str) -> None:
    with pytest.raises(InputError):
        clean_wagons(text)
    with pytest.raises(InputError):
        host_port(f"127.0.0.1:{text}", "--tcp")
    with pytest.raises(InputError):
        _local_workers(f"local:{text}")
    with pytest.raises(InputError):
        clean_mmsi(text)
    with pytest.raises(InputError):
        vessel_key(text)
    with pytest.raises(InputError):
        parse_bands_option(f"red={text}", 4)
    assert not is_valid_mmsi(text) and mmsi_problem(text) is not None
    assert not imo_check_digit_ok(text) and clean_imo(text) is None


def test_ordinary_numbers_still_pass() -> None:
    assert clean_wagons("42") == 42 and host_port("127.0.0.1:5012", "--tcp") == ("127.0.0.1", 5012)
    assert _local_workers("local:2") == 2 and clean_mmsi("273450000") == 273450000
    assert imo_check_digit_ok("9123453") and is_valid_mmsi("273450000")
