"""Findings and their reviews, as part of the workspace facade."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from armswatch.errors import ConflictError, NotFoundError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.model import Finding, Review, clean_status
from armswatch.store import records
from armswatch.store import schema as t
from armswatch.store.facade import Facade


class FindingStore(Facade):
    # ---------------------------------------------------------------- findings
    def list_findings(
        self,
        kind: str | None = None,
        status: str | None = None,
        subject: str | None = None,
        run_id: str | None = None,
    ) -> list[Finding]:
        query = select(t.finding).order_by(t.finding.c.created_at, t.finding.c.id)
        if kind:
            query = query.where(t.finding.c.kind.startswith(kind))
        if status:
            query = query.where(t.finding.c.status == clean_status(status))
        if run_id:
            query = query.where(t.finding.c.run_id == run_id)
        if subject:
            sub = select(t.finding_subject.c.finding_id).where(t.finding_subject.c.subject == subject)
            query = query.where(t.finding.c.id.in_(sub))
        return self._load_findings(query)

    def _load_findings(self, query: Select[Any]) -> list[Finding]:
        """Findings selected by ``query`` with their evidence and reviews (only theirs)."""
        ids = query.with_only_columns(t.finding.c.id).order_by(None)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            return findings_from_rows(conn, rows, ids)

    def get_finding(self, finding_id: str) -> Finding:
        with self.engine.connect() as conn:
            ids = (
                conn.execute(select(t.finding.c.id).where(t.finding.c.id.startswith(finding_id)).limit(2))
                .scalars()
                .all()
            )
        if len(ids) != 1:
            raise NotFoundError(
                f"no finding {finding_id!r}" if not ids else f"finding id {finding_id!r} is ambiguous"
            )
        return self._load_findings(select(t.finding).where(t.finding.c.id == ids[0]))[0]

    def review_finding(
        self, finding_id: str, status: str, note: str = "", *, expected_status: str | None = None
    ) -> Review:
        """Change a finding's status; the review is kept in its history and in the audit log.

        Optimistic concurrency: the status is changed only if it is still the one read (or
        ``expected_status`` when given, e.g. the status the analyst saw); otherwise
        :class:`~armswatch.errors.ConflictError` says who changed it meanwhile.
        """
        new_status = clean_status(status)
        expected = clean_status(expected_status) if expected_status is not None else None
        current = self.get_finding(finding_id)
        at = utcnow()
        with self.transaction() as conn:
            seen = conn.execute(select(t.finding.c.status).where(t.finding.c.id == current.id)).scalar_one()
            previous = expected if expected is not None else current.status
            changed = conn.execute(
                update(t.finding)
                .where((t.finding.c.id == current.id) & (t.finding.c.status == previous))
                .values(status=new_status)
            ).rowcount
            if changed != 1:
                raise ConflictError(
                    f"finding {current.id} is now {seen!r}, not {previous!r}: someone reviewed it "
                    "meanwhile; look at it again ('armswatch findings show') and review again"
                )
            review_id = conn.execute(
                insert(t.review).values(
                    finding_id=current.id,
                    status_from=previous,
                    status_to=new_status,
                    note=note,
                    analyst=self.analyst,
                    at=to_iso(at),
                )
            ).inserted_primary_key
            assert review_id is not None
            self._audit(
                conn,
                "finding.review",
                "finding",
                current.id,
                {"from": previous, "to": new_status, "note": note},
                seal=[("finding", [(current.id,)]), ("review", [tuple(review_id)])],
            )
        return Review(current.id, previous, new_status, note, self.analyst, at)


def findings_from_rows(conn: Connection, rows: Sequence[Any], ids: Any) -> list[Finding]:
    """Finding rows completed with their own evidence and reviews; ``ids`` selects those findings
    (a subquery or a list of ids), so two small IN queries load only what the rows need."""
    evidence = (
        conn.execute(select(t.finding_evidence).where(t.finding_evidence.c.finding_id.in_(ids)))
        .mappings()
        .all()
    )
    reviews = (
        conn.execute(select(t.review).where(t.review.c.finding_id.in_(ids)).order_by(t.review.c.id))
        .mappings()
        .all()
    )
    ev: dict[str, list[str]] = {}
    for e in evidence:
        ev.setdefault(e["finding_id"], []).append(e["artifact_id"])
    rv: dict[str, list[Review]] = {}
    for r in reviews:
        rv.setdefault(r["finding_id"], []).append(records.review_from_row(r))
    return [records.finding_from_row(r, ev.get(r["id"], []), rv.get(r["id"], [])) for r in rows]
