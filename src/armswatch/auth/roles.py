"""The four roles and what each may do.

Roles are ordered: each role may do everything the roles below it may do.

* ``viewer`` reads everything;
* ``analyst`` also adds evidence, hints and annotations and runs analyses;
* ``reviewer`` also confirms or rejects findings (never one they created themselves);
* ``admin`` also manages users.
"""

from __future__ import annotations

from typing import Final

from armswatch.errors import InputError

ROLES: Final[tuple[str, ...]] = ("viewer", "analyst", "reviewer", "admin")

WHAT_ROLE_MAY_DO: Final[dict[str, str]] = {
    "viewer": "read findings, sites, vessels, entities, evidence and the audit log",
    "analyst": "also add evidence, hints and annotations, and run analyses",
    "reviewer": "also confirm or reject findings (not their own)",
    "admin": "also manage users",
}


def clean_role(role: str) -> str:
    r = role.strip().lower()
    if r not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return r


def allows(role: str, needed: str) -> bool:
    """May a user with ``role`` do what ``needed`` may do?"""
    return ROLES.index(role) >= ROLES.index(needed)
