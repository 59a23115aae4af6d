"""User accounts: add, list, disable, change role, check a password. Every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import insert, select, update

from armswatch.auth.errors import AuthenticationError
from armswatch.auth.password import dummy_hash, hash_password, verify_password
from armswatch.auth.roles import clean_role
from armswatch.auth.schema import app_user
from armswatch.errors import InputError, NotFoundError
from armswatch.provenance.clock import from_iso, to_iso, utcnow
from armswatch.workspace import Workspace

NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    disabled: bool
    created_at: datetime
    updated_at: datetime


def clean_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise InputError(
            f"user name must be 1-64 letters, digits, '.', '_', '@' or '-' (starting with a letter or digit), "
            f"got {name!r}"
        )
    return name


def _user(row: object) -> User:
    r = row._mapping  # type: ignore[attr-defined]
    created, updated = from_iso(r["created_at"]), from_iso(r["updated_at"])
    assert created is not None and updated is not None
    return User(r["name"], r["role"], bool(r["disabled"]), created, updated)


def add_user(ws: Workspace, name: str, role: str, password: str) -> User:
    name, role = clean_name(name), clean_role(role)
    digest = hash_password(password)
    now = to_iso(utcnow())
    with ws.transaction() as conn:
        if conn.execute(select(app_user.c.name).where(app_user.c.name == name)).first() is not None:
            raise InputError(f"user {name!r} already exists")
        conn.execute(
            insert(app_user).values(
                name=name, role=role, password_hash=digest, disabled=False, created_at=now, updated_at=now
            )
        )
        ws._audit(conn, "user.add", "user", name, {"role": role})
    return get_user(ws, name)


def get_user(ws: Workspace, name: str) -> User:
    with ws.engine.connect() as conn:
        row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user {name!r} (see 'armswatch users list')")
    return _user(row)


def list_users(ws: Workspace) -> list[User]:
    with ws.engine.connect() as conn:
        rows = conn.execute(select(app_user).order_by(app_user.c.name)).all()
    return [_user(r) for r in rows]


def _change(ws: Workspace, name: str, action: str, payload: dict[str, object], **values: object) -> User:
    before = get_user(ws, name)
    with ws.transaction() as conn:
        conn.execute(
            update(app_user).where(app_user.c.name == name).values(**values, updated_at=to_iso(utcnow()))
        )
        ws._audit(
            conn,
            action,
            "user",
            name,
            {"before": {"role": before.role, "disabled": before.disabled}, **payload},
        )
    if "disabled" in values or "password_hash" in values:
        from armswatch.auth.session import revoke_user_sessions

        revoke_user_sessions(ws, name)
    return get_user(ws, name)


def set_role(ws: Workspace, name: str, role: str) -> User:
    return _change(ws, name, "user.set_role", {"role": clean_role(role)}, role=clean_role(role))


def disable_user(ws: Workspace, name: str) -> User:
    """Disable an account and revoke its sessions (the account and its history are kept)."""
    return _change(ws, name, "user.disable", {"disabled": True}, disabled=True)


def enable_user(ws: Workspace, name: str) -> User:
    return _change(ws, name, "user.enable", {"disabled": False}, disabled=False)


def set_password(ws: Workspace, name: str, password: str) -> User:
    """Change a password; every session of the user is revoked."""
    return _change(ws, name, "user.set_password", {}, password_hash=hash_password(password))


def authenticate(ws: Workspace, name: str, password: str) -> User:
    """The user if ``password`` is right and the account is enabled; else :class:`AuthenticationError`.

    The message never says which part was wrong, and an unknown name costs the same Argon2 time.
    """
    with ws.engine.connect() as conn:
        row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
    if row is None:
        verify_password(dummy_hash(), password)
        raise AuthenticationError("wrong user name or password")
    ok = verify_password(row._mapping["password_hash"], password)
    if not ok or row._mapping["disabled"]:
        raise AuthenticationError("wrong user name or password")
    return _user(row)
