"""Content-addressed blob store: ``blobs/sha256/ab/abcdef…`` under the workspace.

Blobs are immutable: the same bytes always land at the same path, written atomically.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from armswatch.errors import IntegrityError, MissingFileError, NotFoundError

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFoundError(f"not a sha256 digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self.path(sha256)
        if final.exists():
            tmp.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
        return StoredBlob(sha256=sha256, size=size, path=final)

    def _tmp(self) -> tuple[int, Path]:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=f"{os.getpid()}-")  # see recovery
        return fd, Path(name)

    def put_bytes(self, data: bytes) -> StoredBlob:
        fd, tmp = self._tmp()
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return self._commit(tmp, hashlib.sha256(data).hexdigest(), len(data))

    def put_file(self, source: Path) -> StoredBlob:
        if not source.is_file():
            raise MissingFileError(f"no such file: {source}")
        fd, tmp = self._tmp()
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        return self._commit(tmp, digest.hexdigest(), size)

    def verify(self, sha256: str) -> None:
        path = self.path(sha256)
        if not path.exists():
            raise IntegrityError(f"blob missing for sha256:{sha256}", path=str(path))
        actual = sha256_file(path)
        if actual != sha256:
            raise IntegrityError(
                f"blob content changed: expected sha256:{sha256}, found {actual}", path=str(path)
            )

    def export(self, sha256: str, destination: Path) -> None:
        from armswatch.io.atomic import atomic_write

        with open(self.path(sha256), "rb") as src, atomic_write(destination, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
