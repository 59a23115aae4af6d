"""Trusted timestamps (RFC 3161): a time-stamping authority signs "this SHA-256 existed at time T".

``request_token`` sends a TimeStampReq for a digest to the TSA the user configured (HTTP POST,
``application/timestamp-query``) and returns the DER token. ``verify_token`` checks a token with no
network and no workspace: the token's message imprint equals the file's SHA-256, the signed
``messageDigest`` attribute equals the digest of the TSTInfo, the signature over the signed
attributes verifies with the signer certificate's key, the signer certificate is the pinned TSA
certificate or is signed by the given CA certificate, and it is marked for time stamping
(extended key usage). ASN.1 parsing is asn1crypto's; signatures are checked with cryptography.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from armswatch.errors import ExternalServiceError, InputError, IntegrityError

MAX_TOKEN: Final = 64 * 1024
TIMEOUT_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class TimestampInfo:
    """What a verified token says."""

    digest: str
    gen_time: datetime
    serial: int
    policy: str
    tsa_subject: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.digest,
            "gen_time": self.gen_time.isoformat(),
            "serial": str(self.serial),
            "policy": self.policy,
            "tsa": self.tsa_subject,
        }


def build_request(digest_hex: str, nonce: int | None = None) -> bytes:
    """DER TimeStampReq for a SHA-256 digest, asking for the TSA certificate in the reply."""
    from asn1crypto import tsp

    try:
        digest = bytes.fromhex(digest_hex)
    except ValueError:
        raise InputError(f"not a SHA-256 hex digest: {digest_hex!r}") from None
    if len(digest) != 32:
        raise InputError("a SHA-256 digest has 64 hex digits")
    req = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce if nonce is not None else secrets.randbits(63),
            "cert_req": True,
        }
    )
    return bytes(req.dump())


def token_from_response(data: bytes) -> bytes:
    """The token (DER ContentInfo) of a TimeStampResp, or an error naming the TSA's status."""
    from asn1crypto import tsp

    try:
        resp = tsp.TimeStampResp.load(data)
        status = resp["status"]["status"].native
        token = resp["time_stamp_token"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ExternalServiceError(f"the TSA's reply is not a TimeStampResp: {exc}") from None
    if status not in ("granted", "granted_with_mods") or token.native is None:
        text = resp["status"]["status_string"].native
        raise ExternalServiceError(f"the TSA refused the request: {status} {text or ''}".strip())
    return bytes(token.dump())


def request_token(url: str, digest_hex: str) -> bytes:
    """Ask the TSA at ``url`` for a token over ``digest_hex`` (the user chose to contact it)."""
    import httpx

    if not url.startswith(("http://", "https://")):
        raise InputError(f"TSA URL must be http(s): {url!r}")
    body = build_request(digest_hex)
    try:
        reply = httpx.post(
            url, content=body, headers={"Content-Type": "application/timestamp-query"}, timeout=TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        raise ExternalServiceError(f"cannot reach the TSA at {url}: {exc}") from None
    if reply.status_code != 200:
        raise ExternalServiceError(f"the TSA at {url} answered HTTP {reply.status_code}")
    if len(reply.content) > MAX_TOKEN:
        raise ExternalServiceError("the TSA's reply is too large")
    return token_from_response(reply.content)


def _load_cert(pem_or_der: bytes) -> Any:
    from cryptography import x509

    try:
        if b"-----BEGIN" in pem_or_der:
            return x509.load_pem_x509_certificate(pem_or_der)
        return x509.load_der_x509_certificate(pem_or_der)
    except ValueError as exc:
        raise InputError(f"not an X.509 certificate: {exc}") from None


def _check_signature(public_key: Any, signature: bytes, data: bytes, hash_name: str) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(
        hash_name
    )
    if algorithm is None:
        raise IntegrityError(f"timestamp token uses an unsupported digest {hash_name}")
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise IntegrityError("timestamp token signed with an unsupported key type")
    except InvalidSignature:
        raise IntegrityError("timestamp token signature does not verify") from None


def _trust(signer: Any, tsa_cert: bytes | None, ca_cert: bytes | None) -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    if tsa_cert is not None:
        if _load_cert(tsa_cert) != signer:
            raise IntegrityError("timestamp token was not signed by the pinned TSA certificate")
    elif ca_cert is not None:
        ca = _load_cert(ca_cert)
        try:
            signer.verify_directly_issued_by(ca)
        except (ValueError, TypeError, Exception) as exc:
            raise IntegrityError(f"the TSA certificate is not issued by the given CA: {exc}") from None
    else:
        raise InputError("give the TSA certificate (--tsa-cert) or its CA (--ca-cert) to trust a token")
    try:
        usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise IntegrityError("the signer certificate is not marked for time stamping") from None
    if ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise IntegrityError("the signer certificate is not marked for time stamping")


def verify_token(
    token: bytes, digest_hex: str, *, tsa_cert: bytes | None = None, ca_cert: bytes | None = None
) -> TimestampInfo:
    """Verify a token over ``digest_hex`` offline; IntegrityError names what does not hold."""
    from asn1crypto import cms, tsp
    from cryptography import x509

    if len(token) > MAX_TOKEN:
        raise IntegrityError("timestamp token is too large")
    try:
        info = cms.ContentInfo.load(token)
        signed = info["content"]
        tst_der = signed["encap_content_info"]["content"].parsed.dump()
        tst = tsp.TSTInfo.load(tst_der)
        imprint = tst["message_imprint"]
        signer_info = signed["signer_infos"][0]
        certs = [c.chosen.dump() for c in signed["certificates"]] if signed["certificates"].native else []
        signed_attrs = signer_info["signed_attrs"]
        attrs = {a["type"].native: a["values"][0].native for a in signed_attrs}
        digest_alg = signer_info["digest_algorithm"]["algorithm"].native
        signature = signer_info["signature"].native
        sid = signer_info["sid"]
        gen_time = tst["gen_time"].native
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise IntegrityError(f"not an RFC 3161 timestamp token: {exc}") from None
    if imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise IntegrityError("timestamp token is not over a SHA-256 digest")
    if imprint["hashed_message"].native.hex() != digest_hex.lower():
        raise IntegrityError("timestamp token is for other content (message imprint differs)")
    if digest_alg not in ("sha256", "sha384", "sha512"):
        raise IntegrityError(f"timestamp token uses an unsupported digest {digest_alg}")
    if attrs.get("message_digest") != hashlib.new(digest_alg, tst_der).digest():
        raise IntegrityError("timestamp token's signed digest does not match its content")
    candidates = [x509.load_der_x509_certificate(c) for c in certs]
    if tsa_cert is not None:
        candidates.append(_load_cert(tsa_cert))
    serial = sid.chosen["serial_number"].native if sid.name == "issuer_and_serial_number" else None
    signer = next((c for c in candidates if serial is None or c.serial_number == serial), None)
    if signer is None:
        raise IntegrityError("the token does not carry the TSA certificate; give it with --tsa-cert")
    _check_signature(signer.public_key(), signature, signed_attrs.untag().dump(), digest_alg)
    _trust(signer, tsa_cert, ca_cert)
    return TimestampInfo(
        digest=digest_hex.lower(),
        gen_time=gen_time,
        serial=int(tst["serial_number"].native),
        policy=str(tst["policy"].native),
        tsa_subject=signer.subject.rfc4514_string(),
    )
