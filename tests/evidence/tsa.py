"""A real RFC 3161 time-stamping authority for tests: OpenSSL's own ``openssl ts -reply`` behind a
127.0.0.1 HTTP server, with a throwaway CA and a TSA certificate marked for time stamping."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OPENSSL = shutil.which("openssl")

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = armswatch test TSA
[ tsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Tsa:
    url: str
    ca_cert: Path
    tsa_cert: Path
    folder: Path


def _run(*args: str, cwd: Path) -> None:
    assert OPENSSL is not None
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder: Path) -> None:
    (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
    (folder / "serial").write_text("01\n")
    cnf = str(folder / "tsa.cnf")
    _run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=armswatch test CA",
        "-config",
        cnf,
        "-extensions",
        "ca_ext",
        cwd=folder,
    )
    _run(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=armswatch test TSA",
        "-config",
        cnf,
        cwd=folder,
    )
    _run(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.crt",
        "-days",
        "2",
        "-extfile",
        cnf,
        "-extensions",
        "tsa_ext",
        cwd=folder,
    )


@contextmanager
def running_tsa(folder: Path) -> Iterator[Tsa]:
    make_authority(folder)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            query = self.rfile.read(length)
            with lock:
                (folder / "q.tsq").write_bytes(query)
                proc = subprocess.run(
                    [
                        OPENSSL or "openssl",
                        "ts",
                        "-reply",
                        "-queryfile",
                        "q.tsq",
                        "-config",
                        "tsa.cnf",
                        "-out",
                        "r.tsr",
                    ],
                    cwd=folder,
                    capture_output=True,
                )
                body = (folder / "r.tsr").read_bytes() if proc.returncode == 0 else b""
            self.send_response(200 if body else 500)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Tsa(
            f"http://127.0.0.1:{server.server_address[1]}/tsa", folder / "ca.crt", folder / "tsa.crt", folder
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
