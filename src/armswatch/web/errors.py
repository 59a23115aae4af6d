"""Errors to HTTP statuses, in one place (like yente's ``exc.py``), on the CLI's error root.

An API request gets ``{"detail": message}`` with the status; a page request gets the error page, and
an unauthenticated page request is sent to the login page instead of a bare 401.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from armswatch.auth.errors import AuthenticationError, CsrfError, ForbiddenError, RateLimitedError
from armswatch.errors import (
    ArmswatchError,
    ExternalServiceError,
    InputError,
    IntegrityError,
    MissingFileError,
    NotFoundError,
    WorkspaceError,
)

#: Most specific first: the first class the error is an instance of gives its status.
STATUSES: Final[tuple[tuple[type[ArmswatchError], int], ...]] = (
    (RateLimitedError, 429),
    (CsrfError, 403),
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (MissingFileError, 404),
    (InputError, 400),
    (IntegrityError, 409),
    (ExternalServiceError, 502),
    (WorkspaceError, 503),
    (ArmswatchError, 500),
)


def status_of(exc: ArmswatchError) -> int:
    return next(status for cls, status in STATUSES if isinstance(exc, cls))


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ArmswatchError)
    status = status_of(exc)
    headers = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="armswatch"'
    if wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from armswatch.web.templating import render

    return render(
        request, "error.html", {"status": status, "message": str(exc)}, status_code=status, headers=headers
    )


async def handle_validation(request: Request, exc: Exception) -> Response:
    """A malformed parameter: 422 with FastAPI's details for the API, the error page for a page (a
    mistyped ``?offset=-1`` showed a page of raw JSON)."""
    from fastapi.exception_handlers import request_validation_exception_handler
    from fastapi.exceptions import RequestValidationError

    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {e.get('msg', 'not valid')}")
    from armswatch.web.templating import render

    return render(request, "error.html", {"status": 422, "message": "; ".join(parts)}, status_code=422)


async def handle_http(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such page, method not allowed): JSON for the API, the page otherwise."""
    from fastapi.exception_handlers import http_exception_handler
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    if wants_json(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    from armswatch.web.templating import render

    return render(
        request,
        "error.html",
        {"status": exc.status_code, "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=dict(exc.headers or {}),
    )


def install(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    app.add_exception_handler(ArmswatchError, handle)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(HTTPException, handle_http)
