"""A web capture stored in the workspace: WARC, WACZ and screenshot as artifacts, each with custody."""

from __future__ import annotations

from urllib.parse import urlsplit

from armswatch.evidence.custody import record_custody
from armswatch.evidence.web import WebCapture
from armswatch.provenance.clock import utcnow
from armswatch.workspace import Workspace


def store_capture(ws: Workspace, capture: WebCapture, *, note: str = "") -> dict[str, str]:
    """Add the capture's files as evidence; returns their artifact ids by role."""
    host = (urlsplit(capture.url).hostname or "page").replace(".", "-")
    when = utcnow()
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    meta = {"evidence": {"role": "web capture", "note": note}, "capture": capture.summary()}
    ids: dict[str, str] = {}
    parts = [
        ("warc", capture.warc, f"{host}-{stamp}.warc.gz", "application/warc"),
        ("wacz", capture.wacz, f"{host}-{stamp}.wacz", "application/wacz"),
        ("screenshot", capture.screenshot, f"{host}-{stamp}.png", "image/png"),
    ]
    for role, data, name, media_type in parts:
        if data is None:
            continue
        artifact = ws.add_artifact(
            data,
            name=name,
            media_type=media_type,
            url=capture.url,
            captured_at=when,
            metadata={**meta, "part": role},
        )
        record_custody(
            ws,
            artifact.id,
            "capture",
            purpose="web capture",
            details={"url": capture.url, "part": role, "note": note},
        )
        ids[role] = artifact.id
    return ids
