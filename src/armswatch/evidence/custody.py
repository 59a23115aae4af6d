"""Chain of custody: every capture, access, derivation, timestamp, export and transfer of evidence.

Each custody event is an entry in the workspace's hash-chained audit log (action ``custody.<event>``,
object the artifact), so it cannot be edited or dropped without ``armswatch verify`` noticing. The
fields follow the Berkeley Protocol on Digital Open Source Investigations (2022) for a custody
record: who acted, when, what was done, why, how (tool and method), from where, and the file's hash
at that moment.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Any, Final

from armswatch import __version__
from armswatch.errors import InputError
from armswatch.workspace import Workspace

EVENTS: Final = ("capture", "access", "derive", "timestamp", "export", "transfer", "verify")


@dataclass(frozen=True, slots=True)
class CustodyEvent:
    seq: int
    at: str
    who: str
    event: str
    artifact: str
    purpose: str
    tool: str
    location: str
    sha256: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "who": self.who,
            "event": self.event,
            "artifact": self.artifact,
            "purpose": self.purpose,
            "tool": self.tool,
            "location": self.location,
            "sha256": self.sha256,
            "details": self.details,
        }


def record_custody(
    ws: Workspace,
    artifact_id: str,
    event: str,
    *,
    purpose: str,
    tool: str = "",
    location: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Add one custody event for an artifact to the audit log (the artifact must exist)."""
    record_custody_many(
        ws, [artifact_id], event, purpose=purpose, tool=tool, location=location, details=details
    )


def record_custody_many(
    ws: Workspace,
    artifact_ids: list[str],
    event: str,
    *,
    purpose: str,
    tool: str = "",
    location: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """The same custody event for several artifacts, in one transaction (one audit entry each)."""
    if event not in EVENTS:
        raise InputError(f"custody event must be one of {', '.join(EVENTS)}; got {event!r}")
    artifacts = [ws.get_artifact(a) for a in artifact_ids]
    base = {
        "purpose": purpose,
        "tool": tool or f"armswatch {__version__}",
        "location": location or f"workspace {ws.name} on {platform.node()}",
        "details": dict(details or {}),
    }
    with ws.transaction() as conn:
        for artifact in artifacts:
            ws._audit(conn, f"custody.{event}", "artifact", artifact.id, {**base, "sha256": artifact.sha256})


def custody_events(ws: Workspace, artifact_id: str | None = None) -> list[CustodyEvent]:
    """Custody events in chain order, for one artifact or for all."""
    wanted = ws.resolve_artifact_id(artifact_id) if artifact_id else None
    out = []
    for e in ws.audit_entries():
        if not e.action.startswith("custody.") or (wanted and e.object_id != wanted):
            continue
        p = e.payload
        out.append(
            CustodyEvent(
                seq=e.seq,
                at=e.at,
                who=e.analyst,
                event=e.action.removeprefix("custody."),
                artifact=e.object_id,
                purpose=str(p.get("purpose", "")),
                tool=str(p.get("tool", "")),
                location=str(p.get("location", "")),
                sha256=str(p.get("sha256", "")),
                details=dict(p.get("details") or {}),
            )
        )
    return out
