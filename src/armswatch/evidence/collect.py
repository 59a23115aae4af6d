"""Adding evidence to a case: the evidentiary copy, its metadata, a perceptual hash and near-duplicates.

A captured file is stored once, as an immutable artifact (its SHA-256 is its id), with the metadata
extracted from it, the URL it came from, when it was captured, and — for images — a 64-bit
perceptual hash (DCT hash, ``imagehash.phash``). Images whose perceptual hashes differ by at most
``NEAR_DUPLICATE_BITS`` bits are reported as near-duplicates: the same photo re-encoded, resized or
lightly cropped, as happens when a post is reshared. Working copies (crops) are new artifacts derived
from the evidentiary copy, never edits of it.
"""

from __future__ import annotations

import io
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from armswatch.errors import InputError, NotFoundError
from armswatch.evidence.custody import record_custody
from armswatch.evidence.metadata import MAX_IMAGE_PIXELS, extract_metadata
from armswatch.provenance.model import Artifact
from armswatch.workspace import Workspace

NEAR_DUPLICATE_BITS: Final = 10
MAX_METADATA_BYTES: Final = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Captured:
    artifact: Artifact
    near_duplicates: tuple[tuple[str, int], ...]
    new: bool


def perceptual_hash(data: bytes) -> str | None:
    """64-bit DCT perceptual hash as 16 hex digits, or None when the bytes are not a readable image."""
    import imagehash
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            return str(imagehash.phash(img.convert("RGB")))
    except Exception:  # not an image, truncated, a decompression bomb: no hash, the file is still kept
        return None


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def near_duplicates(ws: Workspace, phash: str, exclude: str) -> list[tuple[str, int]]:
    """Artifacts in the case whose perceptual hash is within NEAR_DUPLICATE_BITS of ``phash``."""
    out = []
    for a in ws.list_artifacts():
        other = a.metadata.get("phash")
        if a.id != exclude and isinstance(other, str) and len(other) == len(phash):
            distance = hamming(phash, other)
            if distance <= NEAR_DUPLICATE_BITS:
                out.append((a.id, distance))
    return sorted(out, key=lambda x: x[1])


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _exists(ws: Workspace, artifact_id: str) -> bool:
    try:
        ws.get_artifact(artifact_id)
    except NotFoundError:
        return False
    return True


def media_type_of(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def add_evidence(
    ws: Workspace,
    path: Path,
    *,
    url: str | None = None,
    source: str | None = None,
    captured_at: datetime | None = None,
    note: str = "",
    purpose: str = "evidence capture",
) -> Captured:
    """Store a file as evidence (idempotent on its bytes) and record the custody event."""
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if url is not None and not url.startswith(("http://", "https://")):
        raise InputError(f"--url must be an http(s) URL, got {url!r}")
    media_type = media_type_of(path)
    size = path.stat().st_size
    meta: dict[str, Any] = {"evidence": {"role": "evidentiary copy", "note": note}}
    phash = None
    if size <= MAX_METADATA_BYTES:
        data = path.read_bytes()
        meta["file"] = extract_metadata(data, media_type)
        if media_type.startswith("image/"):
            phash = perceptual_hash(data)
    if phash:
        meta["phash"] = phash
    new = not _exists(ws, f"sha256:{_sha256(path)}")
    artifact = ws.add_artifact(
        path,
        name=path.name,
        media_type=media_type,
        source=source,
        captured_at=captured_at,
        url=url,
        metadata=meta,
    )
    if new:
        record_custody(
            ws,
            artifact.id,
            "capture",
            purpose=purpose,
            details={"file": path.name, "url": url, "note": note, "captured_at": str(captured_at or "")},
        )
    dups = near_duplicates(ws, phash, artifact.id) if phash else []
    return Captured(artifact, tuple(dups), new)


def derive_crop(ws: Workspace, ref: str, box: tuple[int, int, int, int], *, purpose: str) -> Artifact:
    """A working copy: the pixels ``box`` = (x, y, width, height) of an image artifact, as a new PNG artifact."""
    from PIL import Image

    original = ws.get_artifact(ref)
    x, y, w, h = box
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise InputError("--crop needs x,y,width,height with a positive width and height")
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(ws.artifact_path(original.id)) as img:
            if x + w > img.width or y + h > img.height:
                raise InputError(f"crop {box} lies outside the {img.width}x{img.height} image")
            out = io.BytesIO()
            img.crop((x, y, x + w, y + h)).save(out, format="PNG")
    except (OSError, Image.DecompressionBombError) as exc:
        raise InputError(f"{original.name}: not an image that can be cropped ({exc})") from None
    meta = {
        "evidence": {
            "role": "working copy",
            "derived_from": original.id,
            "operation": f"crop {x},{y},{w},{h}",
        }
    }
    copy = ws.add_artifact(
        out.getvalue(),
        name=f"{Path(original.name).stem}-crop-{x}-{y}-{w}-{h}.png",
        media_type="image/png",
        metadata=meta,
    )
    record_custody(ws, original.id, "access", purpose=purpose, details={"derived": copy.id})
    record_custody(
        ws, copy.id, "derive", purpose=purpose, details={"from": original.id, "operation": f"crop {box}"}
    )
    return copy
