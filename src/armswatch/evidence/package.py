"""Evidence packages: the files, their hashes and metadata, custody events, timestamp tokens and the
audit head in one zip that ``verify_package`` checks on any machine, without the workspace.

Layout::

    manifest.json          what the package holds (format "armswatch-evidence-package", version 1)
    manifest.sha256        SHA-256 of manifest.json
    files/<sha256>/<name>  each evidentiary file, byte for byte
    timestamps/<sha256>.tst  RFC 3161 tokens over those files

Verification refuses, with one line naming the problem: unsafe or duplicate member names, members
not in the manifest, sizes over the limits (zip bombs), a file whose SHA-256 or size differs, a
custody event about a file not in the package or with another hash, a timestamp token for other
content, and — when a TSA or CA certificate is given — a token that does not verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

from armswatch import __version__
from armswatch.errors import InputError, IntegrityError
from armswatch.evidence.custody import custody_events
from armswatch.evidence.timestamp import verify_token
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.workspace import Workspace

FORMAT: Final = "armswatch-evidence-package"
MAX_MEMBERS: Final = 100_000
MAX_MANIFEST: Final = 64 * 1024 * 1024
MAX_TOTAL: Final = 64 * 1024**3
MAX_RATIO: Final = 200
TOKEN_MEDIA_TYPE: Final = "application/timestamp-token"


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:120].strip(".")
    return keep or "file"


_COMPRESSED: Final = (
    ".gz",
    ".wacz",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".mp4",
    ".mov",
    ".webm",
    ".pdf",
)


def _compression(member: str) -> int:
    """Already-compressed media are stored as they are (deflating them again only costs time)."""
    return zipfile.ZIP_STORED if member.lower().endswith(_COMPRESSED) else zipfile.ZIP_DEFLATED


def timestamp_tokens(ws: Workspace) -> dict[str, list[str]]:
    """Artifact id → ids of the token artifacts over it."""
    out: dict[str, list[str]] = {}
    for a in ws.list_artifacts(media_type=TOKEN_MEDIA_TYPE):
        of = (a.metadata.get("timestamp") or {}).get("of")
        if isinstance(of, str):
            out.setdefault(of, []).append(a.id)
    return out


def _artifacts_for(ws: Workspace, finding: str | None) -> list[str]:
    if finding is None:
        tokens = {a.id for a in ws.list_artifacts(media_type=TOKEN_MEDIA_TYPE)}
        return [a.id for a in ws.list_artifacts() if "evidence" in a.metadata and a.id not in tokens]
    f = ws.get_finding(finding)
    if not f.evidence:
        raise InputError(f"finding {f.id} has no evidence to package")
    return list(f.evidence)


def export_package(
    ws: Workspace,
    output: Path,
    *,
    finding: str | None = None,
    purpose: str = "export",
    progress: Progress = NO_PROGRESS,
) -> dict[str, Any]:
    """Write a package for one finding's evidence or the whole case's; returns the manifest."""
    from armswatch.evidence.custody import record_custody_many

    ids = _artifacts_for(ws, finding)
    tokens = timestamp_tokens(ws)
    files, stamps, blobs = [], [], []
    for aid in ids:
        a = ws.get_artifact(aid)
        path = f"files/{a.sha256}/{_safe_name(a.name)}"
        files.append(
            {
                "path": path,
                "artifact": a.id,
                "sha256": a.sha256,
                "size": a.size,
                "media_type": a.media_type,
                "name": a.name,
                "url": a.url,
                "captured_at": to_iso(a.captured_at),
                "metadata": a.metadata,
                "simulated": a.simulated,
            }
        )
        blobs.append((path, ws.artifact_path(a.id)))
        for tid in tokens.get(a.id, []):
            t = ws.get_artifact(tid)
            tpath = f"timestamps/{t.sha256}.tst"
            stamps.append(
                {"path": tpath, "of": a.id, "token_sha256": t.sha256, **(t.metadata.get("timestamp") or {})}
            )
            blobs.append((tpath, ws.artifact_path(tid)))
    wanted = set(ids)
    custody = [e.to_dict() for e in custody_events(ws) if e.artifact in wanted]
    head = ws.audit_head()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": 1,
        "created_at": to_iso(utcnow()),
        "created_by": ws.analyst,
        "tool": f"armswatch {__version__}",
        "case": ws.name,
        "scope": {"finding": ws.get_finding(finding).id} if finding else {"case": True},
        "files": files,
        "timestamps": stamps,
        "custody": custody,
        "findings": [_finding(ws, finding)] if finding else [],
        "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")
    tmp = output.with_name(output.name + ".partial")
    if not output.parent.is_dir():
        raise InputError(f"{output.parent}: no such folder")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", text)
        zf.writestr("manifest.sha256", hashlib.sha256(text).hexdigest() + "\n")
        for member, src in steps(progress, "packing files", blobs):
            zf.write(src, member, compress_type=_compression(member))
    os.replace(tmp, output)  # atomic within the folder: never a half-written package under the real name
    record_custody_many(ws, ids, "export", purpose=purpose, details={"package": output.name})
    return manifest


def _finding(ws: Workspace, finding_id: str | None) -> dict[str, Any]:
    f = ws.get_finding(finding_id or "")
    return {
        "id": f.id,
        "kind": f.kind,
        "title": f.title,
        "summary": f.summary,
        "confidence": f.confidence,
        "status": f.status,
        "run": f.run_id,
        "evidence": list(f.evidence),
    }


@dataclass
class PackageReport:
    files: int = 0
    bytes: int = 0
    custody_events: int = 0
    timestamps: int = 0
    timestamps_trusted: int = 0
    notes: list[str] = field(default_factory=list)


def _member_names(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise IntegrityError(f"package has more than {MAX_MEMBERS} members")
    out: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if name.startswith("/") or "\\" in name or ".." in parts or not parts or ":" in parts[0]:
            raise IntegrityError(f"package member {name!r} has an unsafe path")
        if name in out:
            raise IntegrityError(f"package member {name!r} appears twice")
        total += info.file_size
        if total > MAX_TOTAL or (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 1 << 20
        ):
            raise IntegrityError(f"package member {name!r} expands beyond the limits (zip bomb?)")
        out[name] = info
    return out


def _sha256_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > info.file_size:
                raise IntegrityError(f"package member {info.filename!r} is longer than its header says")
            digest.update(chunk)
    return digest.hexdigest(), size


def _manifest(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    for required in ("manifest.json", "manifest.sha256"):
        if required not in members:
            raise IntegrityError(f"package has no {required}")
    if members["manifest.json"].file_size > MAX_MANIFEST:
        raise IntegrityError("manifest.json is too large")
    text = zf.read("manifest.json")
    if zf.read("manifest.sha256").decode("ascii", "replace").strip() != hashlib.sha256(text).hexdigest():
        raise IntegrityError("manifest.json does not match manifest.sha256")
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise IntegrityError(f"manifest.json is not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != 1:
        raise IntegrityError("not an armswatch evidence package (format/version)")
    for key in ("files", "timestamps", "custody"):
        if not isinstance(manifest.get(key), list) or not all(isinstance(x, dict) for x in manifest[key]):
            raise IntegrityError(f"manifest.json: {key} must be a list of objects")
    return manifest


def _entry(item: dict[str, Any], *keys: str) -> tuple[Any, ...]:
    try:
        return tuple(item[k] for k in keys)
    except KeyError as exc:
        raise IntegrityError(f"manifest entry lacks {exc.args[0]!r}: {str(item)[:120]}") from None


def verify_package(
    path: Path,
    *,
    tsa_cert: bytes | None = None,
    ca_cert: bytes | None = None,
    progress: Progress = NO_PROGRESS,
) -> PackageReport:
    """Check a package end to end; IntegrityError (one line) names the first problem found."""
    try:
        return _verify(path, tsa_cert, ca_cert, progress)
    except IntegrityError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise IntegrityError(f"{path}: damaged zip file ({type(exc).__name__}: {exc})") from None
    except (UnicodeDecodeError, TypeError, ValueError, RuntimeError) as exc:
        raise IntegrityError(f"{path}: malformed package ({type(exc).__name__}: {exc})") from None


def _verify(
    path: Path, tsa_cert: bytes | None, ca_cert: bytes | None, progress: Progress = NO_PROGRESS
) -> PackageReport:
    report = PackageReport()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntegrityError(f"{path}: not a readable zip file ({exc})") from None
    with zf:
        members = _member_names(zf)
        manifest = _manifest(zf, members)
        listed = {"manifest.json", "manifest.sha256"}
        digests: dict[str, str] = {}
        for item in steps(progress, "checking files", manifest["files"]):
            member, sha, size, artifact = _entry(item, "path", "sha256", "size", "artifact")
            if member not in members:
                raise IntegrityError(f"file {member} is listed but missing")
            actual, actual_size = _sha256_member(zf, members[member])
            if actual != sha or actual_size != size or artifact != f"sha256:{sha}":
                raise IntegrityError(f"file {member} was altered: SHA-256 or size differs from the manifest")
            listed.add(member)
            digests[artifact] = sha
            report.files += 1
            report.bytes += actual_size
        for event in manifest["custody"]:
            artifact, sha = _entry(event, "artifact", "sha256")
            if digests.get(artifact) != sha:
                raise IntegrityError(
                    f"custody event {event.get('seq')} is about a file not in the package or another hash"
                )
            report.custody_events += 1
        for stamp in manifest["timestamps"]:
            member, of = _entry(stamp, "path", "of")
            if member not in members or of not in digests:
                raise IntegrityError(f"timestamp {member} is missing or is for a file not in the package")
            token = zf.read(members[member])
            if (stamp.get("token_sha256") or "") != hashlib.sha256(token).hexdigest():
                raise IntegrityError(f"timestamp {member} was altered")
            trusted = tsa_cert is not None or ca_cert is not None
            if trusted:
                verify_token(token, digests[of], tsa_cert=tsa_cert, ca_cert=ca_cert)
                report.timestamps_trusted += 1
            else:
                _imprint_only(token, digests[of], member)
            listed.add(member)
            report.timestamps += 1
        extra = sorted(set(members) - listed)
        if extra:
            raise IntegrityError(f"package holds files not in the manifest: {', '.join(extra[:3])}")
    if report.timestamps and not report.timestamps_trusted:
        report.notes.append("timestamp signatures not checked: give --tsa-cert or --ca-cert to check them")
    return report


def _imprint_only(token: bytes, digest: str, member: str) -> None:
    """Without a certificate, still check that the token is over this file."""
    from asn1crypto import cms, tsp

    try:
        signed = cms.ContentInfo.load(token)["content"]
        tst = tsp.TSTInfo.load(signed["encap_content_info"]["content"].parsed.dump())
        imprint = tst["message_imprint"]["hashed_message"].native.hex()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IntegrityError(f"timestamp {member} is not an RFC 3161 token: {exc}") from None
    if imprint != digest:
        raise IntegrityError(f"timestamp {member} is for other content")


def summarise(manifest: dict[str, Any]) -> dict[str, int]:
    return {k: len(manifest[k]) for k in ("files", "timestamps", "custody")}


def file_rows(manifest: dict[str, Any]) -> Sequence[dict[str, Any]]:
    return [{k: f.get(k) for k in ("path", "sha256", "size", "media_type")} for f in manifest["files"]]
