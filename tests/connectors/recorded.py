"""A recorded-response server on 127.0.0.1 (sockets to anywhere else are blocked in tests).

Routes map (method, path) to (status, content type, body); bodies may be callables of the request (to
build URLs that point back at the server). Every request is logged with its headers and body so tests can
assert what was sent (credentials in headers, never in URLs). GET of bytes honours single Range headers,
which GDAL's /vsicurl/ needs for windowed reads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = bytes | dict[str, Any] | list[Any] | Callable[["Request"], Any]


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorded:
    routes: dict[tuple[str, str], tuple[int, Body]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    url: str = ""

    def add(self, method: str, path: str, body: Body, status: int = 200) -> None:
        self.routes[(method, path)] = (status, body)

    def seen(self, method: str, path: str) -> list[Request]:
        return [r for r in self.log if r.method == method and r.path == path]


def _handler(rec: Recorded) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _serve(self, method: str) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            req = Request(method, path, query, {k.lower(): v for k, v in self.headers.items()},
                          self.rfile.read(length) if length else b"")  # fmt: skip
            rec.log.append(req)
            route = rec.routes.get((method, path)) or (
                rec.routes.get(("GET", path)) if method == "HEAD" else None
            )
            if route is None:
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"message": "not recorded"}')
                return
            status, body = route
            value = body(req) if callable(body) else body
            if isinstance(value, tuple):  # (status, body) from a callable
                status, value = value
            data = value if isinstance(value, bytes) else json.dumps(value).encode()
            ctype = "application/octet-stream" if isinstance(value, bytes) else "application/json"
            rng = self.headers.get("Range")
            if method in ("GET", "HEAD") and isinstance(value, bytes) and rng and rng.startswith("bytes="):
                a, _, b = rng[6:].partition("-")
                start, end = int(a or 0), min(int(b) if b else len(data) - 1, len(data) - 1)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                data = data[start : end + 1]
            else:
                self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


def serve() -> Iterator[Recorded]:
    rec = Recorded()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
