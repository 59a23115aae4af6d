"""RFC 3161 timestamps against OpenSSL's own TSA (openssl ts), verified offline, and cross-checked by OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from armswatch.errors import ExternalServiceError, InputError, IntegrityError
from armswatch.evidence.timestamp import build_request, request_token, token_from_response, verify_token

from .tsa import OPENSSL, Tsa, running_tsa

pytestmark = pytest.mark.skipif(
    OPENSSL is None, reason="openssl is not installed: no local TSA to test against"
)
DATA = "photo of a 122 mm rocket marked “방-122”".encode()
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tsa]:
    with running_tsa(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


def test_token_from_openssl_verifies_offline_and_in_openssl(tsa: Tsa, tmp_path: Path) -> None:
    token = request_token(tsa.url, DIGEST)
    info = verify_token(token, DIGEST, ca_cert=tsa.ca_cert.read_bytes())
    assert info.digest == DIGEST and info.policy == "1.2.3.4.1" and "armswatch test TSA" in info.tsa_subject
    pinned = verify_token(token, DIGEST, tsa_cert=tsa.tsa_cert.read_bytes())
    assert pinned.gen_time == info.gen_time
    # OpenSSL agrees that the token is valid for these bytes
    (tmp_path / "data").write_bytes(DATA)
    (tmp_path / "token.der").write_bytes(token)
    assert OPENSSL is not None
    proc = subprocess.run(
        [
            OPENSSL,
            "ts",
            "-verify",
            "-data",
            str(tmp_path / "data"),
            "-in",
            str(tmp_path / "token.der"),
            "-token_in",
            "-CAfile",
            str(tsa.ca_cert),
            "-untrusted",
            str(tsa.tsa_cert),
        ],
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in proc.stdout, proc.stderr


def test_tampering_is_named(tsa: Tsa, tmp_path: Path) -> None:
    token = request_token(tsa.url, DIGEST)
    ca = tsa.ca_cert.read_bytes()
    with pytest.raises(IntegrityError, match="other content"):
        verify_token(token, hashlib.sha256(b"other").hexdigest(), ca_cert=ca)
    flipped = bytearray(token)
    flipped[-20] ^= 0x01  # inside the signature
    with pytest.raises(IntegrityError):
        verify_token(bytes(flipped), DIGEST, ca_cert=ca)
    with pytest.raises(IntegrityError, match="not an RFC 3161"):
        verify_token(b"\x30\x03\x02\x01\x01", DIGEST, ca_cert=ca)
    # a CA that did not issue the TSA certificate is not trusted
    other = tmp_path / "other"
    other.mkdir()
    from .tsa import make_authority

    make_authority(other)
    with pytest.raises(IntegrityError, match="not issued by the given CA"):
        verify_token(token, DIGEST, ca_cert=(other / "ca.crt").read_bytes())
    with pytest.raises(IntegrityError, match="pinned"):
        verify_token(token, DIGEST, tsa_cert=(other / "tsa.crt").read_bytes())
    with pytest.raises(InputError, match="--tsa-cert"):
        verify_token(token, DIGEST)


def test_requests_and_refusals() -> None:
    assert len(build_request(DIGEST)) > 40
    with pytest.raises(InputError):
        build_request("zz")
    with pytest.raises(ExternalServiceError):
        token_from_response(b"not der")
    with pytest.raises(ExternalServiceError, match="cannot reach"):
        request_token("http://127.0.0.1:9/tsa", DIGEST)
