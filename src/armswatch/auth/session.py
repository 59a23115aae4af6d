"""Sessions: a random token handed to the browser (cookie) or a script (bearer), stored as its SHA-256.

A session carries its own CSRF token. Sessions expire (cookie: 12 hours, bearer: 30 days) and can be
revoked one by one or all at once for a user (disabling a user or changing a password does that).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import insert, select, update

from armswatch.auth.errors import AuthenticationError
from armswatch.auth.schema import app_user, user_session
from armswatch.auth.users import User, _user
from armswatch.errors import InputError
from armswatch.provenance.clock import from_iso, to_iso, utcnow
from armswatch.workspace import Workspace

LIFETIME: Final = {"cookie": timedelta(hours=12), "bearer": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    kind: str
    csrf_token: str
    expires_at: datetime
    token_hash: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(ws: Workspace, user: User, kind: str = "cookie") -> tuple[str, Session]:
    """A new session for ``user``; returns the secret token (shown once) and the session."""
    if kind not in LIFETIME:
        raise InputError(f"session kind must be cookie or bearer, got {kind!r}")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = Session(user, kind, secrets.token_urlsafe(32), now + LIFETIME[kind], _digest(token))
    with ws.transaction() as conn:
        conn.execute(
            insert(user_session).values(
                token_hash=session.token_hash,
                user_name=user.name,
                kind=kind,
                csrf_token=session.csrf_token,
                created_at=to_iso(now),
                expires_at=to_iso(session.expires_at),
            )
        )
        acting_as(ws, user)._audit(conn, "user.login", "user", user.name, {"kind": kind})
    return token, session


def find_session(ws: Workspace, token: str) -> Session:
    """The live session of ``token``; :class:`AuthenticationError` if unknown, expired, revoked or disabled."""
    if not token or len(token) > 200:
        raise AuthenticationError("not logged in")
    s, u = user_session, app_user
    query = select(s, u).join(u, u.c.name == s.c.user_name).where(s.c.token_hash == _digest(token))
    with ws.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise AuthenticationError("not logged in")
    m = row._mapping
    expires = from_iso(m["expires_at"])
    assert expires is not None
    if m["revoked_at"] is not None or expires <= utcnow() or m["disabled"]:
        raise AuthenticationError("session expired or revoked; log in again")
    return Session(_user(row), m["kind"], m["csrf_token"], expires, m["token_hash"])


def revoke_session(ws: Workspace, session: Session) -> None:
    with ws.transaction() as conn:
        conn.execute(
            update(user_session)
            .where(user_session.c.token_hash == session.token_hash)
            .values(revoked_at=to_iso(utcnow()))
        )
        acting_as(ws, session.user)._audit(
            conn, "user.logout", "user", session.user.name, {"kind": session.kind}
        )


def revoke_user_sessions(ws: Workspace, name: str) -> int:
    with ws.transaction() as conn:
        result = conn.execute(
            update(user_session)
            .where(user_session.c.user_name == name, user_session.c.revoked_at.is_(None))
            .values(revoked_at=to_iso(utcnow()))
        )
    return int(result.rowcount or 0)


def acting_as(ws: Workspace, user: User) -> Workspace:
    """The same open workspace (same engine) with ``user`` as the analyst written to the audit log."""
    clone = copy.copy(ws)
    clone.analyst = user.name
    return clone
