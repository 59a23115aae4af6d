"""Kill -9 at random (seeded) points: the next open closes the run as failed, leaves nothing
half-written, verify passes and a re-run completes the work exactly once."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from armswatch.entities.schema import entity_snapshot, entity_statement
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .test_verify import UN_XML  # type: ignore[import-not-found]

KILLS = 20


@pytest.fixture(scope="module")
def ctx() -> Iterator[multiprocessing.context.ForkServerContext]:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["armswatch.provenance.child"])
    warm = _launch(context, ["--version"])  # start the server (imports) before anything is timed
    warm.join(300)
    yield context


def _launch(
    ctx: multiprocessing.context.ForkServerContext, argv: list[str]
) -> multiprocessing.process.BaseProcess:
    from armswatch.provenance.child import run_cli

    proc = ctx.Process(target=run_cli, args=(argv,))
    proc.start()
    return proc


def _clean_duration(ctx: multiprocessing.context.ForkServerContext, argv: list[str]) -> float:
    """How long the command takes, measured on its second run (the first fills on-disk caches)."""
    times = []
    for _ in range(2):
        started = time.monotonic()
        proc = _launch(ctx, argv)
        proc.join(300)
        assert proc.exitcode == 0
        times.append(time.monotonic() - started)
    return times[-1]


def _marinecadastre(path: Path, rows: int) -> None:
    rng = random.Random(7)
    start = datetime(2024, 1, 1)
    lines = [
        "BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TranscieverClass"
    ]
    for i in range(rows):
        ts = start + timedelta(minutes=i * 2)
        mmsi = 273000000 + rng.randrange(300)
        lines.append(
            f"{ts:%Y-%m-%dT%H:%M:%S},{130 + rng.random():.5f},{42 + rng.random():.5f},{mmsi},5.0,90.0,90.0,SHIP {mmsi},,,70,0,100,20,,,A"
        )
    path.write_text("\n".join(lines) + "\n")


def _positions(ws: Workspace) -> int:
    from armswatch.maritime.store import scan_positions

    return int(scan_positions(ws).select("mmsi").collect().height)


def _check_recovered(root: Path) -> Workspace:
    ws = Workspace.open(root, analyst="test")
    assert ws.list_runs(status="running") == []
    assert list((root / "tables").rglob("*.tmp")) == []
    problems = verify_workspace(ws).problems
    assert problems == [], [p.line() for p in problems]
    return ws


@pytest.mark.slow
def test_killed_ais_ingest_recovers(tmp_path: Path, ctx: multiprocessing.context.ForkServerContext) -> None:
    from armswatch.maritime.ingest import ingest_file

    data = tmp_path / "AIS_2024_01_01.csv"
    _marinecadastre(data, 20_000)
    reference = Workspace.init(tmp_path / "reference", analyst="test")
    ingest_file(reference, data)
    expected = _positions(reference)
    reference.close()
    root = tmp_path / "case"
    Workspace.init(root, analyst="test").close()
    argv = ["ais", "ingest", str(data), "--workspace", str(root), "--quiet"]
    span = _clean_duration(
        ctx, ["ais", "ingest", str(data), "--workspace", str(tmp_path / "reference"), "--quiet"]
    )
    rng = random.Random(20240101)
    for _ in range(KILLS):
        proc = _launch(ctx, argv)
        time.sleep(rng.uniform(0, span))
        proc.kill()
        proc.join()
        ws = _check_recovered(root)
        assert _positions(ws) <= expected
        ws.close()
    ws = _check_recovered(root)
    ingest_file(ws, data)
    assert _positions(ws) == expected
    _, again = ingest_file(ws, data)
    assert again["positions"]["added"] == 0 and _positions(ws) == expected
    assert verify_workspace(ws).problems == []
    failed = ws.list_runs(status="failed")
    assert all(r.error and r.inputs for r in failed)  # each killed run says why and names its input
    ws.close()


@pytest.mark.slow
def test_killed_entities_import_recovers(
    tmp_path: Path, ctx: multiprocessing.context.ForkServerContext
) -> None:
    from armswatch.entities.ingest import import_list

    data = tmp_path / "un.xml"
    data.write_bytes(UN_XML)
    root = tmp_path / "case"
    Workspace.init(root, analyst="test").close()
    argv = ["entities", "import", str(data), "--workspace", str(root)]
    Workspace.init(tmp_path / "reference", analyst="test").close()
    span = _clean_duration(ctx, ["entities", "import", str(data), "--workspace", str(tmp_path / "reference")])
    rng = random.Random(20240102)
    imported = 0
    for _ in range(KILLS):
        proc = _launch(ctx, argv)
        time.sleep(rng.uniform(0, span))
        proc.kill()
        proc.join()
        ws = _check_recovered(root)
        with ws.engine.connect() as conn:
            snaps = conn.execute(select(func.count()).select_from(entity_snapshot)).scalar()
        succeeded = ws.list_runs(tool="entities.import", status="succeeded")
        assert snaps == min(1, len(succeeded))  # a snapshot only with a succeeded run
        imported = max(imported, len(succeeded))
        ws.close()
    ws = _check_recovered(root)
    result = import_list(ws, data, format="un-xml")
    with ws.engine.connect() as conn:
        statements = conn.execute(select(func.count()).select_from(entity_statement)).scalar()
        snaps = conn.execute(select(func.count()).select_from(entity_snapshot)).scalar()
    assert snaps == 1 and statements == result.store.statements > 0
    assert import_list(ws, data, format="un-xml").run_id is None  # already imported, nothing added
    assert verify_workspace(ws).problems == []
    ws.close()
