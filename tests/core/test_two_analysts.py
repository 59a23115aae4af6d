"""Two analysts at once, each from their own workspace folder on one shared case (PostgreSQL with a
shared folder store; SQLite in WAL mode on one machine): interleaved imports, runs and reviews lose
nothing and double nothing, and a database busy past its timeout is one clear error."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import WorkspaceError
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .test_backend_contract import _fresh_schema_url, postgres_url  # type: ignore[import-not-found]  # noqa: F401

N = 8  # writes of each kind per analyst

SESSION = """
import contextlib, sys
from pathlib import Path
from armswatch.errors import ConflictError
from armswatch.workspace import Workspace

root, who, n, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with Workspace.open(Path(root), analyst=who) as ws:
    for i in range(n):
        art = ws.add_artifact(f"{who}-{i}".encode(), name=f"{who}-{i}.txt")
        with ws.run("test.two-analysts", parameters={"who": who, "i": i}, inputs=[art.id]) as run:
            fid = run.add_finding(kind="test.two-analysts", title=f"{who} {i}", evidence=[art.id])
        ws.review_finding(fid, "confirmed", f"{who} confirms {i}", expected_status="new")
        (seen,) = [f.status for f in ws.list_findings(kind="shared")]
        with contextlib.suppress(ConflictError):  # the other analyst may have reviewed it meanwhile
            flip = "rejected" if seen == "confirmed" else "confirmed"
            ws.review_finding(shared, flip, f"{who} flips {i}", expected_status=seen)
"""


def _two_clients(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> tuple[Workspace, Workspace]:
    if backend == "postgresql":
        url = _fresh_schema_url(request.getfixturevalue("postgres_url"))
        alice = Workspace.init(
            tmp_path / "alice", database_url=url, blobs=str(tmp_path / "store"), analyst="lead"
        )
        return alice, Workspace.join(tmp_path / "bob", database_url=url, analyst="lead")
    alice = Workspace.init(tmp_path / "alice", analyst="lead")
    url = f"sqlite:///{(tmp_path / 'alice' / 'armswatch.db').resolve()}"
    return alice, Workspace.join(tmp_path / "bob", database_url=url, blobs=str(alice.root), analyst="lead")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_analysts_at_once_lose_nothing(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    alice, bob = _two_clients(tmp_path, backend, request)
    art = alice.add_artifact(b"shared evidence")
    with alice.run("test.setup") as run:
        shared = run.add_finding(kind="shared", title="both review this", evidence=[art.id])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SESSION, str(ws.root), who, str(N), shared], stderr=subprocess.PIPE
        )
        for ws, who in ((alice, "alice"), (bob, "bob"))
    ]
    errors = [p.communicate(timeout=600)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors

    expected = sorted((who, i) for who in ("alice", "bob") for i in range(N))
    runs = alice.list_runs(tool="test.two-analysts", status="succeeded")
    assert sorted((r.parameters["who"], r.parameters["i"]) for r in runs) == expected
    findings = bob.list_findings(kind="test.two-analysts")
    assert sorted(f.title for f in findings) == sorted(f"{w} {i}" for w, i in expected)
    assert all(f.status == "confirmed" and len(f.reviews) == 1 for f in findings)
    names = {a.name for a in alice.list_artifacts()}
    assert {f"{w}-{i}.txt" for w, i in expected} <= names

    entries = bob.audit_entries()
    written = Counter((e.action, e.object_id) for e in entries)
    ids = {a.id for a in alice.list_artifacts()}
    assert all(written[("artifact.add", a)] == 1 for a in ids)
    for r in runs:
        assert written[("run.start", r.id)] == 1 and written[("run.finish", r.id)] == 1
    for f in findings:
        assert written[("finding.add", f.id)] == 1 and written[("finding.review", f.id)] == 1
    (common,) = alice.list_findings(kind="shared")
    assert written[("finding.review", shared)] == len(common.reviews) >= 1
    assert all(
        r.status_from == prev.status_to for prev, r in zip(common.reviews, common.reviews[1:], strict=False)
    )
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))  # one chain, no gaps
    assert verify_workspace(alice).problems == []
    assert verify_workspace(bob).problems == []
    alice.close()
    bob.close()


def test_a_busy_sqlite_database_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.init(tmp_path / "case").close()
    (tmp_path / "f.txt").write_bytes(b"x")
    holder = sqlite3.connect(tmp_path / "case" / "armswatch.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        monkeypatch.setenv("ARMSWATCH_BUSY_TIMEOUT_MS", "200")
        with Workspace.open(tmp_path / "case") as ws, pytest.raises(WorkspaceError, match="database is busy"):
            ws.add_source("RUSI")
        result = CliRunner().invoke(
            app, ["artifacts", "add", "-w", str(tmp_path / "case"), str(tmp_path / "f.txt")]
        )
        assert result.exit_code == 2
        (line,) = [x for x in result.output.splitlines() if x.strip()]
        assert line.startswith("Error: the database is busy") and "retry" in line
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Workspace.open(tmp_path / "case") as ws:  # nothing half-written
        assert ws.list_artifacts() == [] and verify_workspace(ws).problems == []
