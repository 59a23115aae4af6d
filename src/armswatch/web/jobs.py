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

Step = Callable[[str], None]
"""Called as each step of an analysis starts, with its name; the job counts the steps done."""


def _ais_events(ws: Workspace, step: Step) -> dict[str, Any]:
    from armswatch.maritime.events import analyse_workspace
    from armswatch.web.query.events import save_events

    step("detecting port calls, gaps, encounters, loitering and spoofing")
    events, run_id, n = analyse_workspace(ws)
    step("saving events")
    save_events(ws, run_id, events)
    return {"run": run_id, "events": events.height, "findings": n}


def _ais_screen(ws: Workspace, step: Step) -> dict[str, Any]:
    from armswatch.joins.designated_vessel import screen_ais_vessels

    step("screening AIS vessels against the lists")
    return dict(screen_ais_vessels(ws))


def _munitions_assess(ws: Workspace, step: Step) -> dict[str, Any]:
    from armswatch.munitions.assess import assess_items

    step("recording item and group findings")
    return dict(assess_items(ws))


def _violations_map(ws: Workspace, step: Step) -> dict[str, Any]:
    from armswatch.violations.mapper import map_violations

    step("reading the latest findings against the provisions")
    return dict(map_violations(ws))


@dataclass(frozen=True)
class Analysis:
    title: str
    steps: int  # how many times ``run`` calls its step callback: the job's known total
    run: Callable[[Workspace, Step], dict[str, Any]]


ANALYSES: Final[dict[str, Analysis]] = {
    "ais.events": Analysis("Detect AIS events and patterns", 2, _ais_events),
    "ais.screen": Analysis("Screen AIS vessels against sanctions lists", 1, _ais_screen),
    "munitions.assess": Analysis("Assess munition items (item and group findings)", 1, _munitions_assess),
    "violations.map": Analysis("Map the case's findings to Security Council provisions", 1, _violations_map),
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
    done: int = 0  # steps finished
    total: int = 1  # steps the analysis has

    @property
    def percent(self) -> int:
        return round(100 * min(self.done, self.total) / self.total) if self.total else 0

    @property
    def elapsed_s(self) -> float:
        return round((self.ended or time.time()) - self.started, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "analysis": self.analysis,
            "title": ANALYSES[self.analysis].title,
            "user": self.user,
            "state": self.state,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
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
            job = Job(
                f"job-{secrets.token_hex(4)}",
                analysis,
                ws.analyst,
                "queued",
                "queued",
                time.time(),
                total=ANALYSES[analysis].steps,
            )
            self._jobs[job.id] = job
        thread = threading.Thread(target=self._run, args=(ws, job.id), name=job.id, daemon=True)
        thread.start()
        return job

    def _run(self, ws: Workspace, job_id: str) -> None:
        job = self.get(job_id)
        self._set(job_id, state="running", phase="starting")
        started = 0

        def step(phase: str) -> None:
            nonlocal started
            started += 1  # the step before this one is done
            self._set(job_id, phase=phase, done=min(started - 1, job.total))

        try:
            result = ANALYSES[job.analysis].run(ws, step)
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
            self._set(
                job_id, state="succeeded", phase="done", result=result, done=job.total, ended=time.time()
            )

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
