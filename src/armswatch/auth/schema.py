"""SQL tables for accounts and sessions, on the workspace's shared metadata (migration ``0004_users``).

* ``app_user`` – one row per account: name, role, Argon2 hash, disabled flag.
* ``user_session`` – one row per login: only the SHA-256 of the session token is stored, so a copy
  of the database does not hand out live sessions; a session is revoked by setting ``revoked_at``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text

from armswatch.store.schema import metadata

app_user = Table(
    "app_user",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

user_session = Table(
    "user_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(200), ForeignKey("app_user.name"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
    Index("ix_user_session_user_name", "user_name"),
)
