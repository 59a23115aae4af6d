"""Timestamping evidence in a workspace: the token is stored as its own artifact, next to the file."""

from __future__ import annotations

import os
from typing import Any, Final

from armswatch.errors import InputError, IntegrityError
from armswatch.evidence.custody import record_custody
from armswatch.evidence.package import TOKEN_MEDIA_TYPE, timestamp_tokens
from armswatch.evidence.timestamp import TimestampInfo, request_token, verify_token
from armswatch.provenance.model import Artifact
from armswatch.workspace import Workspace

TSA_ENV: Final = "ARMSWATCH_TSA_URL"


def tsa_url(explicit: str | None) -> str:
    """The TSA to contact: ``--tsa``, else ``ARMSWATCH_TSA_URL``; nothing is contacted without one."""
    url = explicit or os.environ.get(TSA_ENV)
    if not url:
        raise InputError(f"no time-stamping authority: give --tsa URL or set {TSA_ENV}")
    return url


def timestamp_artifact(
    ws: Workspace, ref: str, url: str, *, tsa_cert: bytes | None = None, ca_cert: bytes | None = None
) -> tuple[Artifact, TimestampInfo | None]:
    """Ask the TSA for a token over the artifact's SHA-256, check it, store it and record custody."""
    artifact = ws.get_artifact(ref)
    token = request_token(url, artifact.sha256)
    info = (
        verify_token(token, artifact.sha256, tsa_cert=tsa_cert, ca_cert=ca_cert)
        if (tsa_cert or ca_cert)
        else None
    )
    meta: dict[str, Any] = {"timestamp": {"of": artifact.id, "tsa": url, **(info.to_dict() if info else {})}}
    stored = ws.add_artifact(
        token, name=f"{artifact.sha256[:16]}.tst", media_type=TOKEN_MEDIA_TYPE, metadata=meta
    )
    record_custody(
        ws, artifact.id, "timestamp", purpose="trusted timestamp", details={"token": stored.id, "tsa": url}
    )
    return stored, info


def verify_artifact(
    ws: Workspace, ref: str, *, tsa_cert: bytes | None = None, ca_cert: bytes | None = None
) -> dict[str, Any]:
    """Recompute the file's SHA-256 and check every timestamp token over it."""
    import hashlib

    artifact = ws.get_artifact(ref)
    digest = hashlib.sha256()
    with ws.artifact_path(artifact.id).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != artifact.sha256:
        raise IntegrityError(f"{artifact.id}: the stored file no longer matches its SHA-256")
    stamps = []
    for tid in timestamp_tokens(ws).get(artifact.id, []):
        token = ws.artifact_path(tid).read_bytes()
        if tsa_cert or ca_cert:
            stamps.append(verify_token(token, artifact.sha256, tsa_cert=tsa_cert, ca_cert=ca_cert).to_dict())
        else:
            stamps.append({"token": tid, "signature": "not checked (give --tsa-cert or --ca-cert)"})
    record_custody(ws, artifact.id, "verify", purpose="integrity check", details={"timestamps": len(stamps)})
    return {"artifact": artifact.id, "sha256": "ok", "timestamps": stamps}
