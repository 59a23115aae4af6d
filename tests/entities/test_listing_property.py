"""Property test: the listing status from snapshot presence matches a brute-force reading."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from armswatch.entities.history import SnapshotInfo, _listing


def _snaps(n: int) -> list[SnapshotInfo]:
    start = date(2020, 1, 1)
    return [
        SnapshotInfo(f"s{i}", "ds", "ds", start + timedelta(days=30 * i), "list", "run", "art", 1, 1)
        for i in range(n)
    ]


@given(st.lists(st.booleans(), min_size=0, max_size=12))
def test_listing_matches_brute_force(carried: list[bool]) -> None:
    snaps = _snaps(len(carried))
    present = {s.id for s, c in zip(snaps, carried, strict=True) if c}
    listing = _listing(snaps, present, "ds")
    if not any(carried):
        assert listing.status == "not listed" and listing.since is None
        return
    last_in = max(i for i, c in enumerate(carried) if c)
    if carried[-1]:
        assert listing.status == "listed" and listing.delisted_on is None
    else:
        assert listing.status == "delisted"
        assert listing.delisted_on == snaps[last_in + 1].list_date
    # ``since`` starts the run of consecutive snapshots that ends at the last one carrying it
    first = last_in
    while first > 0 and carried[first - 1]:
        first -= 1
    assert listing.since == snaps[first].list_date
    assert all(carried[first : last_in + 1])
