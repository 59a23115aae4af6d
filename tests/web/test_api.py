"""The JSON API: login, filters and pagination, one finding, sites, vessels, entities, events."""

from __future__ import annotations

import polars as pl
from tests.web.conftest import MMSI, PASSWORD, T0, Case

from armswatch.web.query.events import save_events


def test_login_returns_a_bearer_token_and_sets_the_cookie(case: Case) -> None:
    client = case.client()
    r = client.post("/api/v1/login", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "viewer" and body["token"]
    cookie = r.headers["set-cookie"].lower()
    assert "aw_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    me = case.client().get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {"user": "viewer", "role": "viewer"}


def test_wrong_password_is_401_then_rate_limited(fresh_case: Case) -> None:
    client = fresh_case.client()
    codes = [
        client.post("/api/v1/login", json={"username": "viewer", "password": "nope"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    r = client.post("/api/v1/login", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # even the right password waits


def test_findings_filters_and_pagination(case: Case) -> None:
    client = case.client("viewer", bearer=True)
    all_ = client.get("/api/v1/findings").json()
    assert all_["total"] == 3
    assert client.get("/api/v1/findings?kind=ais").json()["total"] == 1
    assert client.get("/api/v1/findings?site=evil-site").json()["items"][0]["id"] == case.findings["change"]
    assert client.get(f"/api/v1/findings?subject=vessel:mmsi:{MMSI}").json()["total"] == 1
    assert client.get("/api/v1/findings?confidence=likely").json()["total"] == 1
    assert (
        client.get("/api/v1/findings?start=2024-03-03&end=2024-04-01").json()["total"] == 1
    )  # only the 30-day change
    page1 = client.get("/api/v1/findings?limit=2").json()
    page2 = client.get("/api/v1/findings?limit=2&offset=2").json()
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert {i["id"] for i in page1["items"] + page2["items"]} == set(case.findings.values())
    assert client.get("/api/v1/findings?status=maybe").status_code == 400
    assert client.get("/api/v1/findings?limit=0").status_code == 422


def test_unknown_ids_are_404(case: Case) -> None:
    client = case.client("viewer", bearer=True)
    assert client.get("/api/v1/findings/fnd-nope").status_code == 404
    assert client.get("/api/v1/entities/nope").status_code == 404
    assert client.get("/api/v1/vessels/123").status_code == 400
    assert client.get("/api/v1/vessels/999999999").status_code == 404


def test_sites_vessel_entity(case: Case) -> None:
    client = case.client("viewer", bearer=True)
    sites = client.get("/api/v1/sites").json()["features"]
    rajin = next(s for s in sites if s["properties"]["id"] == "rajin-port")
    assert rajin["properties"]["precision_radius_m"] == 5000.0
    v = client.get(f"/api/v1/vessels/{MMSI}").json()
    assert v["name"] == "SIM PINE" and v["imo"] == ["9123453"]
    assert [f["id"] for f in v["findings"]] == [case.findings["gap"]]
    track = client.get(f"/api/v1/vessels/{MMSI}/track").json()
    assert track["properties"]["positions"] == 60 and [len(p) for p in track["geometry"]["coordinates"]] == [
        60
    ]
    e = client.get("/api/v1/entities/pine-co").json()
    assert e["caption"] == "Pine Shipping LLC" and e["listings"][0]["status"] == "listed"


def test_map_tracks_are_hourly_never_every_position(case: Case) -> None:
    client = case.client("viewer", bearer=True)
    doc = client.get("/api/v1/map/tracks?bbox=120,30,140,50").json()
    ours = [f for f in doc["features"] if f["properties"]["mmsi"] == MMSI]
    points = sum(len(f["geometry"]["coordinates"]) for f in ours)
    assert 0 < points <= 11  # 60 fixes over 10 hours: one point per vessel-hour
    assert client.get("/api/v1/map/tracks?bbox=0,0,1,1").json()["features"] == []
    assert client.get("/api/v1/map/tracks?bbox=1,2,3").status_code == 400


def test_events_filters_and_bbox(fresh_case: Case) -> None:
    c = fresh_case
    from armswatch.maritime.event import EVENT_SCHEMA

    frame = pl.DataFrame(
        {
            "event_type": ["gap", "port_call"],
            "mmsi": [MMSI, 1],
            "other_mmsi": [None, None],
            "start_utc": [T0, T0],
            "end_utc": [T0, T0],
            "lat": [42.0, 10.0],
            "lon": [130.5, 10.0],
            "duration_h": [31.0, 5.0],
            "port": [None, "X"],
            "details": [None, None],
        },
        schema=EVENT_SCHEMA,
    )
    save_events(c.ws, "run-x", frame)
    client = c.client("viewer", bearer=True)
    assert client.get("/api/v1/events").json()["total"] == 2
    assert [e["event_type"] for e in client.get("/api/v1/events?bbox=120,30,140,50").json()["items"]] == [
        "gap"
    ]
    assert client.get("/api/v1/events?type=port_call").json()["items"][0]["port"] == "X"
    assert client.get(f"/api/v1/events?mmsi={MMSI}").json()["total"] == 1
    assert client.get("/api/v1/events?type=nonsense").status_code == 400


def test_openapi_documents_the_api(case: Case) -> None:
    spec = case.client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/login",
        "/api/v1/findings",
        "/api/v1/findings/{finding_id}",
        "/api/v1/findings/{finding_id}/reviews",
        "/api/v1/sites",
        "/api/v1/vessels/{mmsi}",
        "/api/v1/entities/{entity_id}",
        "/api/v1/events",
    ):
        assert path in spec["paths"], path
    assert not any(p.startswith("/queue") for p in spec["paths"])


def test_search_by_name_in_any_script_imo_and_mmsi(case: Case) -> None:
    client = case.client("viewer", bearer=True)
    assert [e["id"] for e in client.get("/api/v1/search?q=Pine Shipping").json()["entities"]][:1] == [
        "pine-co"
    ]
    assert [v["mmsi"] for v in client.get("/api/v1/search?q=IMO 9123453").json()["vessels"]] == [MMSI]
    assert [v["mmsi"] for v in client.get(f"/api/v1/search?q={MMSI}").json()["vessels"]] == [MMSI]
    assert [s["id"] for s in client.get("/api/v1/search?q=rajin").json()["sites"]] == ["rajin-port"]
