"""One error root for armswatch.

Every error the package raises on purpose derives from :class:`ArmswatchError` and also from the
matching built-in exception, so callers may catch either (an input error is also a ``ValueError``,
a missing file also an ``OSError``). Errors carry an optional *location* (file and record) and an
``exit_code`` which the CLI maps in one place (``armswatch.cli.main``).
"""

from __future__ import annotations


class ArmswatchError(Exception):
    """Root of every deliberate armswatch error."""

    exit_code: int = 1

    def __init__(self, message: str, *, path: str | None = None, record: str | int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.record = record

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.record is not None:
                where += f":{self.record}"
            where += ": "
        elif self.record is not None:
            where = f"record {self.record}: "
        return f"{where}{self.message}"


class InputError(ArmswatchError, ValueError):
    """Bad input from the user: a malformed file, an invalid value, an unknown CRS."""

    exit_code = 2


class NotFoundError(ArmswatchError, LookupError):
    """An id (site, artifact, run, finding, entity) that does not exist."""

    exit_code = 2


class MissingFileError(ArmswatchError, FileNotFoundError):
    """A file or folder the user named does not exist."""

    exit_code = 2


class WorkspaceError(ArmswatchError, OSError):
    """The workspace cannot be found, opened or upgraded."""

    exit_code = 2


class ConflictError(InputError):
    """A change based on a state that someone else changed meanwhile (optimistic concurrency)."""


class IntegrityError(ArmswatchError, RuntimeError):
    """Stored data failed a consistency check (hash chain, blob hash)."""

    exit_code = 3


class ExternalServiceError(ArmswatchError, ConnectionError):
    """A remote service (STAC API, feed) could not be reached or answered badly."""

    exit_code = 4
