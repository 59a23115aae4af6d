"""Evidence benchmark: capture and verify a 20 MB page with its resources; export and verify 1,000 files.

Usage (from the repo root)::

    .venv/bin/python benchmarks/evidence.py [--page-mb 20] [--resources 40] [--files 1000]

Parts (all data made here; nothing is read from ../shared/data and nothing leaves 127.0.0.1):

1. A page served by a local HTTP server with ``--resources`` images of random bytes adding up to
   ``--page-mb`` MB. Measured: ``capture_url`` (fetch, WARC, WACZ; no screenshot), storing the capture in
   a workspace, exporting it as a package and ``verify_package``; then, where chromium is installed, the
   same capture with a screenshot.
2. ``--files`` small files (random bytes, 20 KB) added as evidence, exported as one package, verified.

Targets (issue 14): capture and verify the 20 MB page in under 10 s; a 1,000-file package verifies in
under 30 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def serve(resources: int, size: int) -> tuple[ThreadingHTTPServer, str]:
    rng = os.urandom
    blobs = {f"/r{i}.png": rng(size) for i in range(resources)}
    page = "<html><body>" + "".join(f"<img src=/r{i}.png>" for i in range(resources)) + "</body></html>"
    blobs["/page"] = page.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = blobs.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if self.path == "/page" else "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Quiet(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client closing a kept-alive connection is not news

    server = Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/page"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-mb", type=float, default=20.0)
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()

    from armswatch.evidence.capture_store import store_capture
    from armswatch.evidence.collect import add_evidence
    from armswatch.evidence.package import export_package, verify_package
    from armswatch.evidence.web import capture_url, chromium
    from armswatch.workspace import Workspace

    print(
        f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}"
    )
    size = int(args.page_mb * 1024 * 1024 / args.resources)
    server, url = serve(args.resources, size)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "case", analyst="bench")
        t0 = time.perf_counter()
        got = capture_url(url, screenshot=False)
        t1 = time.perf_counter()
        ids = store_capture(ws, got)
        t2 = time.perf_counter()
        package = Path(tmp) / "page.zip"
        export_package(ws, package)
        t3 = time.perf_counter()
        report = verify_package(package)
        t4 = time.perf_counter()
        print(
            f"page: {got.resources} resources, {got.bytes / 1e6:.1f} MB; WARC {len(got.warc) / 1e6:.1f} MB, "
            f"WACZ {'yes' if ids.get('wacz') else 'no'}"
        )
        print(
            f"  capture (fetch + WARC + WACZ) {t1 - t0:.2f} s; store {t2 - t1:.2f} s; export {t3 - t2:.2f} s; "
            f"verify {t4 - t3:.2f} s ({report.files} files); capture + verify total {t4 - t0:.2f} s (target < 10 s)"
        )
        if chromium():
            t5 = time.perf_counter()
            shot = capture_url(url, screenshot=True)
            print(
                f"  with a chromium screenshot: {time.perf_counter() - t5:.2f} s "
                f"({'taken' if shot.screenshot else 'none: ' + '; '.join(shot.notes)})"
            )
        else:
            print("  chromium not installed: screenshot not measured")
        server.shutdown()

        folder = Path(tmp) / "files"
        folder.mkdir()
        t0 = time.perf_counter()
        for i in range(args.files):
            path = folder / f"f{i:04d}.bin"
            path.write_bytes(os.urandom(20_000))
            add_evidence(ws, path)
        t1 = time.perf_counter()
        package = Path(tmp) / "files.zip"
        export_package(ws, package)
        t2 = time.perf_counter()
        report = verify_package(package)
        t3 = time.perf_counter()
        print(
            f"{args.files} files: add {t1 - t0:.1f} s; export {t2 - t1:.1f} s; verify {t3 - t2:.2f} s "
            f"({report.files} files, {report.custody_events} custody events; target < 30 s)"
        )
        ws.close()


if __name__ == "__main__":
    main()
