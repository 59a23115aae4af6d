"""Analyses started from the workbench: the step of the analysis, and within it done of total (with a
percentage) wherever the library reports a total; a phase without one shows no invented percentage."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from tests.web.conftest import Case

from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.web import jobs
from armswatch.web.jobs import Analysis, JobRunner, Reporter, with_progress


def _wait(runner: JobRunner, job_id: str, state: str) -> jobs.Job:
    deadline = time.monotonic() + 30
    while (job := runner.get(job_id)).state != state:
        assert time.monotonic() < deadline, job
        time.sleep(0.01)
    return job


def test_steps_phases_and_totals(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    gates = [threading.Event(), threading.Event()]
    reached = [threading.Event(), threading.Event()]

    def library(items: list[int], progress: Progress = NO_PROGRESS) -> int:
        progress.phase("warming up")  # no total: no percentage
        reached[0].set()
        assert gates[0].wait(10)
        for i in steps(progress, "items", items):
            if i == 3:  # three of four done
                reached[1].set()
                assert gates[1].wait(10)
        return len(items)

    def analysis(ws: Any, report: Reporter) -> dict[str, Any]:
        report.step("first")
        report.step("second")
        return {"n": with_progress(library, [0, 1, 2, 3], progress=report)}

    monkeypatch.setitem(jobs.ANALYSES, "test.two", Analysis("Two steps", 2, analysis))
    runner: JobRunner = case.app.state.jobs
    job_id = runner.start(case.ws, "test.two").id
    page = case.client("viewer")
    try:
        assert reached[0].wait(10)
        warm = runner.get(job_id)
        assert (warm.step, warm.phase, warm.total, warm.percent) == (2, "warming up", None, None)
        html = page.get("/jobs").text
        assert "step 2 of 2: warming up" in html and "<progress" not in html
        gates[0].set()
        assert reached[1].wait(10)
        mid = runner.get(job_id)
        assert (mid.step, mid.steps, mid.phase, mid.done, mid.total, mid.percent) == (2, 2, "items", 3, 4, 75)
        html = page.get("/jobs").text
        assert "step 2 of 2: items" in html and "3 of 4 (75%)" in html
        assert '<progress max="4" value="3">' in html
    finally:
        for g in gates:
            g.set()
    done = _wait(runner, job_id, "succeeded")
    assert done.as_dict()["percent"] == 100 and done.as_dict()["result"] == {"n": 4}


def test_with_progress_calls_functions_without_a_reporter_too() -> None:
    def plain(x: int) -> int:
        return x + 1

    assert with_progress(plain, 1, progress=NO_PROGRESS) == 2


def test_a_failed_job_keeps_where_it_stopped(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    def fails(ws: Any, report: Reporter) -> dict[str, Any]:
        report.step("first")
        report.phase("records", 10)
        report.advance(4)
        raise ValueError("boom")

    monkeypatch.setitem(jobs.ANALYSES, "test.fails", Analysis("Fails", 3, fails))
    runner = JobRunner()
    failed = _wait(runner, runner.start(case.ws, "test.fails").id, "failed")
    assert (failed.step, failed.phase, failed.done, failed.total, failed.percent) == (1, "records", 4, 10, 40)
    assert "boom" in (failed.error or "")


def test_violations_map_from_the_api_reports_the_library_phases(fresh_case: Case) -> None:
    client = fresh_case.client("analyst", bearer=True)
    assert (
        fresh_case.client("viewer", bearer=True)
        .post("/api/v1/jobs", json={"analysis": "violations.map"})
        .status_code
        == 403
    )
    r = client.post("/api/v1/jobs", json={"analysis": "violations.map"})
    assert r.status_code == 202 and r.json()["steps"] == 1
    job_id = r.json()["id"]
    deadline = time.monotonic() + 30
    while (body := client.get(f"/api/v1/jobs/{job_id}").json())["state"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert body["state"] == "succeeded", body
    assert body["percent"] == 100 and body["step"] == 1
    assert body["result"]["facts read"] == 3
    page = fresh_case.client("viewer").get("/jobs").text
    assert '<progress max="1" value="1">' in page and "100%" in page
