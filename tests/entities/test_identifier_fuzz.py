"""The remark reader (identifiers and cited references) never crashes and yields well-formed keys."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.entities.identifier import (
    MAX_LENGTH,
    MIN_LENGTH,
    address_key,
    cited_references,
    identifier_values,
    note_identifiers,
)

LABELS = ["Passport", "National ID No.", "Cedula No.", "Registration ID", "Tax ID No.", "alt. Passport"]
pieces = st.one_of(
    st.sampled_from(LABELS),
    st.text(max_size=15),
    st.from_regex(r"[A-Z]{0,2}[0-9]{3,12}", fullmatch=True),
    st.sampled_from(["; ", ", ", " (Iran)", " expires 2020", " KPe.001", " also listed as", "."]),
)
KEY = re.compile(r"^(passport|national-id|registration):[0-9A-Z]+$")


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=25).map(" ".join))
def test_remarks_give_well_formed_keys(note: str) -> None:
    for key in note_identifiers(note):
        assert KEY.match(key), key
        value = key.split(":", 1)[1]
        assert MIN_LENGTH <= len(value) <= MAX_LENGTH and any(c.isdigit() for c in value)
    cited, same = cited_references([note])
    assert same <= cited
    key = address_key(note)
    assert key is None or (len(key.split()) >= 4 and any(w.isdigit() for w in key.split()))
    assert all(v.isalnum() and v.upper() == v for v in identifier_values(note))


def test_a_long_remark_is_read() -> None:
    """Bounded repetitions in the patterns: a 250 kB remark is read (no catastrophic backtracking)."""
    note = "Passport " + "A1 " * 50_000 + "; National ID No. " + "9" * 100_000 + "; Passport X12345"
    assert "passport:X12345" in note_identifiers(note)
    assert cited_references([note]) == (frozenset(), frozenset())
