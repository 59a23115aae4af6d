"""Evidence: the gallery, one file with its chain of custody, the custody timeline, and the bytes.

Downloads resolve the id through the artifact table (hex digits only), never use it as a path, so no
request can name a file outside the blob store. Only raster images are shown inline; anything else
downloads as an attachment (an uploaded HTML or SVG file never runs in the workbench's origin).
Thumbnails are JPEGs the server makes from image artifacts. Opening an evidence file's page is an
*access* in its chain of custody (as ``armswatch evidence show`` is).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from armswatch.errors import InputError, NotFoundError
from armswatch.evidence.collect import Captured, add_evidence
from armswatch.evidence.custody import EVENTS, record_custody
from armswatch.evidence.package import timestamp_tokens
from armswatch.provenance.clock import parse_when
from armswatch.web.deps import Principal, analyst, viewer
from armswatch.web.query import evidence as eq
from armswatch.web.templating import render

router = APIRouter(tags=["evidence"])
INLINE: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_UPLOAD: Final = 50 * 1024 * 1024
MAX_FILES: Final = 20
PAGE: Final = 120  # cards per gallery page
Kind = Annotated[str | None, Query(description="photo, document, web capture, video or other")]
Text = Annotated[str | None, Query(max_length=200, description="Text in the name or URL, or a hash prefix")]


def _kind(kind: str | None) -> str | None:
    if kind and kind not in eq.KINDS:
        raise InputError(f"kind must be one of {', '.join(eq.KINDS)}; got {kind!r}")
    return kind or None


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


@router.get("/evidence/{artifact_id}/thumbnail", include_in_schema=False)
@router.get("/api/v1/artifacts/{artifact_id}/thumbnail")
def artifact_thumbnail(artifact_id: str, me: Annotated[Principal, Depends(viewer)]) -> Response:
    """A small JPEG of an image artifact (404 for anything that is not a readable image)."""
    art = me.ws.get_artifact(artifact_id)
    if not eq.thumbnailable(art):
        raise NotFoundError(f"artifact {art.id} is not a raster image the server can read")
    data = eq.thumbnail_jpeg(me.ws, art.id)
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400, immutable"}
    )


@router.get("/api/v1/evidence")
def api_evidence(
    me: Annotated[Principal, Depends(viewer)],
    kind: Kind = None,
    q: Text = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=eq.MAX_PAGE)] = 100,
) -> dict[str, Any]:
    """Evidence files (newest capture first) with hashes, capture details and custody counts."""
    cards = eq.evidence_cards(me.ws, kind=_kind(kind), q=q)
    return {
        "items": [c.to_dict() for c in cards[offset : offset + limit]],
        "total": len(cards),
        "offset": offset,
        "limit": limit,
    }


def _detail(me: Principal, artifact_id: str) -> dict[str, Any]:
    card = eq.evidence_card(me.ws, artifact_id)
    a = card.artifact
    record_custody(me.ws, a.id, "access", purpose="viewed in the workbench", tool="armswatch serve")
    stamps = [me.ws.get_artifact(tid) for tid in timestamp_tokens(me.ws).get(a.id, [])]
    return {
        "card": card,
        "a": a,
        "metadata": a.metadata.get("file") or {},
        "capture": a.metadata.get("capture") or {},
        "evidence_meta": a.metadata.get("evidence") or {},
        "stamps": [{"id": s.id, **(s.metadata.get("timestamp") or {})} for s in stamps],
        "custody": eq.custody_chain(me.ws, a.id),
        "findings": eq.citing_findings(me.ws, a.id),
        "copies": eq.derived_copies(me.ws, a.id),
        "items": eq.citing_items(me.ws, a.id),
        "inline": INLINE,
    }


@router.get("/api/v1/evidence/{artifact_id}")
def api_evidence_one(artifact_id: str, me: Annotated[Principal, Depends(viewer)]) -> dict[str, Any]:
    """One evidence file: metadata, timestamps, chain of custody (oldest first), findings and items citing it.
    Reading it is recorded as an access in its chain of custody."""
    d = _detail(me, artifact_id)
    return {
        **d["card"].to_dict(),
        "metadata": d["a"].metadata,
        "timestamps": d["stamps"],
        "custody": [e.to_dict() for e in reversed(d["custody"])],
        "findings": d["findings"],
        "munition_items": [i.id for i in d["items"]],
        "working_copies": [c.id for c in d["copies"]],
    }


@router.get("/api/v1/custody")
def api_custody(
    me: Annotated[Principal, Depends(viewer)],
    artifact: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Custody events (who, when, what, why, how, where, hash), newest first."""
    return [e.to_dict() for e in eq.custody_chain(me.ws, artifact, limit)]


