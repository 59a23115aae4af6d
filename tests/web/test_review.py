"""Reviews through the API and the pages: roles, the second-pair-of-eyes rule, the audit log."""

from __future__ import annotations

from tests.web.conftest import Case


def test_reviewer_confirms_through_the_api_and_the_audit_log_names_them(fresh_case: Case) -> None:
    c = fresh_case
    client = c.client("reviewer")
    fid = c.findings["gap"]
    r = client.post(
        f"/api/v1/findings/{fid}/reviews",
        json={"status": "confirmed", "note": "seen on imagery"},
        headers={"X-CSRF-Token": c.csrf("reviewer")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["analyst"] == "reviewer"
    got = client.get(f"/api/v1/findings/{fid}").json()
    assert got["status"] == "confirmed"
    assert [(x["analyst"], x["status_to"], x["note"]) for x in got["reviews"]] == [
        ("reviewer", "confirmed", "seen on imagery")
    ]
    last = c.ws.audit_entries()[-1]
    assert (last.analyst, last.action, last.object_id) == ("reviewer", "finding.review", fid)


def test_nobody_confirms_their_own_finding(fresh_case: Case) -> None:
    c = fresh_case
    client = c.client("ana")
    fid = c.findings["gap"]
    r = client.post(
        f"/api/v1/findings/{fid}/reviews",
        json={"status": "confirmed"},
        headers={"X-CSRF-Token": c.csrf("ana")},
    )
    assert r.status_code == 403 and "second pair of eyes" in r.json()["detail"]
    assert c.ws.get_finding(fid).status == "new"
    r = client.post(
        f"/api/v1/findings/{fid}/reviews",
        json={"status": "rejected", "note": "my mistake"},
        headers={"X-CSRF-Token": c.csrf("ana")},
    )
    assert r.status_code == 201
    page = client.get(f"/findings/{fid}")
    assert 'id="confirm-button" disabled' in page.text


def test_bulk_review_from_the_queue_form(fresh_case: Case) -> None:
    c = fresh_case
    client = c.client("reviewer")
    ids = [c.findings["gap"], c.findings["match"]]
    r = client.post(
        "/queue/review",
        data={"csrf_token": c.csrf("reviewer"), "status": "rejected", "ids": ids, "note": "dup"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert {c.ws.get_finding(i).status for i in ids} == {"rejected"}
    assert c.ws.get_finding(c.findings["change"]).status == "new"


def test_analyst_adds_a_note_with_an_evidence_file(fresh_case: Case) -> None:
    c = fresh_case
    client = c.client("analyst")
    fid = c.findings["change"]
    r = client.post(
        f"/findings/{fid}/annotate",
        data={"csrf_token": c.csrf("analyst"), "body": "Planet image agrees"},
        files={"evidence": ("../../etc/passwd", b"photo bytes", "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/findings/{fid}")
    assert "Planet image agrees" in page.text
    art = [a for a in c.ws.list_artifacts() if a.metadata.get("uploaded_by") == "analyst"]
    assert len(art) == 1 and "/" not in art[0].name
    assert c.ws.audit_entries()[-1].action == "annotation.add"


def test_notes_on_sites_vessels_and_entities(fresh_case: Case) -> None:
    c = fresh_case
    client = c.client("analyst")
    r = client.post(
        "/notes",
        data={
            "csrf_token": c.csrf("analyst"),
            "subject": "site:rajin-port",
            "body": "<b>new crane</b> on pier 3",
            "back": "/sites/rajin-port",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/sites/rajin-port"
    assert "&lt;b&gt;new crane&lt;/b&gt; on pier 3" in client.get("/sites/rajin-port").text
    api = c.client("analyst", bearer=True)
    assert (
        api.post(
            "/api/v1/annotations", json={"subject": "entity:pine-co", "body": "same director"}
        ).status_code
        == 201
    )
    assert "same director" in client.get("/entities/pine-co").text
    assert api.post("/api/v1/annotations", json={"subject": "elsewhere", "body": "x"}).status_code == 400
    assert (
        c.client("viewer", bearer=True)
        .post("/api/v1/annotations", json={"subject": "site:rajin-port", "body": "x"})
        .status_code
        == 403
    )
    assert c.ws.audit_entries()[-1].analyst == "analyst"
