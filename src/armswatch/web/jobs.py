"""Long analyses started from the workbench, run in a background thread, with their progress.

One job at a time per analysis (a second start while one runs is refused). Jobs are kept in memory for
this server process; what they record (runs, findings, events) is in the workspace like any run.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from armswatch.errors import ArmswatchError, InputError
from armswatch.workspace import Workspace


def _ais_events(ws: Workspace, progress: Callable[[str], None]) -> dict[str, Any]:
    from armswatch.maritime.events import analyse_workspace
    from armswatch.web.query.events import save_events

    progress("detecting port calls, gaps, encounters, loitering and spoofing")
    events, run_id, n = analyse_workspace(ws)
    progress("saving events")
    save_events(ws, run_id, events)
    return {"run": run_id, "events": events.height, "findings": n}


def _ais_screen(ws: Workspace, progress: Callable[[str], None]) -> dict[str, Any]:
    from armswatch.joins.designated_vessel import screen_ais_vessels

    progress("screening AIS vessels against the lists")
    return dict(screen_ais_vessels(ws))


ANALYSES: Final[dict[str, tuple[str, Callable[[Workspace, Callable[[str], None]], dict[str, Any]]]]] = {
    "ais.events": ("Detect AIS events and patterns", _ais_events),
    "ais.screen": ("Screen AIS vessels against sanctions lists", _ais_screen),
}


@dataclass(frozen=True)
class Job:
    id: str
    analysis: str
    user: str
    state: str  # queued, running, succeeded, failed
    phase: str
    started: float
    ended: float | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def elapsed_s(self) -> float:
        return round((self.ended or time.time()) - self.started, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "analysis": self.analysis,
            "title": ANALYSES[self.analysis][0],
            "user": self.user,
            "state": self.state,
            "phase": self.phase,
            "elapsed_s": self.elapsed_s,
            "result": self.result,
            "error": self.error,
        }


class JobRunner:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def _set(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def start(self, ws: Workspace, analysis: str) -> Job:
        """Start ``analysis`` on ``ws`` (a workspace acting as the user) in a background thread."""
        if analysis not in ANALYSES:
            raise InputError(f"unknown analysis {analysis!r} (have: {', '.join(ANALYSES)})")
        with self._lock:
            if any(j.analysis == analysis and j.state in ("queued", "running") for j in self._jobs.values()):
                raise InputError(f"{analysis} is already running; wait for it to finish")
            job = Job(f"job-{secrets.token_hex(4)}", analysis, ws.analyst, "queued", "queued", time.time())
            self._jobs[job.id] = job
        thread = threading.Thread(target=self._run, args=(ws, job.id), name=job.id, daemon=True)
        thread.start()
        return job

    def _run(self, ws: Workspace, job_id: str) -> None:
        job = self.get(job_id)
        self._set(job_id, state="running", phase="starting")
        try:
            result = ANALYSES[job.analysis][1](ws, lambda phase: self._set(job_id, phase=phase))
        except ArmswatchError as exc:
            self._set(job_id, state="failed", phase="failed", error=str(exc), ended=time.time())
        except Exception as exc:  # a crash in an analysis must reach the user, not kill the server
            self._set(
                job_id,
                state="failed",
                phase="failed",
                error=f"{type(exc).__name__}: {exc}",
                ended=time.time(),
            )
        else:
            self._set(job_id, state="succeeded", phase="done", result=result, ended=time.time())

    def get(self, job_id: str) -> Job:
        from armswatch.errors import NotFoundError

        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r} (jobs are kept until the server restarts)")
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.started)
