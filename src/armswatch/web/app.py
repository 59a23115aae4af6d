"""The workbench application: ``create_app(workspace)`` builds a FastAPI app over one open workspace.

Routes live in :mod:`armswatch.web.routes`, one module per domain; each declares the role it needs
(:mod:`armswatch.web.deps`). Errors map to statuses in :mod:`armswatch.web.errors`. Everything the
pages load comes from this package (vendored Leaflet and fonts with their licences, the Natural Earth
base map): no CDN, no remote tiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from armswatch import __version__
from armswatch.auth.ratelimit import LoginLimiter
from armswatch.web import errors
from armswatch.web.jobs import JobRunner
from armswatch.workspace import Workspace

#: Scripts and styles only from this server; no frames, no plugins; images may be data: URLs (Leaflet).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def create_app(ws: Workspace, *, limiter: LoginLimiter | None = None) -> FastAPI:
    from armswatch.web.routes import routers

    app = FastAPI(
        title="armswatch workbench API",
        version=__version__,
        description=(
            "The armswatch case workspace over HTTP. Log in with `POST /api/v1/login` and send the returned "
            "token as `Authorization: Bearer <token>`; browser sessions use a cookie plus the `X-CSRF-Token` "
            "header on every state-changing call. 401: not logged in; 403: the role does not allow it."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.workspace = ws
    app.state.limiter = limiter or LoginLimiter()
    app.state.jobs = JobRunner()
    errors.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(SecurityHeaders)
    static = resources.files("armswatch.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in routers():
        app.include_router(router)
    return app


def api_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every :class:`fastapi.routing.APIRoute`, also inside included routers (which newer FastAPI
    keeps as nested router objects rather than copying their routes into the app)."""
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and inner is not route and hasattr(inner, "routes"):
            yield from api_routes(inner.routes)


def route_table(app: FastAPI) -> list[dict[str, Any]]:
    """Every route with its methods and the role it requires (for docs and the authorisation test)."""
    from armswatch.web.deps import Requires

    def roles_of(dependant: Any) -> list[str]:
        """Roles required by the route's dependencies, also those of dependencies' dependencies."""
        out: list[str] = []
        for d in dependant.dependencies:
            if isinstance(d.call, Requires):
                out.append(d.call.role)
            out.extend(roles_of(d))
        return out

    out = []
    for route in api_routes(app.routes):
        roles = roles_of(route.dependant)
        out.append(
            {"path": route.path, "methods": sorted(route.methods), "role": roles[0] if roles else None}
        )
    return out
