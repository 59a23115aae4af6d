"""Progress of long work, reported by the library and drawn by whoever called it.

Library functions that take a while accept ``progress: Progress = NO_PROGRESS`` and report named
phases with a total whenever one can be known (files, records, items, bytes), then advance through
them. The CLI draws the phases as rich progress bars on standard error (``cli.common.progress_for``);
the web workbench and tests can pass their own recorder. The library never draws anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    """Something that is told which phase the work is in and how far it has come."""

    def phase(self, name: str, total: int | None = None) -> None:
        """Start a phase (the previous one is finished); ``total`` when it can be known."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current phase are done."""


class NoProgress:
    """Reports nowhere (the default)."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None


NO_PROGRESS: Progress = NoProgress()


class RecordedProgress:
    """Keeps what it was told: ``[(phase, total, done), …]`` (for tests and the web's job table)."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, int | None, int]] = []

    def phase(self, name: str, total: int | None = None) -> None:
        self.phases.append((name, total, 0))

    def advance(self, n: int = 1) -> None:
        if not self.phases:
            raise RuntimeError("advance() before any phase()")
        name, total, done = self.phases[-1]
        self.phases[-1] = (name, total, done + n)


def steps(progress: Progress, name: str, items: Iterable[T], total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` as one phase, advancing after each (total from ``len(items)`` if sized)."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    progress.phase(name, total)
    for item in items:
        yield item
        progress.advance()
