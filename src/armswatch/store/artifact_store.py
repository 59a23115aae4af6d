"""Sources and artifacts, as part of the workspace facade."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from armswatch.errors import NotFoundError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.model import Artifact, Source, clean_reliability
from armswatch.store import records
from armswatch.store import schema as t
from armswatch.store.blob import BlobStore
from armswatch.store.facade import Facade

_MEDIA_TYPES = {
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".geojson": "application/geo+json",
    ".parquet": "application/vnd.apache.parquet",
    ".nmea": "text/plain",
    ".ais": "text/plain",
    ".jsonl": "application/jsonl",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".csv": "text/csv",
    ".xml": "application/xml",
}


def guess_media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "source"


class ArtifactStore(Facade):
    blobs: BlobStore

    # ---------------------------------------------------------------- sources
    def add_source(
        self,
        name: str,
        *,
        publisher: str | None = None,
        url: str | None = None,
        licence: str | None = None,
        reliability: str = "F",
        id: str | None = None,
    ) -> str:
        """Register who published something; idempotent on the id (a slug of the name by default)."""
        source_id = id or slug(name)
        grade = clean_reliability(reliability)
        with self.transaction() as conn:
            if conn.execute(select(t.source.c.id).where(t.source.c.id == source_id)).first() is None:
                values = {
                    "id": source_id,
                    "name": name,
                    "publisher": publisher,
                    "url": url,
                    "licence": licence,
                    "reliability": grade,
                    "created_at": to_iso(utcnow()),
                }
                conn.execute(insert(t.source).values(**values))
                self._audit(conn, "source.add", "source", source_id, values)
        return source_id

    def list_sources(self) -> list[Source]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.source).order_by(t.source.c.id)).mappings().all()
        return [records.source_from_row(r) for r in rows]

    # ---------------------------------------------------------------- artifacts
    def add_artifact(
        self,
        data: bytes | Path,
        *,
        name: str | None = None,
        media_type: str | None = None,
        source: str | None = None,
        captured_at: datetime | None = None,
        url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        simulated: bool = False,
    ) -> Artifact:
        """Store immutable bytes; the same bytes added twice give the same artifact."""
        if isinstance(data, bytes):
            stored = self.blobs.put_bytes(data)
            name = name or "bytes"
        else:
            stored = self.blobs.put_file(Path(data))
            name = name or Path(data).name
        artifact_id = f"sha256:{stored.sha256}"
        with self.transaction() as conn:
            existing = (
                conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().first()
            )
            if existing is not None:
                return records.artifact_from_row(existing)
            if (
                source is not None
                and conn.execute(select(t.source.c.id).where(t.source.c.id == source)).first() is None
            ):
                raise NotFoundError(f"unknown source {source!r}; add it first")
            values = {
                "id": artifact_id,
                "sha256": stored.sha256,
                "media_type": media_type or guess_media_type(name),
                "size": stored.size,
                "name": name,
                "url": url,
                "captured_at": to_iso(captured_at),
                "added_at": to_iso(utcnow()),
                "source_id": source,
                "meta": dict(metadata or {}),
                "simulated": simulated,
            }
            conn.execute(insert(t.artifact).values(**values))
            self._audit(
                conn,
                "artifact.add",
                "artifact",
                artifact_id,
                {k: values[k] for k in ("name", "size", "media_type", "source_id", "simulated")},
            )
            row = conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().one()
        return records.artifact_from_row(row)

    def resolve_artifact_id(self, ref: str) -> str:
        """Accept ``sha256:<hex>``, the bare hex, or a unique prefix of at least 8 hex digits."""
        hexpart = ref.removeprefix("sha256:").lower()
        if len(hexpart) < 8:
            raise NotFoundError(f"artifact reference too short (give at least 8 hex digits): {ref!r}")
        with self.engine.connect() as conn:
            ids = (
                conn.execute(select(t.artifact.c.id).where(t.artifact.c.sha256.startswith(hexpart)).limit(2))
                .scalars()
                .all()
            )
        if not ids:
            raise NotFoundError(f"no artifact {ref!r}")
        if len(ids) > 1:
            raise NotFoundError(f"artifact reference {ref!r} is ambiguous; give more digits")
        return str(ids[0])

    def get_artifact(self, ref: str) -> Artifact:
        artifact_id = self.resolve_artifact_id(ref)
        with self.engine.connect() as conn:
            row = conn.execute(select(t.artifact).where(t.artifact.c.id == artifact_id)).mappings().one()
        return records.artifact_from_row(row)

    def list_artifacts(self, media_type: str | None = None) -> list[Artifact]:
        query = select(t.artifact).order_by(t.artifact.c.added_at, t.artifact.c.id)
        if media_type:
            query = query.where(t.artifact.c.media_type == media_type)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [records.artifact_from_row(r) for r in rows]

    def artifact_path(self, ref: str) -> Path:
        return self.blobs.path(self.resolve_artifact_id(ref).removeprefix("sha256:"))
