"""The generated OpenAPI page (``/api/v1/docs``), with Swagger UI served from this package."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from armswatch.web.templating import render

router = APIRouter(tags=["docs"])


@router.get("/api/v1/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    """Public, like the schema it shows (no data)."""
    return render(request, "docs.html", {})
