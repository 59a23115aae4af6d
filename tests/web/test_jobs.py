"""Analyses started from the workbench: steps done of total (and a percentage), not only a phase name."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from tests.web.conftest import Case

from armswatch.web import jobs
from armswatch.web.jobs import Analysis, JobRunner


def _wait(runner: JobRunner, job_id: str, state: str) -> jobs.Job:
    deadline = time.monotonic() + 30
    while (job := runner.get(job_id)).state != state:
        assert time.monotonic() < deadline, job
        time.sleep(0.01)
    return job


def test_steps_done_of_total(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    gates = [threading.Event() for _ in range(3)]
    reached = [threading.Event() for _ in range(3)]

    def three_steps(ws: Any, step: jobs.Step) -> dict[str, Any]:
        for i, name in enumerate(("read", "compute", "write")):
            step(name)
            reached[i].set()
            assert gates[i].wait(10)
        return {"ok": True}

    monkeypatch.setitem(jobs.ANALYSES, "test.three", Analysis("Three steps", 3, three_steps))
    runner = JobRunner()
    job = runner.start(case.ws, "test.three")
    seen = []
    for i in range(3):
        assert reached[i].wait(10)
        j = runner.get(job.id)
        seen.append((j.phase, j.done, j.total, j.percent))
        gates[i].set()
    done = _wait(runner, job.id, "succeeded")
    assert seen == [("read", 0, 3, 0), ("compute", 1, 3, 33), ("write", 2, 3, 67)]
    assert (done.done, done.total, done.percent) == (3, 3, 100)
    assert done.as_dict()["percent"] == 100 and done.as_dict()["result"] == {"ok": True}


def test_a_failed_job_keeps_its_steps(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    def fails(ws: Any, step: jobs.Step) -> dict[str, Any]:
        step("first")
        step("second")
        raise ValueError("boom")

    monkeypatch.setitem(jobs.ANALYSES, "test.fails", Analysis("Fails", 3, fails))
    runner = JobRunner()
    failed = _wait(runner, runner.start(case.ws, "test.fails").id, "failed")
    assert (failed.done, failed.total) == (1, 3) and "boom" in (failed.error or "")


def test_start_munitions_assess_from_the_api_and_see_progress(fresh_case: Case) -> None:
    client = fresh_case.client("analyst", bearer=True)
    assert (
        fresh_case.client("viewer", bearer=True)
        .post("/api/v1/jobs", json={"analysis": "munitions.assess"})
        .status_code
        == 403
    )
    r = client.post("/api/v1/jobs", json={"analysis": "munitions.assess"})
    assert r.status_code == 202 and r.json()["total"] == 1
    job_id = r.json()["id"]
    deadline = time.monotonic() + 30
    while (body := client.get(f"/api/v1/jobs/{job_id}").json())["state"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert body["state"] == "succeeded", body
    assert (body["done"], body["total"], body["percent"]) == (1, 1, 100)
    assert body["result"]["items"] == 0
    page = fresh_case.client("viewer").get("/jobs").text
    assert "1/1 steps (100%)" in page and '<progress max="1" value="1">' in page
