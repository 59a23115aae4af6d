"""Authentication and authorisation errors (on the one :class:`ArmswatchError` root)."""

from __future__ import annotations

from armswatch.errors import ArmswatchError, InputError


class AuthenticationError(ArmswatchError, PermissionError):
    """No valid credentials: unknown user, wrong password, disabled account, expired or revoked session."""

    exit_code = 2


class ForbiddenError(ArmswatchError, PermissionError):
    """Authenticated, but the role (or the second-pair-of-eyes rule) does not allow the action."""

    exit_code = 2


class RateLimitedError(ArmswatchError, PermissionError):
    """Too many failed logins for this user or address; try again later."""

    exit_code = 2

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CsrfError(ForbiddenError):
    """A state-changing request with cookie authentication lacked a valid CSRF token."""


__all__ = ["AuthenticationError", "CsrfError", "ForbiddenError", "InputError", "RateLimitedError"]
