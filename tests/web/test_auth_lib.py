"""The account library: hashing, roles, sessions, revocation, rate limit, audit."""

from __future__ import annotations

import pytest

from armswatch.auth.errors import AuthenticationError, RateLimitedError
from armswatch.auth.ratelimit import LoginLimiter
from armswatch.auth.roles import allows
from armswatch.auth.session import create_session, find_session, revoke_session
from armswatch.auth.users import add_user, authenticate, disable_user, list_users, set_password, set_role
from armswatch.errors import InputError
from armswatch.workspace import Workspace


@pytest.fixture()
def ws(cheap_argon2: None, tmp_path) -> Workspace:  # type: ignore[no-untyped-def]
    return Workspace.init(tmp_path / "c", analyst="boss")


def test_password_is_hashed_with_argon2_and_checked(ws: Workspace) -> None:
    from sqlalchemy import select

    from armswatch.auth.schema import app_user

    add_user(ws, "alice", "analyst", "s3cret-enough")
    with ws.engine.connect() as conn:
        stored = conn.execute(select(app_user.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "s3cret" not in stored
    assert authenticate(ws, "alice", "s3cret-enough").role == "analyst"
    for name, pw in (("alice", "wrong-password"), ("nobody", "s3cret-enough")):
        with pytest.raises(AuthenticationError, match="wrong user name or password"):
            authenticate(ws, name, pw)


def test_bad_names_roles_and_passwords_are_refused(ws: Workspace) -> None:
    with pytest.raises(InputError):
        add_user(ws, "<b>x</b>", "viewer", "long enough pw")
    with pytest.raises(InputError):
        add_user(ws, "bob", "superuser", "long enough pw")
    with pytest.raises(InputError, match="too short"):
        add_user(ws, "bob", "viewer", "short")
    add_user(ws, "bob", "viewer", "long enough pw")
    with pytest.raises(InputError, match="already exists"):
        add_user(ws, "bob", "admin", "long enough pw")


def test_roles_are_ordered() -> None:
    assert allows("admin", "reviewer") and allows("reviewer", "analyst") and allows("analyst", "viewer")
    assert (
        not allows("viewer", "analyst")
        and not allows("analyst", "reviewer")
        and not allows("reviewer", "admin")
    )


def test_sessions_store_only_a_hash_and_can_be_revoked(ws: Workspace) -> None:
    from sqlalchemy import select

    from armswatch.auth.schema import user_session

    user = add_user(ws, "alice", "analyst", "s3cret-enough")
    token, session = create_session(ws, user)
    with ws.engine.connect() as conn:
        stored = conn.execute(select(user_session.c.token_hash)).scalar_one()
    assert stored != token and len(stored) == 64
    assert find_session(ws, token).user.name == "alice"
    revoke_session(ws, session)
    with pytest.raises(AuthenticationError):
        find_session(ws, token)


def test_disabling_or_a_new_password_ends_sessions(ws: Workspace) -> None:
    user = add_user(ws, "alice", "analyst", "s3cret-enough")
    t1, _ = create_session(ws, user)
    set_password(ws, "alice", "another-secret")
    with pytest.raises(AuthenticationError):
        find_session(ws, t1)
    t2, _ = create_session(ws, user)
    disable_user(ws, "alice")
    with pytest.raises(AuthenticationError):
        find_session(ws, t2)
    with pytest.raises(AuthenticationError):
        authenticate(ws, "alice", "another-secret")


def test_user_changes_are_audited_under_the_actor(ws: Workspace) -> None:
    add_user(ws, "alice", "viewer", "s3cret-enough")
    set_role(ws, "alice", "reviewer")
    actions = [(e.analyst, e.action, e.object_id) for e in ws.audit_entries()[-2:]]
    assert actions == [("boss", "user.add", "alice"), ("boss", "user.set_role", "alice")]
    assert [u.role for u in list_users(ws)] == ["reviewer"]
    assert ws.verify_audit() == []


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(max_failures=2, window_s=10, clock=lambda: now[0])
    limiter.failed("u")
    limiter.failed("u")
    with pytest.raises(RateLimitedError) as err:
        limiter.check("u")
    assert err.value.retry_after == 10
    limiter.check("other")
    now[0] = 10.5
    limiter.check("u")


def test_logins_are_audited_under_the_user(ws: Workspace) -> None:
    user = add_user(ws, "alice", "viewer", "s3cret-enough")
    _, session = create_session(ws, user, "bearer")
    revoke_session(ws, session)
    assert [(e.analyst, e.action) for e in ws.audit_entries()[-2:]] == [
        ("alice", "user.login"),
        ("alice", "user.logout"),
    ]
