"""Content-addressed blob store: ``blobs/sha256/ab/abcdef…`` under the workspace, or under a
shared folder that every analyst of a shared case mounts (an object store is
:mod:`armswatch.store.remote_blob`).

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

    @property
    def location(self) -> str:
        """Where the blobs are, as recorded for a shared case (an absolute path here)."""
        return str(self.root.resolve())

    def exists(self, sha256: str) -> bool:
        return self._local(sha256).is_file()

    def check(self, sha256: str) -> str | None:
        """Why the blob is not intact ("blob missing", "blob content changed"), or None."""
        path = self._local(sha256)
        if not path.is_file():
            return "blob missing"
        return None if sha256_file(path) == sha256 else "blob content changed"

    def read_object(self, name: str) -> bytes | None:
        """A small named object beside the blobs (the shared-case marker), None when absent."""
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def delete_object(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def write_object(self, name: str, data: bytes) -> None:
        from armswatch.io.atomic import atomic_write

        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.root / name, "wb") as fh:
            fh.write(data)

    def path(self, sha256: str) -> Path:
        """The blob's file (readable by every reader of the workspace)."""
        return self._local(sha256)

    def _local(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFoundError(f"not a sha256 digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self._local(sha256)
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
        problem = self.check(sha256)
        if problem is not None:
            where = str(self._local(sha256)) if type(self) is BlobStore else self.location
            raise IntegrityError(f"{problem} for sha256:{sha256}", path=where)

    def export(self, sha256: str, destination: Path) -> None:
        from armswatch.io.atomic import atomic_write

        with open(self.path(sha256), "rb") as src, atomic_write(destination, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
