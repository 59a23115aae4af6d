"""Long analyses started from the workbench, run in a background thread, with their progress.

One job at a time per analysis (a second start while one runs is refused). Jobs are kept in memory for
this server process; what they record (runs, findings, events) is in the workspace like any run.

Progress has two levels. An analysis is a fixed number of *steps* (so the job always knows "step 1 of
2"). Inside a step, library functions that accept ``progress`` (:mod:`armswatch.progress`) report named
phases, with a total where one can be known (days, candidates, items); the job then shows ``done`` of
``total`` and a percentage. A phase without a total shows its name only: no invented percentage.
"""

from __future__ import annotations

import inspect
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from armswatch.errors import ArmswatchError, InputError
from armswatch.progress import Progress
from armswatch.workspace import Workspace


def with_progress(fn: Callable[..., Any], *args: Any, progress: Progress) -> Any:
    """``fn(*args, progress=progress)`` when ``fn`` takes a progress reporter, else ``fn(*args)``."""
    if "progress" in inspect.signature(fn).parameters:
        return fn(*args, progress=progress)
    return fn(*args)


class Reporter(Progress):
    """What an analysis reports to: ``step(name)`` for its own steps, and the Progress protocol for
    the library functions it calls."""

    def __init__(self, runner: JobRunner, job_id: str) -> None:
        self._runner, self._id = runner, job_id

    def step(self, name: str) -> None:
        self._runner._step(self._id, name)

    def phase(self, name: str, total: int | None = None) -> None:
        self._runner._set(self._id, phase=name, done=0, total=total)

    def advance(self, n: int = 1) -> None:
        self._runner._advance(self._id, n)


def _ais_events(ws: Workspace, report: Reporter) -> dict[str, Any]:
    from armswatch.maritime.events import analyse_workspace
    from armswatch.web.query.events import save_events

    report.step("detecting port calls, gaps, encounters, loitering and spoofing")
    events, run_id, n = with_progress(analyse_workspace, ws, progress=report)
    report.step("saving events")
    save_events(ws, run_id, events)
    return {"run": run_id, "events": events.height, "findings": n}


def _ais_screen(ws: Workspace, report: Reporter) -> dict[str, Any]:
    from armswatch.joins.designated_vessel import screen_ais_vessels

    report.step("screening AIS vessels against the lists")
    return dict(with_progress(screen_ais_vessels, ws, progress=report))


def _munitions_assess(ws: Workspace, report: Reporter) -> dict[str, Any]:
    from armswatch.munitions.assess import assess_items

    report.step("recording item and group findings")
    return dict(with_progress(assess_items, ws, progress=report))


def _violations_map(ws: Workspace, report: Reporter) -> dict[str, Any]:
    from armswatch.violations.mapper import map_violations

    report.step("reading the latest findings against the provisions")
    return dict(with_progress(map_violations, ws, progress=report))


@dataclass(frozen=True)
class Analysis:
    title: str
    steps: int  # how many times ``run`` calls ``report.step``: known before it starts
    run: Callable[[Workspace, Reporter], dict[str, Any]]


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
    step: int = 0  # the analysis step running (1-based; 0 before the first)
    steps: int = 1  # steps the analysis has
    done: int = 0  # units of the current phase done
    total: int | None = None  # units in the current phase, when the library knows them

    @property
    def percent(self) -> int | None:
        """Of the current phase when its total is known; 100 once the job succeeded."""
        if self.state == "succeeded":
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

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
            "step": self.step,
            "steps": self.steps,
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

    def _step(self, job_id: str, name: str) -> None:
        with self._lock:
            job = self._jobs[job_id]
            step = min(job.step + 1, job.steps)
            self._jobs[job_id] = replace(job, step=step, phase=name, done=0, total=None)

    def _advance(self, job_id: str, n: int) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = replace(job, done=job.done + n)

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
                steps=ANALYSES[analysis].steps,
            )
            self._jobs[job.id] = job
        thread = threading.Thread(target=self._run, args=(ws, job.id), name=job.id, daemon=True)
        thread.start()
        return job

    def _run(self, ws: Workspace, job_id: str) -> None:
        job = self.get(job_id)
        self._set(job_id, state="running", phase="starting")
        try:
            result = ANALYSES[job.analysis].run(ws, Reporter(self, job_id))
        except ArmswatchError as exc:
            self._set(job_id, state="failed", error=str(exc), ended=time.time())
        except Exception as exc:  # a crash in an analysis must reach the user, not kill the server
            self._set(job_id, state="failed", error=f"{type(exc).__name__}: {exc}", ended=time.time())
        else:
            self._set(
                job_id, state="succeeded", phase="done", step=job.steps, result=result, ended=time.time()
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
