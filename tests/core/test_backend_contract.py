"""One contract test run against every storage backend: SQLite always, PostgreSQL where its server is installed.

The PostgreSQL case starts a throwaway cluster on a Unix socket (no TCP) with the machine's ``initdb`` and
``pg_ctl``; on a machine without them it is skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from armswatch.workspace import Workspace

from ..conftest import make_site  # type: ignore[import-not-found]


def _pg_binaries() -> tuple[str, str] | None:
    """initdb and pg_ctl on PATH, else from Debian's /usr/lib/postgresql/<version>/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
            if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
                return str(folder / "initdb"), str(folder / "pg_ctl")
    return (initdb, pg_ctl) if initdb and pg_ctl else None


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bins = _pg_binaries()
    if bins is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed on this machine")
    initdb, pg_ctl = bins
    base = Path(tempfile.mkdtemp(prefix="armswatch-pg-"))  # pytest's tmp is root-only; postgres must reach it
    base.chmod(0o755)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    opts = f"-k {sock} -h '' -F"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-w", "start", "-l", str(base / "log")]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sock}"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def _fresh_schema_url(url: str) -> str:
    """A separate PostgreSQL database per test, so runs do not see each other."""
    import sqlalchemy as sa

    name = "t" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    url = None
    if request.param == "postgresql":
        url = _fresh_schema_url(request.getfixturevalue("postgres_url"))
    ws = Workspace.init(tmp_path / "case", database_url=url, analyst="contract")
    yield ws
    ws.close()


def test_storage_contract(backend_ws: Workspace) -> None:
    ws = backend_ws
    src = ws.add_source("RUSI", reliability="B", url="https://rusi.org")
    art = ws.add_artifact(b"\x00imagery\xff", name="scene.tif", source=src, metadata={"cloud": 3.5})
    assert ws.add_artifact(b"\x00imagery\xff", name="again.tif").id == art.id
    assert ws.get_artifact(art.sha256[:12]).metadata == {"cloud": 3.5}
    assert ws.save_sites([make_site()]) == {"added": 1, "updated": 0, "unchanged": 0}
    assert ws.save_sites([make_site()]) == {"added": 0, "updated": 0, "unchanged": 1}
    assert ws.get_site("rajin-port").geometry.equals(make_site().geometry)
    with ws.run("contract.test", parameters={"k": [1, 2]}, inputs=[art.id]) as run:
        run.summary["n"] = 1
        fid = run.add_finding(
            kind="contract.finding",
            title="t",
            subjects=["site:rajin-port"],
            geometry={"type": "Point", "coordinates": [130.4, 42.3]},
            evidence=[art.id],
        )
    with pytest.raises(RuntimeError), ws.run("contract.fail") as run:
        raise RuntimeError("boom")
    ws.review_finding(fid, "confirmed", "ok")
    (f,) = ws.list_findings(subject="site:rajin-port")
    assert f.status == "confirmed" and f.evidence == (art.id,) and f.reviews[0].note == "ok"
    assert [r.status for r in ws.list_runs()] == ["succeeded", "failed"]
    assert ws.get_run(f.run_id).parameters == {"k": [1, 2]}
    assert ws.verify_audit() == []
    ws.remove_site("rajin-port")
    assert ws.list_sites() == []
