from __future__ import annotations

from datetime import UTC, datetime

import pytest

from armswatch.errors import InputError, NotFoundError
from armswatch.workspace import Workspace

POINT = {"type": "Point", "coordinates": [130.39, 42.34]}


def _analyse(ws: Workspace, threshold: float) -> str:
    art = ws.add_artifact(b"scene", name="scene.tif")
    with ws.run("test.analysis", parameters={"threshold": threshold}, inputs=[art.id]) as run:
        run.summary["pixels"] = 42
        fid = run.add_finding(
            kind="test.change",
            title="+4,200 m2 at Rajin",
            geometry=POINT,
            confidence="Likely",
            start=datetime(2024, 3, 2, tzinfo=UTC),
            end=datetime(2024, 10, 11, tzinfo=UTC),
            subjects=["site:rajin-port"],
            evidence=[art.id],
        )
    return fid


def test_rerun_adds_run_and_findings_never_overwrites(ws: Workspace) -> None:
    f1 = _analyse(ws, 0.5)
    f2 = _analyse(ws, 0.5)
    runs = ws.list_runs("test.analysis")
    assert len(runs) == 2 and all(r.status == "succeeded" for r in runs)
    assert f1 != f2
    findings = ws.list_findings(kind="test")
    assert {f.id for f in findings} == {f1, f2}
    assert {f.run_id for f in findings} == {r.id for r in runs}
    first = ws.get_finding(f1)
    assert first.confidence == "likely" and first.status == "new" and first.subjects == ("site:rajin-port",)
    assert first.evidence == (runs[0].inputs[0],)
    assert ws.get_run(runs[0].id).summary == {"pixels": 42}
    assert ws.list_findings(subject="site:rajin-port")[0].id in {f1, f2}


def test_failed_run_is_recorded_and_keeps_no_findings(ws: Workspace) -> None:
    with pytest.raises(RuntimeError), ws.run("test.fail", parameters={}) as run:
        run.add_finding(kind="test.x", title="should not survive")
        raise RuntimeError("disk full")
    (failed,) = ws.list_runs("test.fail")
    assert failed.status == "failed" and failed.error == "disk full"
    assert ws.list_findings(kind="test.x") == []


def test_finding_validation(ws: Workspace) -> None:
    with ws.run("test.validate") as run:
        with pytest.raises(InputError):
            run.add_finding(kind="k", title="t", confidence="pretty sure")
        with pytest.raises(InputError):
            run.add_finding(kind="k", title="t", geometry={"type": "Point", "coordinates": [500, 1]})
        with pytest.raises(InputError):
            run.add_finding(
                kind="k",
                title="t",
                start=datetime(2024, 2, 1, tzinfo=UTC),
                end=datetime(2024, 1, 1, tzinfo=UTC),
            )


def test_evidence_must_exist(ws: Workspace) -> None:
    with pytest.raises(NotFoundError), ws.run("test.evidence") as run:
        run.add_finding(kind="k", title="t", evidence=["sha256:" + "0" * 64])
    assert ws.list_findings() == []
    assert ws.list_runs("test.evidence")[0].status == "failed"


def test_review_history_is_kept(ws: Workspace) -> None:
    fid = _analyse(ws, 0.3)
    ws.review_finding(fid, "confirmed", "seen on Planet 2024-10-05")
    ws.review_finding(fid, "rejected", "cloud shadow after all")
    f = ws.get_finding(fid)
    assert f.status == "rejected"
    assert [(r.status_from, r.status_to) for r in f.reviews] == [
        ("new", "confirmed"),
        ("confirmed", "rejected"),
    ]
    assert f.reviews[0].analyst == "tester"
    with pytest.raises(InputError):
        ws.review_finding(fid, "maybe")


def test_simulated_inputs_mark_findings_simulated(ws: Workspace) -> None:
    sim = ws.add_artifact(b"fake scene", name="sim.tif", simulated=True)
    with ws.run("test.sim", inputs=[sim.id]) as run:
        run.add_finding(kind="test.sim", title="simulated change")
    (f,) = ws.list_findings(kind="test.sim")
    assert f.simulated
    assert ws.list_runs("test.sim")[0].simulated
