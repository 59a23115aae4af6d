from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from armswatch.types.imo import clean_imo, imo_check_digit_ok


def test_known_numbers() -> None:
    assert clean_imo("IMO 9161003") == "9161003"  # LADY R as reported (NK Pro via BNN)
    assert clean_imo(9743033) == "9743033"  # SPARTA IV (RUSI)
    assert clean_imo("Vessel Registration Identification IMO 8660313;") == "8660313"
    assert clean_imo("9161004") is None  # wrong check digit
    assert clean_imo("0000000") is None
    assert clean_imo(None) is None and clean_imo("") is None
    assert clean_imo("9161003.0") == "9161003"


@given(st.integers(min_value=1, max_value=999_999))
def test_exactly_one_check_digit_is_valid(body: int) -> None:
    stem = f"{body:06d}"
    valid = [d for d in "0123456789" if imo_check_digit_ok(stem + d)]
    assert len(valid) == 1
