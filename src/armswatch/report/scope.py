"""Which findings a report publishes: status, kind, site and time filters.

A report shows *live* findings only (``new`` and ``confirmed``; ``--status confirmed`` for a report
to publish). Rejected findings never appear as results, in a chart, a table or on the map; when
asked (``--appendix``) they are listed in a review appendix at the end with the analyst's notes.

Domain sections (imagery, maritime, entities) receive a :class:`ScopedWorkspace`: the workspace
with ``list_findings`` narrowed to the selection, so every section sees the same findings as the
cards and the map without knowing about the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from armswatch.errors import InputError

if TYPE_CHECKING:
    from armswatch.provenance.model import Finding
    from armswatch.workspace import Workspace

LIVE_STATUSES = ("new", "confirmed")
STATUS_WORDS = {"all": LIVE_STATUSES, "live": LIVE_STATUSES, "new": ("new",), "confirmed": ("confirmed",)}


def parse_statuses(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``--status`` values (repeatable or comma-separated) as live statuses; ``all`` = new + confirmed."""
    out: list[str] = []
    for value in values or ("all",):
        for word in (w.strip().lower() for w in value.split(",")):
            if not word:
                continue
            if word == "rejected":
                raise InputError(
                    "rejected findings are never published as results; add --appendix to list them "
                    "in a review appendix at the end of the report"
                )
            if word not in STATUS_WORDS:
                raise InputError(f"--status must be confirmed, new or all (got {word!r})")
            out.extend(s for s in STATUS_WORDS[word] if s not in out)
    return tuple(s for s in LIVE_STATUSES if s in out) or LIVE_STATUSES


def day_start(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class Selection:
    """The findings a report shows. ``until`` is exclusive (``--to 2024-12-31`` → 2025-01-01 00:00)."""

    statuses: tuple[str, ...] = LIVE_STATUSES
    kinds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    appendix: bool = False

    @classmethod
    def from_options(
        cls,
        status: list[str] | None = None,
        kind: list[str] | None = None,
        site: list[str] | None = None,
        since: date | datetime | None = None,
        to: date | datetime | None = None,
        appendix: bool = False,
    ) -> Selection:
        """From CLI options; ``to`` is inclusive (a whole day when a date)."""
        until = day_start(to)
        if until is not None and until.time() == time(0):  # a date: the whole day is included
            until = until + timedelta(days=1)
        start = day_start(since)
        if start is not None and until is not None and start >= until:
            raise InputError("--from must be before --to")
        return cls(
            statuses=parse_statuses(status),
            kinds=tuple(k.strip() for k in kind or () if k.strip()),
            sites=tuple(s.strip().removeprefix("site:") for s in site or () if s.strip()),
            since=start,
            until=until,
            appendix=appendix,
        )

    def _in_time(self, f: Finding) -> bool:
        """Overlaps the window; a finding without a time span (a list match) is not time-bound: kept."""
        if f.start is None and f.end is None:
            return True
        first = f.start or f.end
        last = f.end or f.start
        assert first is not None and last is not None
        return (self.until is None or first < self.until) and (self.since is None or last >= self.since)

    def wants(self, f: Finding, *, rejected: bool = False) -> bool:
        """Whether ``f`` passes the kind, site and time filters and is live (or rejected, for the appendix)."""
        if rejected:
            if f.status != "rejected":
                return False
        elif f.status not in self.statuses:
            return False
        if self.kinds and not any(f.kind.startswith(k) for k in self.kinds):
            return False
        if self.sites and not any(s.removeprefix("site:") in self.sites for s in f.subjects):
            return False
        return self._in_time(f)

    def describe(self) -> str:
        """In words, for the report header."""
        parts = [" and ".join(self.statuses) + " findings"]
        if self.kinds:
            parts.append("of kind " + ", ".join(self.kinds))
        if self.sites:
            parts.append("about site " + ", ".join(self.sites))
        if self.since or self.until:
            last = self.until - timedelta(days=1) if self.until else None
            parts.append(
                f"from {self.since.date() if self.since else 'the start'} to {last.date() if last else 'now'}"
            )
        return " ".join(parts)


class ScopedWorkspace:
    """A workspace whose ``list_findings`` returns only the selected live findings.

    Everything else is the wrapped workspace's (attribute access is delegated).
    """

    def __init__(self, ws: Workspace, selection: Selection) -> None:
        self._ws = ws
        self.selection = selection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def list_findings(
        self,
        kind: str | None = None,
        status: str | None = None,
        subject: str | None = None,
        run_id: str | None = None,
    ) -> list[Finding]:
        found = self._ws.list_findings(kind=kind, status=status, subject=subject, run_id=run_id)
        return [f for f in found if self.selection.wants(f)]
