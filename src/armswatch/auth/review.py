"""Reviewing a finding as a user: the role and the second-pair-of-eyes rule, then the workspace's review."""

from __future__ import annotations

from armswatch.auth.errors import ForbiddenError
from armswatch.auth.roles import allows
from armswatch.auth.session import acting_as
from armswatch.auth.users import User
from armswatch.provenance.model import Review, clean_status
from armswatch.workspace import Workspace


def creator_of(ws: Workspace, finding_id: str) -> str:
    """The analyst who created a finding (the analyst of its run)."""
    return ws.get_run(ws.get_finding(finding_id).run_id).analyst


def review_as(ws: Workspace, user: User, finding_id: str, status: str, note: str = "") -> Review:
    """Change a finding's status in ``user``'s name.

    Only reviewers (and admins) review; nobody confirms a finding they created themselves.
    """
    status = clean_status(status)
    if not allows(user.role, "reviewer"):
        raise ForbiddenError(f"reviewing findings needs the reviewer role (you are {user.role})")
    finding = ws.get_finding(finding_id)
    if status == "confirmed" and creator_of(ws, finding.id) == user.name:
        raise ForbiddenError(
            f"you created finding {finding.id}; another reviewer must confirm it (a second pair of eyes)"
        )
    return acting_as(ws, user).review_finding(finding.id, status, note)
