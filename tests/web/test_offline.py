"""Every page works offline: no resource is loaded from another host, vendored files keep their licences."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from tests.web.conftest import Case

WEB = Path(str(resources.files("armswatch.web")))
REMOTE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.I,
)


def test_templates_and_own_assets_load_nothing_remote() -> None:
    files = [
        *WEB.glob("templates/*.html"),
        *WEB.glob("static/*.css"),
        *WEB.glob("static/*.js"),
        *WEB.glob("static/fonts/*.css"),
    ]
    assert len(files) > 15
    for f in files:
        text = f.read_text(encoding="utf-8")
        # a plain link for the reader (the Leaflet attribution) is fine; loading from elsewhere is not
        hits = [
            m.group(0)
            for m in REMOTE.finditer(text)
            if "leafletjs.com" not in text[m.start() : m.start() + 60]
        ]
        assert hits == [], (f.name, hits)


@pytest.mark.parametrize("folder", ["vendor/leaflet", "vendor/swagger-ui", "fonts"])
def test_vendored_files_keep_their_licence(folder: str) -> None:
    names = {p.name for p in (WEB / "static" / folder).iterdir()}
    assert names & {"LICENSE", "OFL.txt"} and "SOURCE.txt" in names


def test_pages_reference_only_this_server(case: Case) -> None:
    client = case.client("viewer")
    for path in ("/queue", "/map", "/findings/" + case.findings["gap"], "/api/v1/docs", "/login"):
        html = client.get(path).text
        for ref in re.findall(r"""(?:src|href)="([^"]+)\"""", html):
            assert ref.startswith(("/", "#", "data:")) or ref.startswith("https://example.org/"), (path, ref)
        for ref in re.findall(r"""(?:src|href)="(/static/[^"?]+)""", html):
            assert client.get(ref).status_code == 200, ref
