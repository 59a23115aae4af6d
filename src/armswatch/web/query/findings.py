"""Findings as the review queue and the API list them: filtered, counted, one page at a time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, func, select

from armswatch.errors import InputError
from armswatch.provenance.clock import to_iso
from armswatch.provenance.confidence import clean_confidence
from armswatch.provenance.model import Finding, clean_status
from armswatch.store import schema as t
from armswatch.store.finding_store import findings_from_rows
from armswatch.web.query.cache import cached, case_version
from armswatch.workspace import Workspace

MAX_LIMIT: Final = 500
SORTS: Final = {
    "newest": (t.finding.c.created_at.desc(), t.finding.c.id.desc()),
    "oldest": (t.finding.c.created_at, t.finding.c.id),
}


@dataclass(frozen=True)
class FindingFilter:
    """What the queue and ``GET /api/v1/findings`` filter on (all optional, combined with AND)."""

    kind: str | None = None  # prefix: "ais" matches "ais.gap"
    status: str | None = None
    site: str | None = None  # site id: findings whose subjects include site:<id>
    subject: str | None = None
    confidence: str | None = None
    start: datetime | None = None  # findings whose interval overlaps [start, end)
    end: datetime | None = None
    run: str | None = None
    text: str | None = None  # case-insensitive substring of the title
    day: str | None = None  # YYYY-MM-DD: the day the timeline puts the finding on (its start, else when made)
    bbox: tuple[float, float, float, float] | None = field(default=None)

    def checked(self) -> FindingFilter:
        if self.status:
            clean_status(self.status)
        if self.confidence:
            clean_confidence(self.confidence)
        if self.start and self.end and self.end <= self.start:
            raise InputError("the end of the time filter must be after its start")
        if self.day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.day):
            raise InputError(f"day must be YYYY-MM-DD, got {self.day!r}")
        return self


@dataclass(frozen=True)
class FindingPage:
    items: list[Finding]
    total: int
    offset: int
    limit: int


def _subjects(f: FindingFilter) -> list[str]:
    return [s for s in (f"site:{f.site}" if f.site else None, f.subject) if s]


def _where(query: Select[Any], f: FindingFilter, common: frozenset[str] = frozenset()) -> Select[Any]:
    """The filter as SQL. A subject carried by many findings (``common``) is checked row by row while
    walking the newest-first index (the first page is found early); a rare one is looked up first."""
    c = t.finding.c
    if f.kind:
        query = query.where(c.kind.startswith(f.kind, autoescape=True))
    if f.status:
        query = query.where(c.status == clean_status(f.status))
    if f.confidence:
        query = query.where(c.confidence == clean_confidence(f.confidence))
    if f.run:
        query = query.where(c.run_id == f.run)
    if f.text:
        query = query.where(func.lower(c.title).contains(f.text.lower(), autoescape=True))
    if f.start:
        query = query.where(func.coalesce(c.end_at, c.start_at) >= to_iso(f.start))
    if f.end:
        query = query.where(c.start_at < to_iso(f.end))
    if f.day:
        query = query.where(func.substr(func.coalesce(c.start_at, c.created_at), 1, 10) == f.day)
    fs = t.finding_subject.c
    for subject in _subjects(f):
        if subject in common:
            query = query.where(
                select(fs.finding_id).where(fs.finding_id == c.id, fs.subject == subject).exists()
            )
        else:
            query = query.where(c.id.in_(select(fs.finding_id).where(fs.subject == subject)))
    return query


COMMON_SUBJECT: Final = 1000


def _common(ws: Workspace, f: FindingFilter) -> frozenset[str]:
    subjects = _subjects(f)
    if not subjects:
        return frozenset()
    fs = t.finding_subject.c
    with ws.engine.connect() as conn:
        return frozenset(
            s
            for s in subjects
            if int(conn.execute(select(func.count()).where(fs.subject == s)).scalar() or 0) > COMMON_SUBJECT
        )


def list_findings(
    ws: Workspace, f: FindingFilter, *, offset: int = 0, limit: int = 50, sort: str = "newest"
) -> FindingPage:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InputError("offset must be 0 or more")
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}")
    f = f.checked()
    page = _where(select(t.finding), f, _common(ws, f)).order_by(*SORTS[sort]).offset(offset).limit(limit)
    with ws.engine.connect() as conn:
        rows = conn.execute(page).mappings().all()
    return FindingPage(load(ws, rows), count(ws, f), offset, limit)


def count(ws: Workspace, f: FindingFilter) -> int:
    """How many findings match ``f`` (kept until the case changes: counting 100,000 rows is the slow part)."""

    def compute() -> int:
        with ws.engine.connect() as conn:
            return int(conn.execute(_where(select(func.count()).select_from(t.finding), f)).scalar() or 0)

    return cached(str(ws.root), f"count:{f!r}", case_version(ws), compute)


def load(ws: Workspace, rows: Sequence[Any]) -> list[Finding]:
    """Findings of these rows with their own evidence and reviews (two small IN queries)."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    with ws.engine.connect() as conn:
        return findings_from_rows(conn, rows, ids)


def get(ws: Workspace, finding_id: str) -> Finding:
    """One finding by its full id (a primary-key lookup); a prefix falls back to the workspace's
    unique-prefix search."""
    with ws.engine.connect() as conn:
        rows = conn.execute(select(t.finding).where(t.finding.c.id == finding_id)).mappings().all()
    return load(ws, rows)[0] if rows else ws.get_finding(finding_id)


def status_counts(ws: Workspace) -> dict[str, int]:
    def compute() -> dict[str, int]:
        with ws.engine.connect() as conn:
            rows = conn.execute(select(t.finding.c.status, func.count()).group_by(t.finding.c.status)).all()
        return {str(s): int(n) for s, n in rows}

    return cached(str(ws.root), "status-counts", case_version(ws), compute)


def kinds(ws: Workspace) -> list[str]:
    def compute() -> list[str]:
        query = select(t.finding.c.kind).distinct().order_by(t.finding.c.kind)
        with ws.engine.connect() as conn:
            return [str(k) for k in conn.execute(query).scalars()]

    return cached(str(ws.root), "kinds", case_version(ws), compute)


def with_geometry(ws: Workspace, f: FindingFilter, limit: int = 5000) -> list[dict[str, Any]]:
    """Findings with a geometry as GeoJSON features for the map (newest first, at most ``limit``)."""
    c = t.finding.c
    query = (
        _where(
            select(
                c.id, c.kind, c.title, c.status, c.confidence, c.geometry, c.start_at, c.end_at, c.simulated
            ),
            f,
        )
        .where(c.geometry.is_not(None))
        .order_by(c.created_at.desc())
        .limit(limit)
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        {
            "type": "Feature",
            "geometry": r["geometry"],
            "properties": {
                k: r[k]
                for k in ("id", "kind", "title", "status", "confidence", "start_at", "end_at", "simulated")
            },
        }
        for r in rows
        if r["geometry"]
    ]
