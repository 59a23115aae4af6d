"""The workbench applies entity resolution: the entity page of a record an analyst resolved with
others (or of its ``res-…`` id) shows the resolved entity, search gives one hit per resolved entity,
and an undo brings the records back apart. Roles, CSRF and escaping on the new and changed routes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import XSS, Case, build_case

from armswatch.auth.roles import ROLES, allows
from armswatch.entities.ingest import import_list
from armswatch.entities.resolution import resolve, undo

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
NOTE = f"same registration number {XSS}"


def _ftm(path: Path, entities: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n", encoding="utf-8")
    return path


def add_second_list(case: Case) -> None:
    """A second list: Pine Shipping again (another id, a Hangul name, a registration number), owned by
    a designated company, and a record with markup in its name."""
    path = _ftm(
        case.root / "other.ftm.json",
        [
            {"id": "pine-2", "schema": "Company",
             "properties": {"name": ["PINE SHIPPING L.L.C."], "alias": ["파인 해운"], "registrationNumber": ["RN-77123"]}},
            {"id": "holding", "schema": "Company", "properties": {"name": ["Evergreen Holding Corp"]}},
            {"id": "own-1", "schema": "Ownership", "properties": {"owner": ["holding"], "asset": ["pine-2"]}},
            {"id": "sanc-1", "schema": "Sanction",
             "properties": {"entity": ["holding"], "authority": ["Test authority"], "program": ["DPRK"],
                            "listingDate": ["2023-05-01"]}},
            {"id": "evil-2", "schema": "Company", "properties": {"name": [f"{XSS} Trading"]}},
        ],
    )  # fmt: skip
    import_list(case.ws, path, format="ftm", dataset="other", list_date=date(2024, 2, 1))


@pytest.fixture()
def rcase(cheap_argon2: None, tmp_path: Path) -> Iterator[Case]:
    c = build_case(tmp_path)
    add_second_list(c)
    yield c
    c.ws.close()


def _pine_hits(case: Case) -> list[dict[str, Any]]:
    hits = case.client("viewer", bearer=True).get("/api/v1/search?q=Pine Shipping").json()["entities"]
    return [h for h in hits if "pine" in h["name"].lower()]


def test_search_gives_one_hit_per_resolved_entity_and_undo_splits_it(rcase: Case) -> None:
    before = _pine_hits(rcase)
    assert sorted(h["id"] for h in before) == ["pine-2", "pine-co"]
    assert all(h["records"] == 1 for h in before)
    j = resolve(rcase.ws, "pine-co", "pine-2", same=True, note=NOTE)
    after = _pine_hits(rcase)
    assert len(after) == 1, after
    assert after[0]["id"].startswith("res-") and after[0]["records"] == 2
    assert sorted(after[0]["members"]) == ["pine-2", "pine-co"]
    page = rcase.client("viewer").get("/search", params={"q": "Pine Shipping"}).text
    assert "resolved: 2 records" in page and f'href="/entities/{after[0]["id"]}"' in page
    # by the registration-free route too: the Hangul alias of one record finds the resolved entity
    hangul = rcase.client("viewer", bearer=True).get("/api/v1/search", params={"q": "파인 해운"}).json()
    assert [h["id"] for h in hangul["entities"]][:1] == [after[0]["id"]]
    undo(rcase.ws, "pine-co", "pine-2")
    again = _pine_hits(rcase)
    assert sorted(h["id"] for h in again) == ["pine-2", "pine-co"] and all(h["records"] == 1 for h in again)
    assert j.analyst == "ana"


def test_entity_page_of_a_resolved_entity_and_of_its_records(rcase: Case) -> None:
    client = rcase.client("viewer")
    single = client.get("/entities/pine-co").text
    assert 'id="resolved-banner"' not in single and "Evergreen Holding" not in single  # no path yet
    j = resolve(rcase.ws, "pine-co", "pine-2", same=True, note=NOTE)
    cid = rcase.client("viewer", bearer=True).get("/api/v1/entities/pine-co").json()["id"]
    assert cid.startswith("res-")
    for path in (f"/entities/{cid}", "/entities/pine-co", "/entities/pine-2"):
        r = client.get(path)
        assert r.status_code == 200, path
        html = r.text
        assert 'id="resolved-banner"' in html and "2 records" in html
        # every source record, with its list and a link to it
        rows = re.findall(r'<tr id="record-([^"]+)" class="record', html)
        assert rows == ["pine-2", "pine-co"]
        assert 'href="/entities/pine-2"' in html and 'href="/entities/pine-co"' in html
        assert "other: listed since 2024-02-01" in html and "test: listed since 2024-01-01" in html
        # names by script, identifiers, who decided and when, the note escaped
        assert "Hangul" in html and "파인 해운" in html and "Pine Shipping LLC" in html
        assert "RN-77123" in html
        assert "<b>ana</b> judged" in html and j.created_at[:10] in html
        assert XSS not in html and ESCAPED in html
        # the chain to the designated owner exists only over the resolved entity
        assert "Evergreen Holding Corp" in html and "Test authority" in html
    assert 'class="record asked"' in client.get("/entities/pine-2").text.split('id="record-pine-2"')[1][:40]
    undo(rcase.ws, "pine-co", "pine-2")
    assert client.get(f"/entities/{cid}").status_code == 404
    gone = rcase.client("viewer", bearer=True).get(f"/api/v1/entities/{cid}")
    assert gone.status_code == 404 and "undone" in gone.json()["detail"]
    apart = client.get("/entities/pine-co").text
    assert 'id="resolved-banner"' not in apart and "Evergreen Holding" not in apart


def test_api_entity_of_a_resolved_entity(rcase: Case) -> None:
    api = rcase.client("viewer", bearer=True)
    assert api.get("/api/v1/entities/res-000000000000").status_code == 404
    j = resolve(rcase.ws, "pine-2", "pine-co", same=True, note="same registration")
    e = api.get("/api/v1/entities/pine-2").json()
    assert e["resolved"] and e["asked"] == "pine-2" and e["id"].startswith("res-")
    assert [r["id"] for r in e["records"]] == ["pine-2", "pine-co"]
    assert {r["id"]: r["datasets"] for r in e["records"]} == {"pine-2": ["other"], "pine-co": ["test"]}
    assert e["names"]["Hangul"] == ["파인 해운"] and "Pine Shipping LLC" in e["names"]["Latin"]
    assert {(i["property"], i["value"]) for i in e["identifiers"]} == {("registrationNumber", "RN-77123")}
    assert [(x["analyst"], x["created_at"], x["note"]) for x in e["judgements"]] == [
        ("ana", j.created_at, "same registration")
    ]
    assert e == api.get(f"/api/v1/entities/{e['id']}").json() | {"asked": "pine-2"}
    assert [p["target"] for p in e["paths"]] == ["holding"] and e["paths"][0]["hops"] == 1
    assert e["id"] in {n["id"] for n in e["graph"]["nodes"]}


def test_findings_and_notes_on_any_member_show_on_the_resolved_page(rcase: Case) -> None:
    with rcase.ws.run("test.screen") as run:
        fid = run.add_finding(
            kind="entities.match", title="Screening hit on pine-2", subjects=["entity:pine-2"]
        )
    resolve(rcase.ws, "pine-co", "pine-2", same=True)
    cid = rcase.client("viewer", bearer=True).get("/api/v1/entities/pine-co").json()["id"]
    html = rcase.client("viewer").get(f"/entities/{cid}").text
    assert f'data-id="{fid}"' in html
    # a note on the resolved entity (analyst, with the CSRF token) shows on its records' pages, even
    # after the judgement is withdrawn
    r = rcase.client("analyst").post(
        "/notes",
        data={"csrf_token": rcase.csrf("analyst"), "subject": f"entity:{cid}", "body": f"lead {XSS}",
              "back": f"/entities/{cid}"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    assert f"lead {ESCAPED}" in rcase.client("viewer").get("/entities/pine-2").text
    undo(rcase.ws, "pine-co", "pine-2")
    assert f"lead {ESCAPED}" in rcase.client("viewer").get("/entities/pine-co").text


def test_roles_and_csrf_on_the_resolved_entity_routes(rcase: Case) -> None:
    resolve(rcase.ws, "evil-co", "evil-2", same=True, note=XSS)
    cid = rcase.client("viewer", bearer=True).get("/api/v1/entities/evil-co").json()["id"]
    for path in (f"/entities/{cid}", f"/api/v1/entities/{cid}", "/entities/evil-2", "/search?q=script alert"):
        assert rcase.client().get(path, follow_redirects=False).status_code in (401, 303), path
        for role in ROLES:
            r = rcase.client(role, bearer=True).get(path)
            assert r.status_code == 200 and allows(role, "viewer"), (role, path, r.status_code)
            if not path.startswith("/api/"):
                assert XSS not in r.text and ESCAPED in r.text, (role, path)
    hit = rcase.client("viewer").get("/search?q=script alert").text
    assert f'data-id="{cid}"' in hit and "resolved: 2 records" in hit
    note = {"subject": f"entity:{cid}", "body": "x", "back": "/queue"}
    assert rcase.client("analyst").post("/notes", data=note).status_code == 403  # no CSRF token
    assert (
        rcase.client("viewer").post("/notes", data={**note, "csrf_token": rcase.csrf("viewer")}).status_code
        == 403
    )  # a viewer may not add notes


def test_search_by_imo_and_mmsi_gives_one_hit_per_resolved_vessel(rcase: Case) -> None:
    path = _ftm(
        rcase.root / "ships.ftm.json",
        [
            {"id": "ship-a", "schema": "Vessel", "properties": {"name": ["SIM PINE"], "imoNumber": ["9123453"]}},
            {"id": "ship-b", "schema": "Vessel",
             "properties": {"name": ["SIM PINE 2"], "imoNumber": ["9123453"], "mmsi": ["273450000"]}},
        ],
    )  # fmt: skip
    import_list(rcase.ws, path, format="ftm", dataset="ships", list_date=date(2024, 3, 1))
    api = rcase.client("viewer", bearer=True)

    def hits(q: str) -> list[tuple[str, int]]:
        return [
            (h["id"], h["records"]) for h in api.get("/api/v1/search", params={"q": q}).json()["entities"]
        ]

    assert sorted(hits("IMO 9123453")) == [("ship-a", 1), ("ship-b", 1)]
    resolve(rcase.ws, "ship-a", "ship-b", same=True)
    (one,) = hits("IMO 9123453")
    assert one[0].startswith("res-") and one[1] == 2
    assert hits("273450000") == [one]
    undo(rcase.ws, "ship-a", "ship-b")
    assert sorted(hits("9123453")) == [("ship-a", 1), ("ship-b", 1)]


def test_vessel_page_lists_a_resolved_vessel_once_with_every_listing(rcase: Case) -> None:
    """A list gives the case vessel's IMO number; another lists a vessel by name only. Once an analyst
    resolves them, the vessel page shows one entry with both listings."""
    from tests.web.conftest import MMSI

    path = _ftm(
        rcase.root / "vessels.ftm.json",
        [{"id": "v-imo", "schema": "Vessel", "properties": {"name": ["SIM PINE"], "imoNumber": ["IMO 9123453"]}},
         {"id": "v-name", "schema": "Vessel", "properties": {"name": [f"SIM PINE {XSS}"]}}],
    )  # fmt: skip
    import_list(rcase.ws, path, format="ftm", dataset="vessels", list_date=date(2024, 3, 1))
    path2 = _ftm(
        rcase.root / "v2.ftm.json", [{"id": "v-name2", "schema": "Vessel", "properties": {"name": ["PINE"]}}]
    )
    import_list(rcase.ws, path2, format="ftm", dataset="second", list_date=date(2024, 3, 2))
    api = rcase.client("viewer", bearer=True)
    before = api.get(f"/api/v1/vessels/{MMSI}").json()["designations"]
    assert [d["entity_id"] for d in before] == ["v-imo"]
    resolve(rcase.ws, "v-imo", "v-name2", same=True, note="same hull")
    (after,) = api.get(f"/api/v1/vessels/{MMSI}").json()["designations"]
    assert after["entity_id"].startswith("res-") and after["records"] == ["v-imo", "v-name2"]
    assert sorted((x["dataset"], x["record"]) for x in after["listings"]) == [
        ("second", "v-name2"),
        ("vessels", "v-imo"),
    ]
    page = rcase.client("viewer").get(f"/vessels/{MMSI}").text
    assert f'href="/entities/{after["entity_id"]}"' in page and "(resolved: 2 records)" in page
    assert XSS not in page
