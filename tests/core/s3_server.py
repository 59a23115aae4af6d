"""An S3-compatible server on 127.0.0.1 for the shared-store tests: moto's standalone server
(``moto[server]``, a separate process speaking the S3 REST protocol over HTTP).

What it does not cover (see docs/workspace.md): AWS's real authentication (moto accepts any key
and signature), eventual-consistency and throttling behaviour, multi-region endpoints, server-side
encryption, and object locks. The client side (fsspec/s3fs/botocore: signing, endpoint and
credential resolution from the environment, HTTP) is the real code path.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "armswatch-test",
    "AWS_SECRET_ACCESS_KEY": "armswatch-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server(logdir: Path) -> Iterator[str]:
    """Start ``moto_server`` on a free port; yields its endpoint URL."""
    pytest.importorskip("moto.server", reason="moto[server] not installed (the dev extra has it)")
    port = _free_port()
    log = (logdir / "moto.log").open("wb")
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen([*cmd, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start (see {logdir / 'moto.log'})") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