# ------------------------------------------------------------------ pages
@router.get("/evidence", include_in_schema=False)
def gallery_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    kind: Kind = None,
    q: Text = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    cards = eq.evidence_cards(me.ws, kind=_kind(kind), q=q)
    args = {k: v for k, v in request.query_params.items() if k != "offset"}
    return render(
        request,
        "evidence.html",
        {
            "cards": cards[offset : offset + PAGE],
            "offset": offset,
            "page": PAGE,
            "args": args,
            "total": len(cards),
            "kinds": eq.KINDS,
            "kind": kind,
            "q": q or "",
        },
    )


@router.get("/evidence/{artifact_id}/details", include_in_schema=False)
def evidence_page(artifact_id: str, request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    return render(request, "evidence_item.html", _detail(me, artifact_id))


@router.get("/custody", include_in_schema=False)
def custody_page(
    request: Request,
    me: Annotated[Principal, Depends(viewer)],
    event: Annotated[str | None, Query(max_length=20)] = None,
    who: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    events = eq.custody_chain(me.ws, None, 5000)
    if event:
        events = [e for e in events if e.event == event]
    if who:
        events = [e for e in events if e.who == who]
    names = {c.artifact.id: c.artifact.name for c in eq.evidence_cards(me.ws)}
    return render(
        request,
        "custody.html",
        {
            "events": events[:1000],
            "total": len(events),
            "names": names,
            "event_names": EVENTS,
            "event": event or "",
            "who": who or "",
        },
    )


# ------------------------------------------------------------------ writes
async def _store_uploads(
    me: Principal, files: list[UploadFile], url: str, source: str, captured_at: str, note: str
) -> list[Captured]:
    if len(files) > MAX_FILES:
        raise InputError(f"at most {MAX_FILES} files at once")
    when = parse_when(captured_at) if captured_at else None
    out = []
    with tempfile.TemporaryDirectory(prefix="armswatch-upload-") as tmp:
        for upload in files:
            if not upload.filename:
                continue
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise InputError(f"{upload.filename}: too large (at most {MAX_UPLOAD // 1024 // 1024} MB)")
            path = Path(tmp) / upload_name(upload.filename)
            path.write_bytes(data)
            got = await run_in_threadpool(
                add_evidence,
                me.ws,
                path,
                url=url or None,
                source=source or None,
                captured_at=when,
                note=note,
                purpose="uploaded in the workbench",
            )
            out.append(got)
    if not out:
        raise InputError("choose at least one file")
    return out


def upload_name(filename: str) -> str:
    """The base name of an uploaded file, without control characters, at most 200 bytes of UTF-8."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip(". ")
    while len(name.encode("utf-8")) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:-1]}.{ext}" if dot and len(ext) <= 10 and stem else name[:-1]
    return name or "upload"


def _captured(c: Captured) -> dict[str, Any]:
    return {
        "artifact": c.artifact.id,
        "name": c.artifact.name,
        "new": c.new,
        "near_duplicates": [{"artifact": a, "bits": d} for a, d in c.near_duplicates],
    }


@router.post("/api/v1/evidence", status_code=201)
async def api_add_evidence(
    me: Annotated[Principal, Depends(analyst)],
    files: Annotated[list[UploadFile], File(description="Photos, PDFs, videos, documents")],
    url: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    captured_at: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> list[dict[str, Any]]:
    """Store files as evidentiary copies (metadata, perceptual hash, near-duplicates, custody) (analyst)."""
    return [_captured(c) for c in await _store_uploads(me, files, url, source, captured_at, note)]


@router.post("/evidence", include_in_schema=False)
async def add_evidence_form(
    me: Annotated[Principal, Depends(analyst)],
    files: Annotated[list[UploadFile], File()],
    url: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    captured_at: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    got = await _store_uploads(me, files, url, source, captured_at, note)
    target = f"/evidence/{got[0].artifact.id}/details" if len(got) == 1 else "/evidence"
    return RedirectResponse(target, status_code=303)


@router.post("/api/v1/evidence/{artifact_id}/verify")
def api_verify(artifact_id: str, me: Annotated[Principal, Depends(analyst)]) -> dict[str, Any]:
    """Recompute the file's SHA-256 and list its timestamp tokens; recorded as a custody event (analyst)."""
    from armswatch.evidence.stamp import verify_artifact

    return verify_artifact(me.ws, eq.evidence_card(me.ws, artifact_id).artifact.id)


@router.post("/evidence/{artifact_id}/verify", include_in_schema=False)
def verify_form(artifact_id: str, me: Annotated[Principal, Depends(analyst)]) -> Response:
    from armswatch.evidence.stamp import verify_artifact

    result = verify_artifact(me.ws, eq.evidence_card(me.ws, artifact_id).artifact.id)
    return RedirectResponse(f"/evidence/{result['artifact']}/details?verified=1", status_code=303)
