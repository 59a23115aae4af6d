"""What a first hour on real data found, as read-model and page checks (the browser checks are in
``test_browser_firsthour.py``): the vessels list and the events list (hundreds of rows, paginated),
a vessel track that is not drawn across a five-month hole, a site's scenes and change series, the map
opening on the case's data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Case
from tests.web.harbour import (
    CYRILLIC,
    EVENTS,
    GAPPY,
    HANGUL,
    MMSI0,
    SITE,
    VESSELS,
    XSS,
    Harbour,
    build_harbour,
)

from armswatch.auth.ratelimit import LoginLimiter
from armswatch.auth.session import create_session
from armswatch.auth.users import get_user
from armswatch.web.app import create_app


@pytest.fixture(scope="module")
def harbour(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harbour]:
    h = build_harbour(tmp_path_factory.mktemp("harbour"))
    yield h
    h.ws.close()


@pytest.fixture(scope="module")
def client(harbour: Harbour) -> TestClient:
    app = create_app(harbour.ws, limiter=LoginLimiter(max_failures=3, window_s=60))
    c = TestClient(app, base_url="http://127.0.0.1")
    token, _ = create_session(harbour.ws, get_user(harbour.ws, "viewer"), "cookie")
    c.cookies.set("aw_session", token)
    return c


def test_vessels_api_paginates_filters_and_sorts(client: TestClient) -> None:
    first = client.get("/api/v1/vessels?sort=mmsi").json()
    assert first["total"] == VESSELS and len(first["items"]) == 50
    assert [v["mmsi"] for v in first["items"][:3]] == [MMSI0, MMSI0 + 1, MMSI0 + 2]
    last = client.get("/api/v1/vessels?sort=mmsi&offset=100").json()
    assert len(last["items"]) == VESSELS - 100
    # the gappy vessel has the most positions (two more in June); events are counted per vessel
    top = client.get("/api/v1/vessels?sort=positions&limit=1").json()["items"][0]
    assert top["mmsi"] == GAPPY and top["positions"] == 8 and top["events"] == EVENTS // 5
    assert top["first_seen"].startswith("2020-06-30") and top["last_seen"].startswith("2020-12-01")
    # a name part in any case and script, or the first digits of an MMSI
    assert [v["mmsi"] for v in client.get("/api/v1/vessels", params={"q": "ледокол"}).json()["items"]] == [
        MMSI0 + 1
    ]
    assert [v["name"] for v in client.get("/api/v1/vessels", params={"q": HANGUL}).json()["items"]] == [
        HANGUL
    ]
    assert client.get("/api/v1/vessels", params={"q": str(MMSI0 + 11)}).json()["total"] == 1
    assert client.get("/api/v1/vessels?sort=bogus").status_code == 400


def test_vessels_page_escapes_names_and_pages(client: TestClient) -> None:
    page = client.get("/vessels?q=ЛЕДОКОЛ")
    assert page.status_code == 200
    assert XSS not in page.text and "ЛЕДОКОЛ &lt;script&gt;" in page.text
    assert client.get("/vessels?sort=mmsi").text.count('class="vessel-row"') == 50
    second = client.get("/vessels?sort=mmsi&offset=50").text
    assert f'data-mmsi="{MMSI0 + 50}"' in second and "51–100 of 120" in second
    assert "No vessel matches" in client.get("/vessels?q=nothing-like-this").text


def test_events_page_lists_names_filters_and_pages(client: TestClient) -> None:
    text = client.get("/events").text
    assert text.count('class="event-row') == 50 and f"1–50 of {EVENTS}" in text
    assert CYRILLIC not in text and "ЛЕДОКОЛ &lt;script&gt;" in text  # the vessel's name, escaped
    assert XSS not in text  # details are data, not markup
    gaps = client.get("/events?type=gap").text
    assert gaps.count('class="event-row ev-gap"') == EVENTS // 3 and "ev-port_call" not in gaps
    assert client.get(f"/events?mmsi={MMSI0 + 1}").text.count('class="event-row') == EVENTS // 5
    assert client.get("/events?mmsi=12").status_code == 400
    assert client.get("/events?type=party").status_code == 400


def test_vessel_track_is_cut_where_the_vessel_was_not_heard(client: TestClient) -> None:
    t = client.get(f"/api/v1/vessels/{GAPPY}/track").json()
    assert t["geometry"]["type"] == "MultiLineString" and len(t["geometry"]["coordinates"]) == 2
    (leg,) = t["properties"]["dark_legs"]
    assert leg["start"].startswith("2020-06-30T00:30") and leg["end"].startswith("2020-12-01T00:00")
    assert leg["hours"] > 3000
    one = client.get(f"/api/v1/vessels/{MMSI0 + 3}/track").json()
    assert len(one["geometry"]["coordinates"]) == 1 and one["properties"]["dark_legs"] == []


def test_site_page_shows_scenes_quicklooks_and_the_change_series(
    client: TestClient, harbour: Harbour
) -> None:
    data = client.get(f"/api/v1/sites/{SITE}/imagery").json()
    assert [s["usable"] for s in data["scenes"]] == [0.0, 1.0, 1.0]
    assert [s["in_series"] for s in data["scenes"]] == [False, True, True]
    assert len(data["series"]) == 1
    page = client.get(f"/sites/{SITE}").text
    assert page.count('class="scene-row"') == 3 and 'id="site-series"' in page
    png = client.get(f"/api/v1/scenes/{harbour.scenes[1]}/quicklook?px=64")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    import io

    from PIL import Image

    assert max(Image.open(io.BytesIO(png.content)).size) <= 64
    # any other artifact, or a scene without colour bands, is not a quicklook
    assert client.get("/api/v1/scenes/sha256:" + "0" * 64 + "/quicklook").status_code == 404
    assert "No scenes stored for this site" not in page


def test_map_opens_on_the_cases_data(client: TestClient) -> None:
    html = client.get("/map").text
    ext = html.split('data-ais-extent="')[1].split('"')[0]
    w, s, e, n = (float(x) for x in ext.split(","))
    assert -75 < w <= e < -73 and 40 < s <= n < 41  # New York harbour, not the Korean default
    assert 'data-at="40.70000,-74.00000"' in client.get("/map?at=40.7,-74").text
    assert client.get("/map?at=95,0").status_code == 400
    assert client.get("/map?at=abc").status_code == 400


def test_new_pages_need_a_session(harbour: Harbour) -> None:
    anon = TestClient(create_app(harbour.ws), base_url="http://127.0.0.1")
    for path in ("/api/v1/vessels", f"/api/v1/sites/{SITE}/imagery", "/api/v1/scenes/x/quicklook"):
        assert anon.get(path).status_code == 401
    for path in ("/vessels", "/events"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code in (303, 307) and "/login" in r.headers["location"]


def test_empty_case_says_what_to_do(cheap_argon2: None, tmp_path: Path) -> None:
    from armswatch.workspace import Workspace

    ws = Workspace.init(tmp_path / "empty", analyst="ana")
    from armswatch.auth.users import add_user

    user = add_user(ws, "v", "viewer", "pw-long-enough")
    c = TestClient(create_app(ws), base_url="http://127.0.0.1")
    c.cookies.set("aw_session", create_session(ws, user, "cookie")[0])
    assert "No AIS in this case yet" in c.get("/vessels").text
    assert "No stored events" in c.get("/events").text
    assert 'data-ais-extent=""' in c.get("/map").text
    ws.close()


def test_serve_warms_the_caches_a_first_click_would_wait_for(
    fresh_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the real lists the first entity page took 12 s and the first search 6 s after a start."""
    from armswatch.entities import graph
    from armswatch.matching import index
    from armswatch.web.warmup import warm_up

    assert warm_up(fresh_case.ws) == [
        "base map",
        "hourly tracks",
        "vessel table",
        "name index",
        "entity graph",
    ]

    def rebuilt(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt after the warm-up")

    monkeypatch.setattr(index.CandidateIndex, "__init__", rebuilt)
    monkeypatch.setattr(graph, "build_graph", rebuilt)
    c = fresh_case.client("viewer")
    assert "Pine Shipping LLC" in c.get("/search?q=Pine Shipping").text
    assert c.get("/entities/pine-co").status_code == 200


def test_one_value_is_computed_once_when_asked_twice_at_once() -> None:
    import threading

    from armswatch.web.query.cache import cached

    started, release, calls = threading.Event(), threading.Event(), []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(cached("t", "once", "fp", slow)))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: results.append(cached("t", "once", "fp", slow)))
    second.start()
    second.join(0.3)  # let it reach the cache while the first computes (passes either way with the lock)
    release.set()
    first.join(10)
    second.join(10)
    assert results == [42, 42] and len(calls) == 1


