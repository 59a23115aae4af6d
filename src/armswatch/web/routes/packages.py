"""Evidence packages from the workbench: the same zip as ``armswatch evidence export`` (files, manifest
of hashes and metadata, custody events, timestamp tokens, audit head), for one finding or the whole
case. Exporting is a custody event for every file in the package, so it is a write (analyst)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from armswatch.web.deps import Principal, analyst

router = APIRouter(tags=["evidence"])


def _export(me: Principal, finding: str | None, purpose: str) -> Response:
    from armswatch.evidence.package import export_package

    tmp = Path(tempfile.mkdtemp(prefix="armswatch-package-"))
    try:
        target = tmp / "package.zip"
        export_package(me.ws, target, finding=finding or None, purpose=purpose or "export")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    scope = me.ws.get_finding(finding).id if finding else me.ws.name
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in scope)[:80] or "case"
    return FileResponse(
        target,
        media_type="application/zip",
        filename=f"evidence-{safe}.zip",
        content_disposition_type="attachment",
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )


@router.post("/api/v1/evidence/export")
def api_export(
    me: Annotated[Principal, Depends(analyst)],
    finding: Annotated[
        str | None, Query(max_length=80, description="Package this finding's evidence")
    ] = None,
    purpose: Annotated[str, Query(max_length=500, description="Why (kept in the custody log)")] = "export",
) -> Response:
    """An evidence package (zip) of one finding's evidence, or of the whole case without ``finding``;
    ``armswatch evidence verify package.zip`` checks it anywhere (analyst; a custody event per file)."""
    return _export(me, finding, purpose)


@router.post("/evidence/export", include_in_schema=False)
def export_form(
    me: Annotated[Principal, Depends(analyst)],
    finding: Annotated[str, Form(max_length=80)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "export",
) -> Response:
    return _export(me, finding or None, purpose)
