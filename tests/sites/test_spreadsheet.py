from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.sites.spreadsheet import guard_cell, unguard_cell


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@ab1 "), max_size=8) | st.text(max_size=20))
def test_guard_is_reversible_and_defuses(value: str) -> None:
    guarded = guard_cell(value)
    assert unguard_cell(guarded) == value
    assert not guarded.startswith(("=", "+", "-", "@"))
