"""Argon2id password hashing (argon2-cffi, its default parameters: RFC 9106 low-memory profile)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from armswatch.errors import InputError

MIN_LENGTH = 8


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InputError(f"password too short: at least {MIN_LENGTH} characters")
    if password != password.strip():
        raise InputError("password may not start or end with white space")


def hash_password(password: str) -> str:
    check_strength(password)
    return str(_hasher().hash(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; a malformed stored hash counts as no match."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so that an unknown name costs as much
# time as a wrong password (no user enumeration by timing).
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return str(_hasher().hash("not a real password, only spends time"))
