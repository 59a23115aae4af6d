"""Authorisation matrix: every role × every state-changing route, discovered from the app's routes.

A route added without a role requirement fails :func:`test_every_route_declares_a_role`; a route
whose role check is wrong fails the matrix. CSRF: the same routes refuse a cookie request without
the session's token, and accept a bearer request without one.
"""

from __future__ import annotations

import re

import pytest
from tests.web.conftest import Case

from armswatch.auth.roles import ROLES, allows
from armswatch.auth.session import create_session
from armswatch.auth.users import get_user
from armswatch.web.app import route_table
from armswatch.web.routes.auth import PUBLIC_STATE_CHANGING

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_READS = {"/login", "/api/v1/docs"}


def _routes(case: Case, state_changing: bool) -> list[tuple[str, str, str | None]]:
    out = []
    for r in route_table(case.app):
        for method in r["methods"]:
            if method == "HEAD" or ((method in STATE_CHANGING) != state_changing):
                continue
            out.append((method, r["path"], r["role"]))
    return out


def _fill(case: Case, path: str) -> str:
    values = {
        "finding_id": case.findings["gap"],
        "name": "nobody",
        "job_id": "job-0",
        "mmsi": "273450000",
        "site_id": "rajin-port",
        "entity_id": "pine-co",
        "artifact_id": "0" * 12,
        "item_id": "no-such-item",
        "candidate_id": case.findings["gap"],
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_route_discovery_finds_the_review_routes(case: Case) -> None:
    paths = {(m, p) for m, p, _ in _routes(case, True)}
    assert ("POST", "/api/v1/findings/{finding_id}/reviews") in paths
    assert ("POST", "/findings/{finding_id}/review") in paths
    assert len(paths) >= 12


def test_every_route_declares_a_role(case: Case) -> None:
    for method, path, role in _routes(case, True):
        assert role is not None or path in PUBLIC_STATE_CHANGING, f"{method} {path} declares no role"
    for method, path, role in _routes(case, False):
        assert role is not None or path in PUBLIC_READS, f"{method} {path} declares no role"


@pytest.mark.parametrize("role", ROLES)
def test_matrix_state_changing_routes(case: Case, role: str) -> None:
    """Each role gets 403 exactly where its role is below the route's; elsewhere never 401/403."""
    user = get_user(case.ws, role)
    for method, path, needed in _routes(case, True):
        if needed is None:
            continue
        token, session = create_session(case.ws, user, "cookie")  # a throwaway session (logout revokes it)
        client = case.client()
        client.cookies.set("aw_session", token)
        r = client.request(method, _fill(case, path), headers={"X-CSRF-Token": session.csrf_token})
        if allows(role, needed):
            assert r.status_code not in (401, 403), f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
        else:
            assert r.status_code == 403, f"{role} {method} {path}: {r.status_code} (needs {needed})"


@pytest.mark.parametrize("role", ROLES)
def test_matrix_read_routes(case: Case, role: str) -> None:
    """Every page and read endpoint: each role reads what its role allows (viewer reads everything but
    the admin pages) and gets 403 only where its role is below the route's."""
    client = case.client(role, bearer=True)
    for method, path, needed in _routes(case, False):
        if needed is None:
            continue
        r = client.request(method, _fill(case, path), follow_redirects=False)
        if allows(role, needed):
            assert r.status_code not in (401, 403), f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
        else:
            assert r.status_code == 403, f"{role} {method} {path}: {r.status_code} (needs {needed})"


def test_new_routes_are_in_the_matrix(case: Case) -> None:
    writes = {(m, p): role for m, p, role in _routes(case, True)}
    reads = {(m, p): role for m, p, role in _routes(case, False)}
    assert writes[("POST", "/api/v1/evidence")] == "analyst"
    assert writes[("POST", "/evidence")] == "analyst"
    assert writes[("POST", "/evidence/{artifact_id}/verify")] == "analyst"
    assert writes[("POST", "/api/v1/munitions/{item_id}/links")] == "analyst"
    assert writes[("POST", "/munitions/{item_id}/link")] == "analyst"
    assert writes[("POST", "/violations/{candidate_id}/review")] == "reviewer"
    for path in (
        "/evidence",
        "/evidence/{artifact_id}/details",
        "/evidence/{artifact_id}/thumbnail",
        "/custody",
        "/munitions",
        "/munitions/{item_id}",
        "/violations",
        "/violations/{candidate_id}",
        "/violations/provisions",
        "/api/v1/evidence",
        "/api/v1/evidence/{artifact_id}",
        "/api/v1/custody",
        "/api/v1/munitions",
        "/api/v1/munitions/{item_id}",
        "/api/v1/violations",
        "/api/v1/violations/{candidate_id}",
        "/api/v1/provisions",
    ):
        assert reads[("GET", path)] == "viewer", path


def test_unauthenticated_requests_get_401_or_the_login_page(case: Case) -> None:
    client = case.client()
    for method, path, needed in _routes(case, True) + _routes(case, False):
        if needed is None:
            continue
        r = client.request(method, _fill(case, path), follow_redirects=False)
        if path.startswith("/api/") or method != "GET":
            assert r.status_code == 401, f"{method} {path}: {r.status_code}"
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


def test_cookie_requests_without_csrf_token_are_refused(case: Case) -> None:
    user = get_user(case.ws, "admin")
    for method, path, needed in _routes(case, True):
        if needed is None:
            continue
        token, _ = create_session(case.ws, user, "cookie")
        client = case.client()
        client.cookies.set("aw_session", token)
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            r = client.request(method, _fill(case, path), headers=headers)
            assert r.status_code == 403 and "CSRF" in r.text, f"{method} {path} {headers}: {r.status_code}"
        form = client.request(method, _fill(case, path), data={"csrf_token": "wrong"})
        assert form.status_code == 403, f"{method} {path} (form with a wrong token)"


def test_bearer_requests_need_no_csrf_token(case: Case) -> None:
    client = case.client("admin", bearer=True)
    r = client.post(
        "/api/v1/findings/" + case.findings["match"] + "/annotations", json={"body": "bearer note"}
    )
    assert r.status_code == 201, r.text


def test_cookie_session_token_is_not_a_bearer_token(case: Case) -> None:
    client = case.client()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {case.sessions['admin'][0]}"})
    assert r.status_code == 401


def test_login_form_needs_its_token(case: Case) -> None:
    client = case.client()
    r = client.post("/login", data={"username": "viewer", "password": "correct horse battery"})
    assert r.status_code == 403
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": "correct horse battery",
            "login_token": token.group(1),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue"  # no open redirect
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
