"""Authentication and authorisation dependencies: who is asking, and may they?

Every route depends on a :class:`Requires` naming the least role it needs (``Requires("viewer")`` for
reading). Credentials are a session cookie (browser) or ``Authorization: Bearer`` (scripts). A
state-changing request authenticated by the cookie must carry the session's CSRF token, in the
``X-CSRF-Token`` header or the ``csrf_token`` form field; bearer requests are exempt (a browser never
adds that header by itself).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from armswatch.auth.errors import AuthenticationError, CsrfError, ForbiddenError
from armswatch.auth.roles import allows, clean_role
from armswatch.auth.session import Session, acting_as, find_session
from armswatch.auth.users import User
from armswatch.workspace import Workspace

COOKIE: Final = "aw_session"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request, with the workspace acting in their name."""

    user: User
    session: Session
    via: str  # "cookie" or "bearer"
    ws: Workspace

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role

    def may(self, role: str) -> bool:
        return allows(self.user.role, role)


def workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def credentials(request: Request) -> tuple[str, str] | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), "bearer"
    token = request.cookies.get(COOKIE)
    return (token, "cookie") if token else None


async def _csrf_from_request(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # Starlette keeps the parsed form for the endpoint
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def authenticate(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    found = credentials(request)
    if found is None:
        raise AuthenticationError("not logged in")
    token, via = found
    ws = workspace(request)
    session = await run_in_threadpool(find_session, ws, token)
    if via == "bearer" and session.kind != "bearer":
        raise AuthenticationError("a browser session token cannot be used as a bearer token")
    principal = Principal(session.user, session, via, acting_as(ws, session.user))
    request.state.principal = principal
    return principal


class Requires:
    """Dependency: the request's user, who must hold at least ``role``."""

    def __init__(self, role: str) -> None:
        self.role = clean_role(role)

    async def __call__(self, request: Request) -> Principal:
        principal = await authenticate(request)
        if request.method not in SAFE_METHODS and principal.via == "cookie":
            sent = await _csrf_from_request(request)
            if not sent or not secrets.compare_digest(sent, principal.session.csrf_token):
                raise CsrfError("missing or wrong CSRF token; reload the page and try again")
        if not principal.may(self.role):
            raise ForbiddenError(f"this needs the {self.role} role (you are {principal.role})")
        return principal

    def __repr__(self) -> str:
        return f"Requires({self.role!r})"


viewer = Requires("viewer")
analyst = Requires("analyst")
reviewer = Requires("reviewer")
admin = Requires("admin")
