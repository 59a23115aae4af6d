"""Web capture to WARC and WACZ from a page served on 127.0.0.1, read back with warcio."""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from warcio.archiveiterator import ArchiveIterator

from armswatch.errors import ExternalServiceError, InputError
from armswatch.evidence.capture_store import store_capture
from armswatch.evidence.custody import custody_events
from armswatch.evidence.web import capture_url, chromium, take_screenshot
from armswatch.workspace import Workspace

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
PAGES = {
    "/post": (
        "text/html; charset=utf-8",
        "<html><head><title>Rocket marked 방-122</title><link rel=stylesheet href=/s.css></head>"
        "<body><img src=/a.png srcset='/b.png 2x'><script src=/missing.js></script>"
        "<img src='data:image/png;base64,AAAA'></body></html>".encode(),
    ),
    "/s.css": ("text/css", b"body{background:url('/bg.png')}"),
    "/js": (
        "text/html",
        b"<html><body style='background:#0000ff;margin:0'>"
        b"<script>document.body.style.background='#ff0000'</script></body></html>",
    ),
    "/a.png": ("image/png", PNG),
    "/b.png": ("image/png", PNG + b"\x00"),
    "/bg.png": ("image/png", PNG + b"\x01"),
}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = PAGES.get(self.path)
            if page is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", page[0])
            self.send_header("Content-Length", str(len(page[1])))
            self.end_headers()
            self.wfile.write(page[1])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_page_and_resources_are_archived(site: str, ws: Workspace) -> None:
    got = capture_url(f"{site}/post", screenshot=False)
    assert got.status == 200 and got.title == "Rocket marked 방-122"
    records = {
        r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
        for r in ArchiveIterator(io.BytesIO(got.warc))
        if r.rec_type == "response"
    }
    assert set(records) == {
        f"{site}{p}" for p in ("/post", "/s.css", "/a.png", "/b.png", "/bg.png", "/missing.js")
    }
    assert records[f"{site}/a.png"] == PNG
    assert gzip.decompress(got.warc[:100000])  # a gzipped WARC
    assert got.wacz is not None
    with zipfile.ZipFile(io.BytesIO(got.wacz)) as z:
        names = z.namelist()
    assert "datapackage.json" in names and any(n.startswith("archive/") for n in names)
    ids = store_capture(ws, got, note="post deleted later?")
    assert set(ids) == {"warc", "wacz"}
    assert [e.event for e in custody_events(ws, ids["warc"])] == ["capture"]
    assert ws.get_artifact(ids["warc"]).metadata["capture"]["resources"] == 6


def test_bad_urls(site: str) -> None:
    with pytest.raises(InputError, match="http"):
        capture_url("file:///etc/passwd", screenshot=False)
    with pytest.raises(ExternalServiceError, match="cannot fetch"):
        capture_url("http://127.0.0.1:9/", screenshot=False)


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed: no screenshot to test")
def test_screenshot_with_chromium_runs_no_page_script_unless_asked(site: str) -> None:
    from PIL import Image

    def colour(shot: bytes | None) -> tuple[int, ...]:
        assert shot is not None and shot.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(shot)) as img:
            return tuple(img.convert("RGB").getpixel((200, 200)))

    assert colour(take_screenshot(f"{site}/js", javascript=False, notes=[])) == (0, 0, 255)
    assert colour(take_screenshot(f"{site}/js", javascript=True, notes=[])) == (255, 0, 0)


def test_no_browser_is_said_not_hidden(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("armswatch.evidence.web.chromium", lambda: None)
    got = capture_url(f"{site}/post", screenshot=True)
    assert got.screenshot is None and any("chromium is not installed" in n for n in got.notes)