def test_the_last_active_admin_cannot_lock_everyone_out(fresh_case: Case) -> None:
    """An admin clicking Disable (or another role) on their own row left the workbench without an admin."""
    from armswatch.auth.users import get_user

    c = fresh_case.client("admin")
    token = {"csrf_token": fresh_case.csrf("admin")}
    r = c.post("/admin/users/admin/disable", data=token, follow_redirects=False)
    assert r.status_code == 400 and "only active admin" in r.text
    r = c.post("/admin/users/admin/role", data={**token, "role": "viewer"}, follow_redirects=False)
    assert r.status_code == 400
    assert not get_user(fresh_case.ws, "admin").disabled and get_user(fresh_case.ws, "admin").role == "admin"
    # with a second admin it is allowed; a disabled account can be enabled again from the page
    assert (
        c.post("/admin/users/ana/role", data={**token, "role": "admin"}, follow_redirects=False).status_code
        == 303
    )
    assert c.post("/admin/users/viewer/disable", data=token, follow_redirects=False).status_code == 303
    page = c.get("/admin/users").text
    assert 'id="enable-viewer"' in page and 'id="disable-viewer"' not in page
    assert c.post("/admin/users/viewer/enable", data=token, follow_redirects=False).status_code == 303
    assert not get_user(fresh_case.ws, "viewer").disabled
    assert c.post("/admin/users/admin/disable", data=token, follow_redirects=False).status_code == 303


