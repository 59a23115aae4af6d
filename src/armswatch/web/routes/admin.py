"""User management (admin): the users page and ``/api/v1/users``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from armswatch.auth import users
from armswatch.auth.roles import ROLES, WHAT_ROLE_MAY_DO
from armswatch.errors import InputError
from armswatch.web.deps import Principal, admin
from armswatch.web.templating import render

router = APIRouter(tags=["users"])


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str
    password: str = Field(min_length=1, max_length=1000)


def _row(u: users.User) -> dict[str, Any]:
    return {"name": u.name, "role": u.role, "disabled": u.disabled, "created_at": u.created_at.isoformat()}


@router.get("/api/v1/users")
def api_users(me: Annotated[Principal, Depends(admin)]) -> list[dict[str, Any]]:
    """Every account (admin)."""
    return [_row(u) for u in users.list_users(me.ws)]


@router.post("/api/v1/users", status_code=201)
def api_add_user(body: UserIn, me: Annotated[Principal, Depends(admin)]) -> dict[str, Any]:
    """Add an account (admin)."""
    return _row(users.add_user(me.ws, body.name, body.role, body.password))


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, me: Annotated[Principal, Depends(admin)]) -> Response:
    return render(
        request, "users.html", {"users": users.list_users(me.ws), "roles": ROLES, "what": WHAT_ROLE_MAY_DO}
    )


@router.post("/admin/users", include_in_schema=False)
def users_add(
    me: Annotated[Principal, Depends(admin)],
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    users.add_user(me.ws, name, role, password)
    return RedirectResponse("/admin/users", status_code=303)


def _keep_an_admin(me: Principal, name: str, *, role: str | None = None, disable: bool = False) -> None:
    """Refuse a change that would leave no active admin: nobody could then manage users from the
    workbench (only ``armswatch users set-role`` at the server's shell could)."""
    active = [u for u in users.list_users(me.ws) if u.role == "admin" and not u.disabled]
    if [u.name for u in active] != [name]:
        return
    if disable or (role is not None and role != "admin"):
        raise InputError(f"{name} is the only active admin: make another user admin first")


@router.post("/admin/users/{name}/role", include_in_schema=False)
def users_set_role(
    name: str, me: Annotated[Principal, Depends(admin)], role: Annotated[str, Form()]
) -> Response:
    _keep_an_admin(me, name, role=role)
    users.set_role(me.ws, name, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/disable", include_in_schema=False)
def users_disable(name: str, me: Annotated[Principal, Depends(admin)]) -> Response:
    _keep_an_admin(me, name, disable=True)
    users.disable_user(me.ws, name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/enable", include_in_schema=False)
def users_enable(name: str, me: Annotated[Principal, Depends(admin)]) -> Response:
    users.enable_user(me.ws, name)
    return RedirectResponse("/admin/users", status_code=303)
