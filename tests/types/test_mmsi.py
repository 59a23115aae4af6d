"""MMSI parsing, MID table and the vectorised forms agree."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from armswatch.types.mmsi import (
    KIND_CODES,
    MID_TABLE,
    StationKind,
    flag_array,
    flag_of,
    is_valid_mmsi,
    mid_and_kind_array,
    parse_mmsi,
    valid_mmsi_array,
    vessel_mmsi_array,
)


def test_mid_table_is_complete_enough_and_well_formed() -> None:
    assert len(MID_TABLE) > 280
    assert all(200 <= mid <= 799 for mid in MID_TABLE)
    assert all(len(code) == 2 and code.isupper() for code, _ in MID_TABLE.values())
    assert MID_TABLE[445][0] == "KP"
    assert MID_TABLE[273][0] == "RU"
    assert {MID_TABLE[m][0] for m in (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373, 374)} == {"PA"}
    assert MID_TABLE[477][0] == "HK"


def test_kinds() -> None:
    assert parse_mmsi(445112000).kind is StationKind.SHIP
    assert parse_mmsi("445112000").flag == "KP"
    coast = parse_mmsi("002734350")
    assert (coast.kind, coast.flag, coast.text) == (StationKind.COAST, "RU", "002734350")
    assert parse_mmsi(27341234).kind is StationKind.GROUP
    assert parse_mmsi(111273100).kind is StationKind.SAR_AIRCRAFT
    assert parse_mmsi(111273100).flag == "RU"
    assert parse_mmsi(992731234).kind is StationKind.ATON
    assert parse_mmsi(982731234).kind is StationKind.CRAFT
    assert parse_mmsi(970123456).kind is StationKind.SART
    assert parse_mmsi(972123456).kind is StationKind.MOB
    assert parse_mmsi(974123456).kind is StationKind.EPIRB
    assert parse_mmsi(827312345).kind is StationKind.HANDHELD


def test_invalid() -> None:
    for bad in (0, 123456789, 1_000_000_000, "abc", "", "44511200x", 999, 217000000, 911111111):
        assert not is_valid_mmsi(bad), bad
    assert flag_of(123456789) is None
    assert parse_mmsi("445112000.0").number == 445112000


@given(st.integers(min_value=-5, max_value=1_100_000_000))
def test_vectorised_matches_scalar(n: int) -> None:
    scalar = parse_mmsi(n) if n >= 0 else parse_mmsi("-")
    mid, kind = mid_and_kind_array(np.array([n]))
    assert KIND_CODES[int(kind[0])] is scalar.kind
    if scalar.kind is not StationKind.INVALID and scalar.mid is not None:
        assert int(mid[0]) == scalar.mid
    assert bool(valid_mmsi_array([n])[0]) == (scalar.kind is not StationKind.INVALID)
    assert bool(vessel_mmsi_array([n])[0]) == (scalar.kind is StationKind.SHIP)
    assert str(flag_array([n])[0]) == (scalar.flag or "")


@given(st.sampled_from(sorted(MID_TABLE)), st.integers(min_value=0, max_value=999_999))
def test_every_ship_mmsi_with_known_mid_is_valid(mid: int, rest: int) -> None:
    m = parse_mmsi(mid * 1_000_000 + rest)
    assert m.kind is StationKind.SHIP
    assert m.mid == mid
    assert m.flag == MID_TABLE[mid][0]
    assert len(m.text) == 9
