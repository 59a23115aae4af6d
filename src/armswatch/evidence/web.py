"""Archiving a web page as evidence: WARC (warcio) with its resources, WACZ (py-wacz), and a screenshot.

``capture_url`` fetches the page and the resources it names (images, scripts, style sheets, media,
icons, and ``url(...)`` in its style sheets), within limits on count and size, and writes every
request and response to a gzipped WARC file, then packs it as WACZ for replay tools
(ReplayWeb.page). Where Debian's ``chromium`` is installed, a headless screenshot (JavaScript off by
default: the page's scripts are not run unless asked) is stored as well. Nothing is contacted unless
the user asks for that URL.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from armswatch.errors import ExternalServiceError, InputError
from armswatch.progress import NO_PROGRESS, Progress

MAX_RESOURCES: Final = 300
MAX_BYTES: Final = 50 * 1024 * 1024
MAX_TOTAL: Final = 200 * 1024 * 1024
TIMEOUT_S: Final = 30.0
USER_AGENT: Final = "armswatch-capture (+https://github.com/armswatch)"
_CSS_URL: Final = re.compile(rb"url\(\s*['\"]?([^'\")\s]+)['\"]?\s*\)")
_RESOURCE_ATTRS: Final = {
    "img": ("src",),
    "script": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in _RESOURCE_ATTRS.get(tag, ()):
            if values.get(name):
                self.urls.append(str(values[name]))
        if (
            tag == "link"
            and values.get("href")
            and any(r in (values.get("rel") or "").lower() for r in ("stylesheet", "icon", "preload"))
        ):
            self.urls.append(str(values["href"]))
        if values.get("srcset"):
            self.urls.extend(
                part.strip().split(" ")[0] for part in str(values["srcset"]).split(",") if part.strip()
            )
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 300:
            self.title += data


@dataclass
class WebCapture:
    url: str
    warc: bytes
    wacz: bytes | None
    screenshot: bytes | None
    title: str
    status: int
    resources: int
    bytes: int
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title.strip(),
            "status": self.status,
            "resources": self.resources,
            "bytes": self.bytes,
            "skipped": self.skipped,
            "notes": self.notes,
        }


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"capture needs an http(s) URL, got {url!r}")
    return url


def _write(writer: Any, url: str, response: Any, body: bytes) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    request_headers = StatusAndHeaders(
        f"GET {urlsplit(url).path or '/'} HTTP/1.1",
        [("Host", urlsplit(url).netloc), ("User-Agent", USER_AGENT)],
        is_http_request=True,
    )
    writer.write_record(writer.create_warc_record(url, "request", http_headers=request_headers))
    headers = [
        (k, v)
        for k, v in response.headers.items()
        if k.lower() not in ("content-encoding", "transfer-encoding")
    ]
    headers.append(("Content-Length", str(len(body))))
    status = StatusAndHeaders(
        f"{response.status_code} {response.reason_phrase}", headers, protocol="HTTP/1.1"
    )
    # With the length given, warcio digests the payload in place instead of spooling it to a temp file.
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=status
    )
    writer.write_record(record)


def _fetch(client: Any, url: str) -> tuple[Any, bytes]:
    with client.stream("GET", url) as response:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise InputError(f"{url}: larger than {MAX_BYTES // 1024 // 1024} MB")
            chunks.append(chunk)
        return response, b"".join(chunks)


def _resources(base: str, body: bytes, content_type: str) -> tuple[list[str], str]:
    title = ""
    if "css" in content_type:
        found = [m.decode("utf-8", "replace") for m in _CSS_URL.findall(body)]
    elif "html" in content_type:
        parser = _Links()
        with contextlib.suppress(Exception):  # malformed HTML: keep what was parsed
            parser.feed(body.decode("utf-8", "replace"))
        found, title = parser.urls, parser.title
    else:
        return [], ""
    out = []
    for ref in found:
        if ref.startswith("data:"):
            continue
        absolute = urljoin(base, ref).split("#")[0]
        if urlsplit(absolute).scheme in ("http", "https"):
            out.append(absolute)
    return out, title


def capture_url(
    url: str, *, screenshot: bool = True, javascript: bool = False, progress: Progress = NO_PROGRESS
) -> WebCapture:
    """Fetch a page and its resources into a WARC (and WACZ, and a screenshot where possible)."""
    import httpx
    from warcio.warcwriter import WARCWriter

    _http_url(url)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    writer.write_record(
        writer.create_warcinfo_record(
            "capture.warc.gz", {"software": "armswatch", "format": "WARC File Format 1.1"}
        )
    )
    skipped: dict[str, int] = {}
    queue, seen, total, count = [url], {url}, 0, 0
    status, title = 0, ""
    progress.phase("fetching the page and its resources")
    with httpx.Client(follow_redirects=True, timeout=TIMEOUT_S, headers={"User-Agent": USER_AGENT}) as client:
        while queue:
            current = queue.pop(0)
            try:
                response, body = _fetch(client, current)
            except httpx.HTTPError as exc:
                if current == url:
                    raise ExternalServiceError(f"cannot fetch {url}: {exc}") from None
                skipped["fetch error"] = skipped.get("fetch error", 0) + 1
                continue
            except InputError:
                if current == url:
                    raise
                skipped["too large"] = skipped.get("too large", 0) + 1
                continue
            if total + len(body) > MAX_TOTAL:
                skipped["over the total size"] = skipped.get("over the total size", 0) + 1
                continue
            total += len(body)
            count += 1
            progress.advance()
            _write(writer, str(response.url), response, body)
            if current == url:
                status = response.status_code
            found, page_title = _resources(str(response.url), body, response.headers.get("content-type", ""))
            title = title or page_title
            for ref in found:
                if ref in seen:
                    continue
                if len(seen) >= MAX_RESOURCES:
                    skipped["over the resource limit"] = skipped.get("over the resource limit", 0) + 1
                    continue
                seen.add(ref)
                queue.append(ref)
    warc = out.getvalue()
    capture = WebCapture(url, warc, None, None, title, status, count, total, skipped)
    progress.phase("packing the WACZ")
    capture.wacz = _wacz(warc, url, capture.notes)
    if screenshot:
        progress.phase("taking a screenshot (Chromium)")
        capture.screenshot = take_screenshot(url, javascript=javascript, notes=capture.notes)
    return capture


def _wacz(warc: bytes, url: str, notes: list[str]) -> bytes | None:
    """Pack the WARC as WACZ with py-wacz (in a child process: it prints and leaves temporary files open)."""
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "capture.warc.gz", Path(tmp) / "capture.wacz"
        src.write_bytes(warc)
        command = [
            sys.executable,
            "-m",
            "wacz",
            "create",
            "-o",
            str(dst),
            "--url",
            url,
            "--detect-pages",
            str(src),
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0 or not dst.is_file():
            notes.append(f"WACZ not written: {(proc.stderr or proc.stdout).strip()[-200:]}")
            return None
        return dst.read_bytes()


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def take_screenshot(
    url: str, *, javascript: bool, notes: list[str], width: int = 1366, height: int = 2000
) -> bytes | None:
    """A PNG of the page from headless Chromium, or None (with a note) when it is not installed or fails."""
    binary = chromium()
    if binary is None:
        notes.append("no screenshot: chromium is not installed (apt-get install chromium)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        args = [
            binary,
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--headless=new",
            "--hide-scrollbars",
            f"--user-data-dir={tmp}/profile",
            f"--window-size={width},{height}",
            f"--screenshot={shot}",
        ]
        if not javascript:  # the page's scripts stay off: a content setting in a fresh profile
            prefs = Path(tmp) / "profile" / "Default" / "Preferences"
            prefs.parent.mkdir(parents=True)
            prefs.write_text('{"profile": {"default_content_setting_values": {"javascript": 2}}}')
        try:
            subprocess.run([*args, url], capture_output=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            notes.append("no screenshot: chromium timed out")
            return None
        if not shot.is_file():
            notes.append("no screenshot: chromium wrote none")
            return None
        return shot.read_bytes()


def captured_at() -> datetime:
    from armswatch.provenance.clock import utcnow

    return utcnow()