def test_a_vessel_never_heard_is_not_found(client: TestClient) -> None:
    """An MMSI nobody broadcast opened an empty 'Unnamed vessel' page when its partition bucket had others."""
    assert client.get(f"/vessels/{MMSI0 + VESSELS + 1000}").status_code == 404
    assert client.get(f"/api/v1/vessels/{MMSI0 + 5}").status_code == 200


def test_a_mistyped_address_gets_the_error_page_not_json(client: TestClient) -> None:
    r = client.get("/queue?offset=-1")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "offset: Input should be greater than or equal to 0" in r.text
    r = client.get("/vesels")
    assert (
        r.status_code == 404 and r.headers["content-type"].startswith("text/html") and "Not found" in r.text
    )
    # the API keeps its JSON answers
    assert client.get("/api/v1/findings?offset=-1").json()["detail"][0]["loc"] == ["query", "offset"]
    assert client.get("/api/v1/nope").json() == {"detail": "Not Found"}
    bad = client.get("/events?offset=x<b>")
    assert bad.status_code == 422 and "<b>" not in bad.text


def test_search_says_when_it_shows_only_the_best_hits(client: TestClient) -> None:
    """``KIM`` on the real OFAC list matched far more than the 25 shown, and the page did not say so."""
    page = client.get("/search?q=HARBOUR").text
    assert 'id="vessel-more"' in page and f"25 of {VESSELS - 2}" in page  # two are named otherwise
    assert '<a href="/vessels?q=HARBOUR">' in page
    data = client.get("/api/v1/search?q=HARBOUR").json()
    assert len(data["vessels"]) == 25 and data["totals"]["vessels"] == VESSELS - 2
    # an MMSI heard but never named is a vessel; one never heard is not
    assert [v["mmsi"] for v in client.get(f"/api/v1/search?q={MMSI0 + 3}").json()["vessels"]] == [MMSI0 + 3]
    assert client.get(f"/api/v1/search?q={MMSI0 + VESSELS + 1000}").json()["vessels"] == []


