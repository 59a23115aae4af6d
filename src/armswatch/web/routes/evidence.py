"""Evidence downloads: artifact bytes by id, only from the workspace's content-addressed blob store.

The id is resolved through the artifact table (hex digits only), never used as a path, so no request
can name a file outside the blob store. Only raster images are shown inline; anything else downloads
as an attachment (an uploaded HTML or SVG file never runs in the workbench's origin).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from armswatch.errors import NotFoundError
from armswatch.web.deps import Principal, viewer

router = APIRouter(tags=["evidence"])
INLINE: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@router.get("/evidence/{artifact_id}", include_in_schema=False)
@router.get("/api/v1/artifacts/{artifact_id}/content")
def artifact_content(artifact_id: str, me: Annotated[Principal, Depends(viewer)]) -> Response:
    """The stored bytes of an artifact (``sha256:<hex>`` or a unique hex prefix of 8+ digits)."""
    art = me.ws.get_artifact(artifact_id)
    path = me.ws.artifact_path(art.id)
    if not path.is_file():
        raise NotFoundError(
            f"artifact {art.id} is recorded but its bytes are missing (see 'artifacts verify')"
        )
    inline = art.media_type in INLINE
    return FileResponse(
        path,
        media_type=art.media_type if inline else "application/octet-stream",
        filename=art.name,
        content_disposition_type="inline" if inline else "attachment",
        headers={"Cache-Control": "private, max-age=86400, immutable"},
    )
