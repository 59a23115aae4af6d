"""Is the process that started a run still alive?

A run records who runs it: process id, host, boot id and the process start time (so a recycled pid
is not mistaken for the original process), and holds a lease that it renews while it works. A run
left "running" is dead when, on the same host and boot, its process is gone or is another process
with the same pid; on another host (a shared PostgreSQL database) when its lease has expired.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

LEASE = timedelta(minutes=2)
"""How long a run's lease lasts; a live run renews it every :data:`RENEW_SECONDS`."""
RENEW_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    pid: int
    host: str
    boot_id: str
    start: str


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_start(pid: int) -> str:
    """The start time of process ``pid`` (clock ticks since boot, from /proc), "" when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def this_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, socket.gethostname(), _boot_id(), process_start(pid))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(owner: ProcessIdentity | None, lease_until: datetime | None, now: datetime) -> str | None:
    """Why the run owned by ``owner`` is dead, or None while it may still be alive."""
    if owner is None:
        return "no owner recorded (left running by an older armswatch or a crash before it started)"
    me = this_process()
    if owner.host == me.host and owner.boot_id == me.boot_id:
        if owner.pid == me.pid and owner.start == me.start:
            return None
        if not pid_alive(owner.pid):
            return f"its process {owner.pid} on {owner.host} is gone"
        if owner.start and process_start(owner.pid) != owner.start:
            return f"its process {owner.pid} on {owner.host} is gone (pid reused)"
        return None
    if owner.host == me.host and owner.boot_id != me.boot_id:
        return f"{owner.host} restarted since the run began"
    if lease_until is not None and lease_until < now:
        return f"its lease from {owner.host} (pid {owner.pid}) expired at {lease_until.isoformat()}"
    return None
