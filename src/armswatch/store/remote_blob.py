"""Blobs in an object store (S3 or any S3-compatible server) through fsspec, with a local cache.

``s3://bucket/prefix`` holds ``sha256/ab/abcdef…`` exactly like a blob folder. Every client writes
each new blob there (a write-once PUT of the whole object) and keeps a read-only copy in its own
``blobs/`` folder, so the rest of armswatch reads local files (:meth:`RemoteBlobStore.path` fetches a
blob on first use and checks its hash before caching it).

Credentials and the endpoint come from the environment or the standard AWS configuration that
botocore reads (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ``~/.aws/config``,
``AWS_ENDPOINT_URL`` for a server other than AWS); they are never stored in ``armswatch.toml`` or the
database. Needs the ``shared`` extra (``s3fs``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from armswatch.errors import ExternalServiceError, IntegrityError, WorkspaceError
from armswatch.store.blob import CHUNK, BlobStore, StoredBlob


def is_remote(location: str) -> bool:
    """A URL with a scheme (``s3://…``) rather than a folder."""
    return "://" in location and not location.startswith("file://")


def _filesystem(location: str) -> tuple[Any, str]:
    try:
        import fsspec  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - the shared extra is part of dev
        raise WorkspaceError(
            f"blob store {location} needs fsspec and s3fs: pip install 'armswatch[shared]'"
        ) from exc
    protocol = location.split("://", 1)[0]
    options: dict[str, Any] = {"skip_instance_cache": True}
    if protocol in ("s3", "s3a"):
        options["use_listings_cache"] = False  # another analyst may have added a blob meanwhile
    try:
        fs, path = fsspec.url_to_fs(location, **options)
    except (ImportError, ValueError) as exc:
        raise WorkspaceError(f"cannot use blob store {location}: {exc}") from exc
    return fs, str(path).rstrip("/")


class RemoteBlobStore(BlobStore):
    """Blobs at ``location`` (an fsspec URL); ``cache`` is this client's local copy."""

    def __init__(self, location: str, cache: Path) -> None:
        super().__init__(cache)
        self._location = location.rstrip("/")
        self.fs, self.base = _filesystem(self._location)

    @property
    def location(self) -> str:
        return self._location

    def _key(self, sha256: str) -> str:
        self._local(sha256)  # validates the digest
        return f"{self.base}/sha256/{sha256[:2]}/{sha256}"

    def _call(self, what: str, func: Any, *args: Any) -> Any:
        try:
            return func(*args)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ExternalServiceError(f"blob store {self._location}: cannot {what}: {exc}") from exc
        except Exception as exc:  # botocore raises its own errors (credentials, endpoint)
            raise ExternalServiceError(f"blob store {self._location}: cannot {what}: {exc}") from exc

    # ------------------------------------------------------------------ writing
    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        key = self._key(sha256)
        try:
            if not self._call("look up a blob", self.fs.exists, key):
                self._call("upload a blob", self.fs.put_file, str(tmp), key)
        except FileNotFoundError as exc:
            tmp.unlink(missing_ok=True)
            raise ExternalServiceError(f"blob store {self._location}: no such bucket ({exc})") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)  # nothing half-written: no artifact row, no cached copy
            raise
        return super()._commit(tmp, sha256, size)

    # ------------------------------------------------------------------ reading
    def exists(self, sha256: str) -> bool:
        return bool(self._call("look up a blob", self.fs.exists, self._key(sha256)))

    def _remote_digest(self, sha256: str) -> str | None:
        digest = hashlib.sha256()
        try:
            with self._call("read a blob", self.fs.open, self._key(sha256), "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            return None
        return digest.hexdigest()

    def check(self, sha256: str) -> str | None:
        """The shared copy is the one that counts; a cached copy must match it too."""
        actual = self._remote_digest(sha256)
        if actual is None:
            return "blob missing"
        if actual != sha256:
            return "blob content changed"
        return super().check(sha256) if self._local(sha256).exists() else None

    def path(self, sha256: str) -> Path:
        """The local cached copy, fetched (and its hash checked) on first use."""
        local = self._local(sha256)
        if not local.exists():
            self._fetch(sha256)
        return local

    def _fetch(self, sha256: str) -> None:
        fd, tmp = self._tmp()
        os.close(fd)
        try:
            self._call("download a blob", self.fs.get_file, self._key(sha256), str(tmp))
        except FileNotFoundError:
            tmp.unlink(missing_ok=True)
            return  # missing remotely too: callers see a missing file, verify names it
        digest = hashlib.sha256()
        with open(tmp, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            tmp.unlink(missing_ok=True)
            raise IntegrityError(
                f"blob content changed: expected sha256:{sha256}, found {digest.hexdigest()}",
                path=self._key(sha256),
            )
        super()._commit(tmp, sha256, tmp.stat().st_size)

    # ------------------------------------------------------------------ marker
    def read_object(self, name: str) -> bytes | None:
        try:
            data = self._call("read the case marker", self.fs.cat_file, f"{self.base}/{name}")
        except FileNotFoundError:
            return None
        return bytes(data)

    def write_object(self, name: str, data: bytes) -> None:
        try:
            self._call("write the case marker", self.fs.pipe_file, f"{self.base}/{name}", data)
        except FileNotFoundError as exc:
            raise ExternalServiceError(f"blob store {self._location}: no such bucket ({exc})") from exc

    def delete_object(self, name: str) -> None:
        self._call("remove the case marker", self.fs.rm_file, f"{self.base}/{name}")

    # ------------------------------------------------------------------ other content-addressed files
    def upload(self, source: Path, sha256: str) -> None:
        """Put a file whose hash is known (a Parquet table file) into the store, uncached."""
        key = self._key(sha256)
        try:
            if not self._call("look up a blob", self.fs.exists, key):
                self._call("upload a file", self.fs.put_file, str(source), key)
        except FileNotFoundError as exc:
            raise ExternalServiceError(f"blob store {self._location}: no such bucket ({exc})") from exc

    def download(self, sha256: str, destination: Path) -> bool:
        """Fetch the stored copy of ``sha256`` to ``destination`` (hash checked; atomic); False
        when the store does not have it."""
        fd, tmp = self._tmp()
        os.close(fd)
        try:
            self._call("download a file", self.fs.get_file, self._key(sha256), str(tmp))
            digest = hashlib.sha256()
            with open(tmp, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                raise IntegrityError(
                    f"stored copy changed: expected sha256:{sha256}, found {digest.hexdigest()}",
                    path=self._key(sha256),
                )
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, destination)
        except FileNotFoundError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        return True
