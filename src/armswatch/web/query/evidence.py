"""Evidence as the gallery shows it: the case's evidentiary files and working copies, with their hashes,
capture details, trusted timestamps, custody counts and what cites them.

Everything here reads through the evidence library (:mod:`armswatch.evidence`) or the audit log; the
gallery never touches a file by a name a request gave.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Text, cast, func, select

from armswatch.errors import NotFoundError
from armswatch.evidence.custody import CustodyEvent
from armswatch.evidence.package import TOKEN_MEDIA_TYPE, timestamp_tokens
from armswatch.provenance.model import Artifact
from armswatch.store import schema as t
from armswatch.web.query.cache import cached, case_version
from armswatch.workspace import Workspace

KINDS: Final = ("photo", "document", "web capture", "video", "other")
MAX_PAGE: Final = 500
_DOCUMENTS: Final = ("application/pdf", "text/", "application/msword", "application/vnd.openxmlformats")
_CAPTURES: Final = ("application/warc", "application/wacz")


def kind_of(a: Artifact) -> str:
    """What the gallery files the artifact under: photo, document, web capture, video or other."""
    mt = a.media_type
    ev = a.metadata.get("evidence") or {}
    if mt.startswith(_CAPTURES) or (ev.get("role") == "web capture" and not mt.startswith("image/")):
        return "web capture"
    if mt.startswith("image/") and mt != "image/svg+xml":
        return "photo"
    if mt.startswith("video/"):
        return "video"
    if mt.startswith(_DOCUMENTS):
        return "document"
    return "other"


RASTER: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"})


def thumbnailable(a: Artifact) -> bool:
    """Whether the server can make a thumbnail: a raster image whose pixels the metadata reader could
    open (or, without read metadata, one of the common raster types)."""
    if a.media_type not in RASTER:
        return False
    read = a.metadata.get("file")
    if isinstance(read, dict):
        return "width" in read and "metadata_error" not in read
    return a.media_type != "image/tiff"


def role_of(a: Artifact) -> str:
    return str((a.metadata.get("evidence") or {}).get("role") or "")


@dataclass(frozen=True)
class EvidenceCard:
    artifact: Artifact
    kind: str
    role: str
    custody: int
    timestamps: int
    cited_by: int

    @property
    def thumbnail(self) -> bool:
        return thumbnailable(self.artifact)

    def to_dict(self) -> dict[str, Any]:
        a = self.artifact
        return {
            "id": a.id,
            "sha256": a.sha256,
            "name": a.name,
            "media_type": a.media_type,
            "size": a.size,
            "kind": self.kind,
            "role": self.role,
            "url": a.url,
            "captured_at": a.captured_at.isoformat() if a.captured_at else None,
            "added_at": a.added_at.isoformat(),
            "source": a.source_id,
            "phash": a.metadata.get("phash"),
            "derived_from": (a.metadata.get("evidence") or {}).get("derived_from"),
            "simulated": a.simulated,
            "custody_events": self.custody,
            "timestamps": self.timestamps,
            "cited_by_findings": self.cited_by,
        }


def _counts(ws: Workspace, column: Any, ids: list[str], *where: Any) -> Counter[str]:
    """Rows per artifact id, counted by the database (only for ``ids`` when they are few)."""
    query = select(column, func.count()).where(*where).group_by(column)
    if len(ids) <= 900:
        query = query.where(column.in_(ids))
    with ws.engine.connect() as conn:
        return Counter({r[0]: int(r[1]) for r in conn.execute(query)})


def custody_counts(ws: Workspace, ids: list[str]) -> Counter[str]:
    """Custody events per artifact, counted in the audit log (no payloads read)."""
    a = t.audit_log.c
    return _counts(ws, a.object_id, ids, a.action.like("custody.%"))


def citation_counts(ws: Workspace, ids: list[str]) -> Counter[str]:
    """Findings citing each artifact as evidence."""
    return _counts(ws, t.finding_evidence.c.artifact_id, ids)


def evidence_artifacts(ws: Workspace) -> list[Artifact]:
    """Artifacts captured as evidence (their metadata has an ``evidence`` part), tokens left out.

    The database narrows the rows by the metadata's text first, so a case with many other artifacts
    (AIS extracts, chips) does not load them all.
    """
    from armswatch.store import records

    a = t.artifact.c
    query = select(t.artifact).where(
        cast(a.meta, Text).like('%"evidence"%'), a.media_type != TOKEN_MEDIA_TYPE
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [x for x in (records.artifact_from_row(r) for r in rows) if "evidence" in x.metadata]


def _cards(ws: Workspace) -> list[EvidenceCard]:
    artifacts = evidence_artifacts(ws)
    ids = [x.id for x in artifacts]
    tokens = timestamp_tokens(ws)
    custody = custody_counts(ws, ids)
    cited = citation_counts(ws, ids)
    out = [
        EvidenceCard(a, kind_of(a), role_of(a), custody[a.id], len(tokens.get(a.id, [])), cited[a.id])
        for a in artifacts
    ]
    out.sort(key=lambda c: (c.artifact.captured_at or c.artifact.added_at, c.artifact.id), reverse=True)
    return out


def evidence_cards(ws: Workspace, *, kind: str | None = None, q: str | None = None) -> list[EvidenceCard]:
    """Evidence files, newest capture first, optionally of one kind or with ``q`` in the name, URL or hash."""
    cards = cached(str(ws.root), "evidence-cards", case_version(ws), lambda: _cards(ws))
    if kind:
        cards = [c for c in cards if c.kind == kind]
    if q:
        needle = q.casefold()
        cards = [
            c
            for c in cards
            if needle in c.artifact.name.casefold()
            or needle in (c.artifact.url or "").casefold()
            or c.artifact.sha256.startswith(needle)
        ]
    return cards


def citing_findings(ws: Workspace, artifact_id: str) -> list[dict[str, str]]:
    """Findings whose evidence includes the artifact (id, kind, title, status)."""
    f, fe = t.finding.c, t.finding_evidence.c
    query = (
        select(f.id, f.kind, f.title, f.status)
        .join(t.finding_evidence, fe.finding_id == f.id)
        .where(fe.artifact_id == artifact_id)
        .order_by(f.created_at.desc())
        .limit(200)
    )
    with ws.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def custody_chain(ws: Workspace, artifact_id: str | None = None, limit: int = 1000) -> list[CustodyEvent]:
    """Custody events, newest first (one artifact's, or the whole case's up to ``limit``)."""
    from armswatch.evidence.custody import custody_events

    return list(reversed(custody_events(ws, artifact_id)))[:limit]


def derived_copies(ws: Workspace, artifact_id: str) -> list[Artifact]:
    """Working copies made from the artifact (crops), newest first."""
    return [
        c.artifact
        for c in evidence_cards(ws)
        if (c.artifact.metadata.get("evidence") or {}).get("derived_from") == artifact_id
    ]


def evidence_card(ws: Workspace, ref: str) -> EvidenceCard:
    """One artifact by id (or a unique hex prefix) as the gallery shows it. Files the gallery lists
    come from its cache; any other artifact a finding cites (a chip, an AIS extract) is described too."""
    a = ws.get_artifact(ref)
    for c in evidence_cards(ws):
        if c.artifact.id == a.id:
            return c
    if a.media_type == TOKEN_MEDIA_TYPE:
        raise NotFoundError(f"artifact {a.id} is a timestamp token, not evidence")
    tokens = timestamp_tokens(ws).get(a.id, [])
    return EvidenceCard(
        a,
        kind_of(a),
        role_of(a),
        custody_counts(ws, [a.id])[a.id],
        len(tokens),
        citation_counts(ws, [a.id])[a.id],
    )


def thumbnail_jpeg(ws: Workspace, artifact_id: str) -> bytes:
    """A small JPEG of an image artifact (the report's thumbnail), kept per process: artifacts never change."""
    from armswatch.evidence.report import thumbnail

    def compute() -> bytes:
        uri = thumbnail(ws, artifact_id)
        if not uri:
            raise NotFoundError(f"artifact {artifact_id} has no thumbnail (not a readable image)")
        return base64.b64decode(uri.split(",", 1)[1])

    return cached(str(ws.root), f"thumb:{artifact_id}", "immutable", compute)


def citing_items(ws: Workspace, artifact_id: str) -> list[Any]:
    """Munition items whose evidence includes the artifact."""
    from armswatch.munitions.store import list_items

    return [i for i in list_items(ws) if artifact_id in i.evidence]