def test_a_timeline_day_opens_the_findings_it_counts(case: Case) -> None:
    """On the real case the timeline counted 4 list matches (no time of their own) on the day they were
    made, and its link opened an empty queue: the link filtered on the findings' own intervals."""
    c = case.client("viewer")
    page = c.get("/timeline").text
    links = re.findall(r'href="(/queue\?day=[0-9-]+)" title="[0-9-]+: ([0-9]+) findings"', page)
    assert links
    for link, n in links:
        assert f'id="total">{n}<' in c.get(link).text, link
    assert case.findings["match"] in c.get(links[-1][0]).text  # the match without a time is on its day
    assert c.get("/queue?day=2024-3-1").status_code == 400
    assert c.get("/api/v1/findings?day=2024-03-01").json()["total"] == 2  # the change and the gap start then


def test_latest_activity_folds_runs_of_bookkeeping(harbour: Harbour, client: TestClient) -> None:
    from armswatch.web.query.timeline import recent_activity

    rows = recent_activity(harbour.ws)
    (users,) = [r for r in rows if r["action"] == "user.add"]  # four accounts in a row: one line
    assert users["count"] == 4 and users["seq"] - users["first_seq"] == 3
    assert sum(r["count"] for r in rows) == harbour.ws.audit_head()[0]  # nothing dropped, only folded
    assert 'user.add <b class="times">× 4</b>' in client.get("/timeline").text


def test_entity_properties_that_name_entities_are_links(fresh_case: Case) -> None:
    """The real OFAC records list ``addressEntity ofac-addr-9345-11532``: bare ids an analyst cannot open."""
    import json
    from datetime import date

    from armswatch.entities.ingest import import_list

    ftm = fresh_case.root / "linked.ftm.json"
    rows = [
        {"id": "acme", "schema": "Company", "properties": {"name": ["Acme"], "addressEntity": ["acme-addr"]}},
        {"id": "acme-addr", "schema": "Address", "properties": {"full": ["1 Main St"]}},
    ]
    ftm.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    import_list(fresh_case.ws, ftm, format="ftm", dataset="linked", list_date=date(2024, 1, 1))
    c = fresh_case.client("viewer")
    assert '<a href="/entities/acme-addr">acme-addr</a>' in c.get("/entities/acme").text
    assert c.get("/entities/acme-addr").status_code == 200
    assert '<a href="/entities/Acme">' not in c.get("/entities/acme").text  # a name is not a link


def test_analyses_page_lists_the_runs_recorded_in_the_case(case: Case) -> None:
    """After a restart the page said "No analyses started" over a case of imports, ingests and runs."""
    page = case.client("viewer").get("/jobs").text
    assert page.count('class="run-row"') >= 1 and "test.analysis" in page
    assert "Runs recorded in the case (" in page


def test_a_match_shows_the_list_entry_a_reviewer_compares(fresh_case: Case) -> None:
    """A real match page showed score, dataset and entity id; the birth date, citizenship, passport and
    programme the reviewer must compare were a click away."""
    import json
    from datetime import date

    from armswatch.entities.ingest import import_list

    ftm = fresh_case.root / "people.ftm.json"
    person = {"id": "ri-won-ho", "schema": "Person", "properties": {"name": ["RI, Won Ho"], "birthDate": ["1964-07-17"], "passportNumber": ["381310014"], "nationality": ["kp"]}}  # fmt: skip
    ftm.write_text(json.dumps(person) + "\n", encoding="utf-8")
    import_list(fresh_case.ws, ftm, format="ftm", dataset="people", list_date=date(2024, 1, 1))
    with fresh_case.ws.run("entities.screen", parameters={}) as run:
        fid = run.add_finding(kind="entities.match", title="Ri Won Ho matches RI, Won Ho", subjects=["q1", "entity:ri-won-ho"], confidence="likely")  # fmt: skip
    page = fresh_case.client("viewer").get(f"/findings/{fid}").text
    assert 'class="list-entry" data-id="ri-won-ho"' in page
    for text in ("1964-07-17", "381310014", "people listed since 2024-01-01"):
        assert text in page, text
    evil = fresh_case.client("viewer").get(f"/findings/{fresh_case.findings['match']}").text
    assert 'data-id="evil-co"' in evil and XSS not in evil and "gives no birth date" in evil
