"""Per-record problems of a list file, counted by reason, each reason naming where it first occurred.

A reader that meets a bad record counts it and goes on (``--strict`` turns any count into a refusal).
The count is keyed by the reason *and* the first place it was seen, e.g.
``"ftm: line is not JSON (first: line 12)"``, so the import summary and the strict-mode refusal both
point at a line to look at, while each reason stays one entry however often it recurs.
"""

from __future__ import annotations

from collections import Counter


class Problems:
    """Counts into ``counter`` by reason; the key of a reason carries its first location."""

    def __init__(self, counter: Counter[str]) -> None:
        self.counter = counter
        self._keys: dict[str, str] = {}

    def add(self, reason: str, where: str | int | None = None, count: int = 1) -> None:
        """Count ``count`` problems of ``reason`` at ``where`` (a line number, or words such as
        ``"ent_num 123"``)."""
        if count <= 0:
            return
        key = self._keys.get(reason)
        if key is None:
            if where is None:
                key = reason
            else:
                place = f"line {where}" if isinstance(where, int) else where
                key = f"{reason} (first: {place})"
            self._keys[reason] = key
        self.counter[key] += count


def reason_of(key: str) -> str:
    """The reason part of a problem key (without ``" (first: …)"``)."""
    head, sep, _ = key.rpartition(" (first: ")
    return head if sep else key


def by_reason(counter: Counter[str]) -> Counter[str]:
    """The counts by reason alone (locations dropped), e.g. for tests and summaries."""
    out: Counter[str] = Counter()
    for key, count in counter.items():
        out[reason_of(key)] += count
    return out
