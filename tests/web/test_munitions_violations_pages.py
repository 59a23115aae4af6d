"""Munition items (registry, one item, linking) and the violations annex (candidates, elements, review)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.web.conftest import XSS, Case, build_case
from tests.web.material import Material, add_material

from armswatch.munitions.store import get_item
from armswatch.violations.mapper import latest_candidates

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def mcase(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Case, Material]]:
    root = tmp_path_factory.mktemp("munitions")
    case = build_case(root)
    yield case, add_material(case, root / "files")
    case.ws.close()


def _ids(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return sorted(i["id"] for i in items)


def test_items_page_lists_items_with_markings_and_groups(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    r = case.client("viewer").get("/munitions")
    assert r.status_code == 200
    assert XSS not in r.text and ESCAPED in r.text
    for item_id in m.items.values():
        assert f'data-id="{item_id}"' in r.text
    assert "방-122" in r.text and "bang-122" in r.text  # as written, and romanised
    assert "=HYPERLINK(&#34;" in r.text  # a formula is shown as text
    assert "share lot" in r.text and "/munitions/rocket-two" in r.text  # LOT-7 = lot 7
    assert f'src="/evidence/{m.photo}/thumbnail"' in r.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"marking": "방-122"}, ["rocket-evil", "rocket-two"]),
        ({"marking": "pang 122"}, ["rocket-evil"]),  # McCune-Reischauer of 방-122; "bang-122" is Latin
        ({"marking": "KN-23"}, ["shell-ru"]),
        ({"type": "shell"}, ["shell-ru"]),
        ({"origin": "kp"}, ["rocket-evil", "rocket-two"]),
        ({"recovered": "UA", "site": "rajin-port"}, ["rocket-evil"]),
    ],
)
def test_item_filters(mcase: tuple[Case, Material], params: dict[str, str], expected: list[str]) -> None:
    case, _ = mcase
    body = case.client("viewer", bearer=True).get("/api/v1/munitions", params=params).json()
    assert _ids(body) == expected
    page = case.client("viewer").get("/munitions", params=params).text
    assert page.count('class="item-row"') == len(expected)


def test_item_filter_refuses_an_unknown_type(mcase: tuple[Case, Material]) -> None:
    case, _ = mcase
    assert case.client("viewer", bearer=True).get("/api/v1/munitions?type=nuke").status_code == 400


def test_item_page_shows_attribution_assessment_and_evidence(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    r = case.client("viewer").get("/munitions/rocket-evil")
    assert r.status_code == 200
    assert XSS not in r.text and ESCAPED in r.text
    assert "LOT-7" in r.text and "F-17" in r.text
    attribution = r.text.split('id="attribution">')[1].split("</td>")[0]
    assert attribution.startswith("KP: =HYPERLINK(")
    assessment = r.text.split('id="assessment">')[1].split("</ul>")[0]
    assert "munitions.item" in assessment and "munitions.group" in assessment
    assert f"/evidence/{m.photo}/details" in r.text and f"/evidence/{m.simulated}/details" in r.text
    assert 'class="badge sim">simulated' in r.text  # the simulated photo is labelled
    assert "https://example.org/a" in r.text and "/sites/rajin-port" in r.text
    assert case.client("viewer").get("/munitions/nope").status_code == 404


def test_item_api_has_groups_and_findings(mcase: tuple[Case, Material]) -> None:
    case, _ = mcase
    body = case.client("viewer", bearer=True).get("/api/v1/munitions/rocket-two").json()
    assert body["id"] == "rocket-two" and body["markings"][0]["text"] == "bang-122"
    bases = {g["basis"] for g in body["groups"]}
    assert "lot" in bases
    assert any(f["kind"] == "munitions.item" for f in body["findings"])


def test_linking_needs_an_analyst_and_checks_targets(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    body = {"evidence": [m.pdf[7:20]]}
    assert (
        case.client("viewer", bearer=True).post("/api/v1/munitions/shell-ru/links", json=body).status_code
        == 403
    )
    r = case.client("analyst", bearer=True).post("/api/v1/munitions/shell-ru/links", json=body)
    assert r.status_code == 200, r.text
    assert get_item(case.ws, "shell-ru").evidence == (m.pdf,)
    bad = case.client("analyst", bearer=True).post(
        "/api/v1/munitions/shell-ru/links", json={"sites": ["nowhere"]}
    )
    assert bad.status_code == 404
    form = case.client("analyst").post(
        "/munitions/shell-ru/link",
        data={"csrf_token": case.csrf("analyst"), "link": "sites", "target": "rajin-port"},
        follow_redirects=False,
    )
    assert form.status_code == 303 and form.headers["location"] == "/munitions/shell-ru"
    assert get_item(case.ws, "shell-ru").sites == ("rajin-port",)
    refused = case.client("analyst").post(
        "/munitions/shell-ru/link", data={"csrf_token": case.csrf("analyst"), "link": "data", "target": "x"}
    )
    assert refused.status_code == 400


def test_annex_page_shows_each_candidate_with_elements(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    assert m.candidates, "the material's DPRK-origin items should give candidates"
    r = case.client("viewer").get("/violations")
    assert r.status_code == 200
    assert XSS not in r.text
    assert r.text.count('class="candidate-row"') == len(m.candidates)
    assert "not a legal conclusion" in r.text
    assert "UNSCR 1718 (2006)" in r.text and "el-met" in r.text
    assert "/munitions/rocket-evil" in r.text


def test_annex_api_and_filters(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    client = case.client("viewer", bearer=True)
    body = client.get("/api/v1/violations").json()
    assert body["total"] == len(m.candidates) and body["run"]
    one = body["items"][0]
    assert {e["status"] for e in one["elements"]} <= {"met", "unmet", "unknown"}
    assert one["provisions"][0]["citation"].startswith("UNSCR")
    pid = one["provisions"][0]["id"]
    some = client.get("/api/v1/violations", params={"provision": pid}).json()
    assert 0 < some["total"] <= body["total"]
    assert client.get("/api/v1/violations", params={"provision": "9999-1"}).json()["total"] == 0
    assert client.get("/api/v1/violations", params={"status": "nonsense"}).status_code == 400
    provisions = client.get("/api/v1/provisions").json()
    assert any(p["id"] == pid for p in provisions)


def test_candidate_review_keeps_the_second_pair_of_eyes(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    cid = m.candidates[0]
    page = case.client("reviewer").get(f"/violations/{cid}")
    assert page.status_code == 200 and 'id="candidate-confirm"' in page.text
    assert 'id="candidate-review"' not in case.client("analyst").get(f"/violations/{cid}").text
    own = case.client("ana").post(
        f"/violations/{cid}/review", data={"csrf_token": case.csrf("ana"), "status": "confirmed"}
    )
    assert own.status_code == 403  # ana ran the mapping
    r = case.client("reviewer").post(
        f"/violations/{cid}/review",
        data={"csrf_token": case.csrf("reviewer"), "status": "confirmed", "note": XSS},
        follow_redirects=True,
    )
    assert r.status_code == 200 and ESCAPED in r.text and XSS not in r.text
    assert {f.id: f.status for f in latest_candidates(case.ws)}[cid] == "confirmed"
    confirmed = case.client("viewer", bearer=True).get("/api/v1/violations?status=confirmed").json()
    assert [i["candidate"] for i in confirmed["items"]] == [cid]
    not_candidate = case.findings["gap"]
    assert case.client("viewer").get(f"/violations/{not_candidate}").status_code == 404


def test_search_finds_items_by_marking_in_any_script_and_evidence_by_name(
    mcase: tuple[Case, Material],
) -> None:
    case, m = mcase
    client = case.client("viewer", bearer=True)
    hangul = client.get("/api/v1/search", params={"q": "방-122"}).json()
    assert {i["id"] for i in hangul["munitions"]} == {"rocket-evil", "rocket-two"}
    assert [i["id"] for i in client.get("/api/v1/search", params={"q": "lot-7"}).json()["munitions"]] == [
        "rocket-evil"
    ]
    files = client.get("/api/v1/search", params={"q": "report.pdf"}).json()["evidence"]
    assert [e["id"] for e in files] == [m.pdf]
    page = case.client("viewer").get("/search", params={"q": "onerror"}).text
    assert "<img src=x" not in page and f"/evidence/{m.photo}/details" in page


def test_site_page_lists_items_and_a_candidate_finding_links_to_the_annex(
    mcase: tuple[Case, Material],
) -> None:
    case, m = mcase
    site = case.client("viewer").get("/sites/rajin-port").text
    assert 'id="site-items"' in site and "/munitions/rocket-evil" in site
    assert XSS not in site
    finding = case.client("viewer").get(f"/findings/{m.candidates[0]}").text
    assert f'href="/violations/{m.candidates[0]}"' in finding
