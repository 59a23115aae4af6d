"""Indexes the review queue and the finding API rely on (created by migration ``0004_users``)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from armswatch.store import schema as t

# (…, created_at, id): the queue's order (newest first, id breaking ties) is read from the index, not sorted
ix_finding_status_created = Index(
    "ix_finding_status_created", t.finding.c.status, t.finding.c.created_at, t.finding.c.id
)
ix_finding_created = Index("ix_finding_created", t.finding.c.created_at, t.finding.c.id)

#: Notes (and optionally an evidence artifact) an analyst attaches to a finding or a subject
#: (``site:<id>``, ``vessel:mmsi:<n>``, ``entity:<id>``). Findings stay immutable; annotations sit beside them.
annotation = Table(
    "annotation",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(80), ForeignKey("finding.id")),
    Column("subject", String(300)),
    Column("body", Text, nullable=False),
    Column("artifact_id", String(80), ForeignKey("artifact.id")),
    Column("analyst", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_annotation_finding_id", "finding_id"),
    Index("ix_annotation_subject", "subject"),
)
