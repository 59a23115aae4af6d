"""Logging in and out: the login page and form, and ``POST /api/v1/login`` for scripts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from armswatch.auth.errors import AuthenticationError, CsrfError
from armswatch.auth.session import create_session, revoke_session
from armswatch.auth.users import authenticate as check_password
from armswatch.web.deps import COOKIE, Principal, viewer, workspace
from armswatch.web.templating import render

router = APIRouter(tags=["auth"])
LOGIN_COOKIE = "aw_login"

#: Routes that change state without a logged-in user (the authorisation test knows them by name).
PUBLIC_STATE_CHANGING = frozenset({"/login", "/api/v1/login"})


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class LoginOut(BaseModel):
    user: str
    role: str
    token: str = Field(description="Bearer token for scripts: send 'Authorization: Bearer <token>'.")
    token_expires_at: datetime
    csrf_token: str = Field(description="CSRF token of the cookie session (X-CSRF-Token header).")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/", max_age=12 * 3600
    )


def _keys(request: Request, username: str) -> tuple[str, str]:
    return f"user:{username.lower()}", f"addr:{request.client.host if request.client else '?'}"


async def _login(request: Request, username: str, password: str) -> Any:
    limiter = request.app.state.limiter
    user_key, addr_key = _keys(request, username)
    limiter.check(user_key, addr_key)
    ws = workspace(request)
    try:
        user = await run_in_threadpool(check_password, ws, username, password)
    except AuthenticationError:
        limiter.failed(user_key, addr_key)
        raise
    limiter.succeeded(user_key)
    return user


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_token": token, "next": _safe_next(next), "error": error})
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), max_age=3600
    )
    return response


@router.post("/login", include_in_schema=False)
async def login_form(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    login_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/queue",
) -> Response:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not login_token or not secrets.compare_digest(cookie, login_token):
        raise CsrfError("the login form expired; reload the page and try again")
    user = await _login(request, username, password)
    token, _ = await run_in_threadpool(create_session, workspace(request), user, "cookie")
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
async def logout_form(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    await run_in_threadpool(revoke_session, workspace(request), me.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/api/v1/login", response_model=LoginOut)
async def api_login(request: Request, body: LoginIn, response: Response) -> LoginOut:
    """Log in with a user name and password: sets the session cookie and returns a bearer token."""
    user = await _login(request, body.username, body.password)
    ws = workspace(request)
    cookie_token, cookie_session = await run_in_threadpool(create_session, ws, user, "cookie")
    bearer_token, bearer_session = await run_in_threadpool(create_session, ws, user, "bearer")
    _set_session_cookie(request, response, cookie_token)
    return LoginOut(
        user=user.name,
        role=user.role,
        token=bearer_token,
        token_expires_at=bearer_session.expires_at,
        csrf_token=cookie_session.csrf_token,
    )


@router.post("/api/v1/logout", status_code=204)
async def api_logout(request: Request, me: Annotated[Principal, Depends(viewer)]) -> Response:
    """End the session used for this request (cookie or bearer token)."""
    await run_in_threadpool(revoke_session, workspace(request), me.session)
    response = Response(status_code=204)
    if me.via == "cookie":
        response.delete_cookie(COOKIE)
    return response


class MeOut(BaseModel):
    user: str
    role: str


@router.get("/api/v1/me", response_model=MeOut)
def api_me(me: Annotated[Principal, Depends(viewer)]) -> MeOut:
    """Who is logged in."""
    return MeOut(user=me.name, role=me.role)
