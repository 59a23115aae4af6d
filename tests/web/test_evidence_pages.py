"""The evidence gallery, one evidence file with its chain of custody, the custody timeline, thumbnails,
uploads and integrity checks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import XSS, Case, build_case
from tests.web.material import EVIL_FILE, FORMULA, Material, add_material

from armswatch.evidence.custody import custody_events

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def mcase(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Case, Material]]:
    root = tmp_path_factory.mktemp("evidence")
    case = build_case(root)
    yield case, add_material(case, root / "files")
    case.ws.close()


def _no_markup(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html


def test_gallery_lists_evidence_with_hashes_and_labels_simulated(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    r = case.client("viewer").get("/evidence")
    assert r.status_code == 200
    _no_markup(r.text)
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in r.text
    for aid in (m.photo, m.pdf, m.simulated):
        assert f'data-id="{aid}"' in r.text
        assert case.ws.get_artifact(aid).sha256[:16] in r.text
    assert "chip_before.png" not in r.text  # imagery chips are not captured evidence
    sim_card = r.text.split(f'data-id="{m.simulated}"')[1].split("</article>")[0]
    assert 'class="badge sim">simulated' in sim_card
    assert f'src="/evidence/{m.photo}/thumbnail"' in r.text
    assert f'src="/evidence/{m.pdf}/thumbnail"' not in r.text  # documents show their type, not a thumbnail


def test_gallery_filters(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    client = case.client("viewer", bearer=True)
    photos = client.get("/api/v1/evidence", params={"kind": "photo"}).json()
    assert {i["id"] for i in photos["items"]} >= {m.photo, m.simulated} and m.pdf not in str(photos)
    docs = client.get("/api/v1/evidence", params={"q": "report"}).json()
    assert [i["id"] for i in docs["items"]] == [m.pdf] and docs["items"][0]["kind"] == "document"
    by_hash = client.get("/api/v1/evidence", params={"q": m.photo[7:19]}).json()
    assert [i["id"] for i in by_hash["items"]] == [m.photo]
    assert client.get("/api/v1/evidence", params={"kind": "nonsense"}).status_code == 400


def test_evidence_page_shows_metadata_custody_and_records_the_access(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    before = len(custody_events(case.ws, m.photo))
    r = case.client("viewer").get(f"/evidence/{m.photo}/details")
    assert r.status_code == 200
    _no_markup(r.text)
    assert ESCAPED in r.text  # the EXIF Make and the note hold markup
    assert case.ws.get_artifact(m.photo).sha256 in r.text
    assert "Make" in r.text and "2024-01-02 10:00" in r.text
    assert 'id="custody"' in r.text and "<b>capture</b>" in r.text
    events = custody_events(case.ws, m.photo)
    assert len(events) == before + 1
    assert events[-1].event == "access" and events[-1].who == "viewer"
    assert events[-1].purpose == "viewed in the workbench"
    assert "rocket-evil" in r.text  # the munition item citing the photo


def test_evidence_api_one(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    body = case.client("viewer", bearer=True).get(f"/api/v1/evidence/{m.pdf[7:19]}").json()
    assert body["id"] == m.pdf and body["kind"] == "document"
    assert body["metadata"]["file"]["info"]["Title"] == XSS  # JSON carries the text as written
    assert [e["event"] for e in body["custody"]][:1] == ["capture"]  # oldest first
    assert body["custody"][-1]["event"] == "access"
    assert case.client("viewer", bearer=True).get("/api/v1/evidence/" + "0" * 12).status_code == 404


def test_custody_timeline_page_and_api(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    client = case.client("viewer")
    r = client.get("/custody")
    assert r.status_code == 200
    _no_markup(r.text)
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in r.text
    only = client.get("/custody", params={"event": "capture"}).text
    assert "ev-badge ev-capture" in only and "ev-badge ev-access" not in only
    api = case.client("viewer", bearer=True).get("/api/v1/custody", params={"artifact": m.pdf}).json()
    assert api and all(e["artifact"] == m.pdf for e in api)
    assert api[0]["seq"] > api[-1]["seq"]  # newest first


def test_thumbnails_are_jpeg_with_the_security_headers(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    client = case.client("viewer")
    r = client.get(f"/evidence/{m.photo}/thumbnail")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content[:3] == b"\xff\xd8\xff"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    from PIL import Image

    assert max(Image.open(io.BytesIO(r.content)).size) <= 240
    assert client.get(f"/evidence/{m.pdf}/thumbnail").status_code == 404
    html = next(a for a in case.ws.list_artifacts() if a.name == "page.html")
    assert client.get(f"/api/v1/artifacts/{html.id}/thumbnail").status_code == 404


@pytest.mark.parametrize(
    "ref", ["../armswatch.toml", "..%2F..%2Farmswatch.toml", "/etc/passwd", "sha256:../../x", "0" * 64]
)
def test_thumbnail_and_details_refuse_paths(mcase: tuple[Case, Material], ref: str) -> None:
    case, _ = mcase
    client = case.client("viewer")
    for url in (f"/evidence/{ref}/thumbnail", f"/evidence/{ref}/details", f"/api/v1/evidence/{ref}"):
        r = client.get(url)
        assert r.status_code in (400, 404), (url, r.status_code)
        assert b"database" not in r.content and b"root:" not in r.content


def test_upload_needs_an_analyst_and_keeps_only_the_base_name(mcase: tuple[Case, Material]) -> None:
    case, _ = mcase
    files = {"files": ("../../evil/<b>up.txt", b"uploaded evidence " + FORMULA.encode(), "text/plain")}
    assert case.client("viewer", bearer=True).post("/api/v1/evidence", files=files).status_code == 403
    r = case.client("analyst", bearer=True).post(
        "/api/v1/evidence", files=files, data={"url": "https://example.org/u", "note": "from a chat"}
    )
    assert r.status_code == 201, r.text
    got = r.json()[0]
    art = case.ws.get_artifact(got["artifact"])
    assert art.name == "<b>up.txt" and art.url == "https://example.org/u"
    assert art.metadata["evidence"]["note"] == "from a chat"
    events = custody_events(case.ws, art.id)
    assert [(e.event, e.who) for e in events] == [("capture", "analyst")]
    bad = case.client("analyst", bearer=True).post(
        "/api/v1/evidence", files=files, data={"url": "javascript:alert(1)"}
    )
    assert bad.status_code == 400


def test_upload_form_with_the_csrf_token(mcase: tuple[Case, Material], tmp_path: Path) -> None:
    case, _ = mcase
    client = case.client("analyst")
    files = {"files": ("form.txt", b"form upload", "text/plain")}
    r = client.post("/evidence", files=files, data={"csrf_token": "wrong"})
    assert r.status_code == 403
    r = client.post(
        "/evidence", files=files, data={"csrf_token": case.csrf("analyst")}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/details")


def test_verify_checks_the_hash_and_records_custody(mcase: tuple[Case, Material]) -> None:
    case, m = mcase
    ws = case.ws
    assert case.client("viewer", bearer=True).post(f"/api/v1/evidence/{m.pdf}/verify").status_code == 403
    r = case.client("analyst", bearer=True).post(f"/api/v1/evidence/{m.pdf}/verify")
    assert r.status_code == 200 and r.json()["sha256"] == "ok"
    assert custody_events(ws, m.pdf)[-1].event == "verify"
    page = case.client("analyst").post(
        f"/evidence/{m.pdf}/verify", data={"csrf_token": case.csrf("analyst")}, follow_redirects=True
    )
    assert page.status_code == 200 and 'id="verified"' in page.text


def test_verify_names_a_damaged_file(fresh_case: Case) -> None:
    case, ws = fresh_case, fresh_case.ws
    victim = ws.add_artifact(
        b"to be damaged", name="victim.txt", media_type="text/plain", metadata={"evidence": {"role": "x"}}
    )
    path = ws.artifact_path(victim.id)
    path.chmod(0o644)
    path.write_bytes(b"damaged")
    r = case.client("analyst", bearer=True).post(f"/api/v1/evidence/{victim.id}/verify")
    assert r.status_code == 409 and "no longer matches" in r.json()["detail"]


def test_nav_links_to_the_new_pages(mcase: tuple[Case, Material]) -> None:
    case, _ = mcase
    html = case.client("viewer").get("/queue").text
    for href in ('href="/evidence"', 'href="/munitions"', 'href="/violations"'):
        assert href in html


def test_no_inline_scripts_on_the_new_pages(mcase: tuple[Case, Material]) -> None:
    import re

    case, m = mcase
    for path in ("/evidence", f"/evidence/{m.photo}/details", "/custody", "/munitions", "/violations"):
        html = case.client("analyst").get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag, (path, tag)
        assert EVIL_FILE not in html


def test_details_of_an_artifact_a_finding_cites(mcase: tuple[Case, Material]) -> None:
    case, _ = mcase
    by_name = {a.name: a for a in case.ws.list_artifacts()}
    page = by_name["page.html"]
    r = case.client("viewer").get(f"/evidence/{page.id}/details")
    assert r.status_code == 200
    assert 'id="download"' in r.text and f'src="/evidence/{page.id}"' not in r.text  # never inline
    assert f"/findings/{case.findings['change']}" in r.text
    finding = case.client("viewer").get(f"/findings/{case.findings['change']}").text
    assert f'href="/evidence/{page.id}/details"' in finding


def test_an_image_the_server_cannot_read_gets_no_thumbnail(fresh_case: Case, tmp_path: Path) -> None:
    from armswatch.evidence.collect import add_evidence

    bad = tmp_path / "scene.tif"
    bad.write_bytes(b"II*\x00" + b"\x00" * 64)  # a TIFF header and nothing a reader can use
    art = add_evidence(fresh_case.ws, bad).artifact
    client = fresh_case.client("viewer")
    gallery = client.get("/evidence").text
    assert f'data-id="{art.id}"' in gallery and f"/evidence/{art.id}/thumbnail" not in gallery
    assert client.get(f"/evidence/{art.id}/thumbnail").status_code == 404
    page = client.get(f"/evidence/{art.id}/details").text
    assert 'id="download"' in page and "<img" not in page.split('id="identity"')[0].split("<main>")[1]


def test_export_a_package_that_verifies_and_is_in_the_custody_chain(
    mcase: tuple[Case, Material], tmp_path: Path
) -> None:
    from armswatch.evidence.package import verify_package

    case, m = mcase
    assert case.client("viewer", bearer=True).post("/api/v1/evidence/export").status_code == 403
    r = case.client("analyst", bearer=True).post(
        "/api/v1/evidence/export", params={"purpose": "to the panel"}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith("attachment")
    package = tmp_path / "case.zip"
    package.write_bytes(r.content)
    report = verify_package(package)
    assert report.files >= 3
    last = custody_events(case.ws, m.pdf)[-1]
    assert (last.event, last.who, last.purpose) == ("export", "analyst", "to the panel")
    form = case.client("analyst").post(
        "/evidence/export", data={"csrf_token": case.csrf("analyst"), "finding": case.findings["change"]}
    )
    assert form.status_code == 200 and form.content[:2] == b"PK"
    one = tmp_path / "finding.zip"
    one.write_bytes(form.content)
    assert verify_package(one).files == 3  # the finding's two chips and the HTML page


def test_gallery_pages(fresh_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    from armswatch.web.routes import evidence as routes

    for i in range(5):
        fresh_case.ws.add_artifact(
            f"note {i}".encode(), name=f"n{i}.txt", media_type="text/plain", metadata={"evidence": {}}
        )
    monkeypatch.setattr(routes, "PAGE", 2)
    client = fresh_case.client("viewer")
    seen = []
    for offset in (0, 2, 4):
        html = client.get("/evidence", params={"kind": "document", "offset": offset}).text
        seen += [line.split('data-id="')[1].split('"')[0] for line in html.splitlines() if "data-id=" in line]
        assert ("offset=" + str(offset + 2) in html) == (offset < 4)
        assert "kind=document&amp;" in html
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\photo.jpg", "photo.jpg"),
        ("..", "upload"),
        ("a\x00b\x07.png", "ab.png"),
        ("방" * 150 + ".jpg", "방" * 65 + ".jpg"),
    ],
)
def test_upload_names(sent: str, kept: str) -> None:
    from armswatch.web.routes.evidence import upload_name

    assert upload_name(sent) == kept
    assert len(upload_name(sent).encode()) <= 200
