"""Annotations: an analyst's note, optionally with an evidence file, beside a finding or a subject.

Library code (no web framework): the workbench and scripts call it; every note is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import insert, select

from armswatch.errors import InputError
from armswatch.provenance.clock import from_iso, to_iso, utcnow
from armswatch.web.schema import annotation
from armswatch.workspace import Workspace

MAX_BODY: Final = 20_000
SUBJECT_PREFIXES: Final = ("site:", "vessel:mmsi:", "vessel:imo:", "entity:")


@dataclass(frozen=True, slots=True)
class Annotation:
    id: int
    finding_id: str | None
    subject: str | None
    body: str
    artifact_id: str | None
    analyst: str
    at: datetime


def add_annotation(
    ws: Workspace,
    body: str,
    *,
    finding_id: str | None = None,
    subject: str | None = None,
    artifact_id: str | None = None,
) -> Annotation:
    body = body.strip()
    if not body and artifact_id is None:
        raise InputError("an annotation needs a note or an evidence file")
    if len(body) > MAX_BODY:
        raise InputError(f"note too long (at most {MAX_BODY} characters)")
    if (finding_id is None) == (subject is None):
        raise InputError("an annotation belongs to exactly one finding or one subject")
    if finding_id is not None:
        finding_id = ws.get_finding(finding_id).id
    if subject is not None and not subject.startswith(SUBJECT_PREFIXES):
        raise InputError(f"subject must start with one of {', '.join(SUBJECT_PREFIXES)}")
    if artifact_id is not None:
        artifact_id = ws.resolve_artifact_id(artifact_id)
    at = utcnow()
    with ws.transaction() as conn:
        new_id = conn.execute(
            insert(annotation).values(
                finding_id=finding_id,
                subject=subject,
                body=body,
                artifact_id=artifact_id,
                analyst=ws.analyst,
                at=to_iso(at),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        target = finding_id or subject or ""
        ws._audit(
            conn,
            "annotation.add",
            "finding" if finding_id else "subject",
            target,
            {"id": int(new_id), "body": body, "artifact_id": artifact_id},
        )
    return Annotation(int(new_id), finding_id, subject, body, artifact_id, ws.analyst, at)


def annotations_of(
    ws: Workspace, *, finding_id: str | None = None, subject: str | None = None
) -> list[Annotation]:
    query = select(annotation).order_by(annotation.c.id)
    if finding_id is not None:
        query = query.where(annotation.c.finding_id == finding_id)
    if subject is not None:
        query = query.where(annotation.c.subject == subject)
    with ws.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    out = []
    for r in rows:
        at = from_iso(r["at"])
        assert at is not None
        out.append(
            Annotation(r["id"], r["finding_id"], r["subject"], r["body"], r["artifact_id"], r["analyst"], at)
        )
    return out
