"""Names are text, never markup; downloads never leave the blob store; security headers are set."""

from __future__ import annotations

import pytest
from tests.web.conftest import EVIL_MMSI, XSS, Case

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize(
    "path",
    [
        "/queue",
        "/sites",
        "/sites/evil-site",
        f"/vessels/{EVIL_MMSI}",
        "/entities/evil-co",
        "/search?q=alert",
        f"/search?q={EVIL_MMSI}",
        "/findings/{change}",
    ],
)
def test_markup_in_names_renders_as_text(case: Case, path: str) -> None:
    r = case.client("viewer").get(path.format(change=case.findings["change"]))
    assert r.status_code == 200
    assert XSS not in r.text
    assert ESCAPED in r.text


def test_search_query_is_escaped_and_json_blocks_cannot_close_the_script(case: Case) -> None:
    r = case.client("viewer").get("/search", params={"q": '"><script>alert(2)</script>'})
    assert "<script>alert(2)" not in r.text
    site = case.client("viewer").get("/sites/evil-site").text
    assert "</script><script>" not in site  # the site's JSON block escapes '<'
    assert "\\u003cscript\\u003e" in site


def test_security_headers(case: Case) -> None:
    r = case.client("viewer").get("/queue")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_scripts_in_pages(case: Case) -> None:
    import re

    for path in (
        "/queue",
        "/map",
        "/findings/" + case.findings["gap"],
        "/sites/rajin-port",
        "/entities/pine-co",
    ):
        html = case.client("viewer").get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)


@pytest.mark.parametrize(
    "ref",
    [
        "../armswatch.toml",
        "..%2F..%2Farmswatch.toml",
        "%2e%2e%2f%2e%2e%2farmswatch.toml",
        "....//....//etc/passwd",
        "/etc/passwd",
        "sha256:../../armswatch.toml",
        "..\\..\\armswatch.toml",
        "0" * 64,
    ],
)
def test_evidence_download_path_traversal(case: Case, ref: str) -> None:
    client = case.client("viewer")
    for prefix in ("/evidence/", "/api/v1/artifacts/"):
        url = prefix + ref + ("/content" if prefix.startswith("/api") else "")
        r = client.get(url)
        assert r.status_code in (400, 404), (url, r.status_code)
        assert b"database" not in r.content and b"root:" not in r.content


def test_evidence_download_serves_images_inline_and_html_as_attachment(case: Case) -> None:
    client = case.client("viewer")
    by_name = {a.name: a for a in case.ws.list_artifacts()}
    png = client.get(f"/evidence/{by_name['chip_before.png'].id}")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.headers["content-disposition"].startswith("inline")
    page = client.get(f"/evidence/{by_name['page.html'].sha256[:12]}")
    assert page.status_code == 200 and page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment")
