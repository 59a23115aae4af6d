"""Collecting sites record by record: strict (first problem raises) or lenient (skip and count).

Strict is the default: the first bad record raises :class:`InputError` naming the file and record
("feature 3: polygon ring is not closed"). Pass a ``Counter`` as ``skipped`` to the readers to skip
bad records instead and count them by reason (the message up to its first ``": "``) with the first
record where each reason occurred, so a bulk import can report "2 × latitude out of range [-90, 90]
(first: line 4), 1 × duplicate site id (first: feature 7)" and go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from armswatch.errors import ArmswatchError, InputError
from armswatch.sites.model import Site


def problem_reason(message: str) -> str:
    """The part of a problem message that names the kind of problem, not the offending value."""
    return message.split(": ", 1)[0]


@dataclass
class SiteCollector:
    """Accumulates sites from one file, enforcing unique ids."""

    label: str
    path: str | None = None
    skipped: Counter[str] | None = None
    sites: list[Site] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def problem(self, record: int, message: str, reason: str | None = None) -> None:
        """Raise (strict) or count (lenient) a problem with ``record``."""
        if self.skipped is None:
            # "file:N:" already names a line; features and placemarks are named in words.
            named = self.label == "line" and self.path is not None
            text = message if named else f"{self.label} {record}: {message}"
            raise InputError(text, path=self.path, record=record)
        reason = reason or problem_reason(message)
        key = self.keys.setdefault(reason, f"{reason} (first: {self.label} {record})")
        self.skipped[key] += 1

    def add(self, record: int, build: Callable[[], Site]) -> None:
        """Build one site; a problem (or a duplicate id) is raised or counted."""
        try:
            site = build()
        except ArmswatchError as err:
            self.problem(record, err.message)
            return
        if site.id in self.seen:
            message = f"duplicate site id {site.id!r} (also {self.label} {self.seen[site.id]})"
            self.problem(record, message, reason="duplicate site id")
            return
        self.seen[site.id] = record
        self.sites.append(site)
