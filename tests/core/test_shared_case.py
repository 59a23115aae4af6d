"""A shared case: one PostgreSQL database and one case store (a mounted folder or an S3 bucket),
seen by several analysts' clients, each with its own workspace folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from armswatch.case.export import export_case
from armswatch.case.load import import_case
from armswatch.cli.main import app
from armswatch.config import WorkspaceConfig, write_config
from armswatch.errors import ExternalServiceError, IntegrityError, WorkspaceError
from armswatch.provenance.verify import verify_workspace
from armswatch.store import schema as t
from armswatch.store.shared_case import MARKER
from armswatch.workspace import Workspace

from .s3_server import CREDENTIALS, moto_server  # type: ignore[import-not-found]
from .test_backend_contract import _fresh_schema_url, postgres_url  # type: ignore[import-not-found]  # noqa: F401


@pytest.fixture()
def pg(request: pytest.FixtureRequest) -> str:
    return str(_fresh_schema_url(request.getfixturevalue("postgres_url")))


def _lines(result: object) -> list[str]:
    return [line for line in str(getattr(result, "output", "")).splitlines() if line.strip()]


def test_second_client_sees_blobs_and_tables_through_a_shared_folder(tmp_path: Path, pg: str) -> None:
    store = tmp_path / "mnt" / "rajin"
    alice = Workspace.init(tmp_path / "alice", database_url=pg, blobs=str(store), analyst="alice")
    art = alice.add_artifact(b"\x00scene\xff", name="scene.tif")
    with alice.run("test.shared") as run:
        fid = run.add_finding(kind="k", title="t", evidence=[art.id])
    table = alice.tables_dir / "notes" / "part-0.parquet"
    table.parent.mkdir(parents=True)
    table.write_bytes(b"PAR1 not really parquet PAR1")
    alice.record_table_file(table)
    assert table.is_relative_to(store)

    result = CliRunner().invoke(app, ["join", "-q", "--database-url", pg, str(tmp_path / "bob")])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    bob = Workspace.open(tmp_path / "bob", analyst="bob")
    assert bob.blobs.location == alice.blobs.location and bob.tables_dir == alice.tables_dir
    verified = CliRunner().invoke(app, ["artifacts", "verify", "-w", str(bob.root)])
    assert verified.exit_code == 0, verified.output
    assert "1 artifacts verified" in verified.output
    bob.review_finding(fid, "confirmed", "seen from the second client")
    photo = bob.add_artifact(b"photo", name="photo.jpg")
    assert alice.artifact_path(photo.id).read_bytes() == b"photo"
    assert alice.list_findings()[0].status == "confirmed"
    assert verify_workspace(alice).problems == []
    assert verify_workspace(bob).problems == []
    actions = [e.action for e in bob.audit_entries()]
    assert actions.count("case.share") == 1 and actions.count("workspace.join") == 1
    alice.close()
    bob.close()


def test_init_refuses_a_database_that_holds_a_case(tmp_path: Path, pg: str) -> None:
    Workspace.init(tmp_path / "alice", database_url=pg).close()
    result = CliRunner().invoke(app, ["init", "--database-url", pg, str(tmp_path / "again")])
    assert result.exit_code == 2
    (line,) = _lines(result)
    assert "already holds a case" in line and "armswatch join" in line
    assert not (tmp_path / "again").exists()


def test_init_is_quiet_with_q(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", "-q", str(tmp_path / "case")])
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "case" / "armswatch.toml").is_file()


def test_join_refuses_a_database_without_a_case(tmp_path: Path, pg: str) -> None:
    result = CliRunner().invoke(app, ["join", "--database-url", pg, str(tmp_path / "bob")])
    assert result.exit_code == 2
    assert "holds no case" in _lines(result)[0]
    assert not (tmp_path / "bob").exists()


def test_a_client_that_does_not_see_the_store_is_refused_naming_both(tmp_path: Path, pg: str) -> None:
    store = tmp_path / "mnt" / "rajin"
    with Workspace.init(tmp_path / "alice", database_url=pg, blobs=str(store)) as alice:
        alice.add_artifact(b"scene")
    elsewhere = tmp_path / "mnt" / "empty"
    with pytest.raises(WorkspaceError, match="no case marker") as err:
        Workspace.join(tmp_path / "bob", database_url=pg, blobs=str(elsewhere))
    assert str(elsewhere) in str(err.value) and str(store) in str(err.value)
    assert not (tmp_path / "bob").exists()  # nothing left behind

    other = tmp_path / "mnt" / "other"
    Workspace.init(tmp_path / "other-case", blobs=str(other)).close()
    result = CliRunner().invoke(
        app, ["join", "--database-url", pg, "--blobs", str(other), str(tmp_path / "bob")]
    )
    assert result.exit_code == 2
    (line,) = _lines(result)
    assert "belongs to another case" in line and str(other) in line and str(store) in line

    with pytest.raises(WorkspaceError, match="already belongs to case"):
        Workspace.init(tmp_path / "third", blobs=str(store))

    # a client set up by hand (a workspace file naming the database but not the store)
    (tmp_path / "by-hand").mkdir()
    write_config(tmp_path / "by-hand", WorkspaceConfig(name="rajin", created="", database_url=pg))
    with pytest.raises(WorkspaceError, match="no case marker") as err:
        Workspace.open(tmp_path / "by-hand")
    assert str(tmp_path / "by-hand") in str(err.value) and str(store) in str(err.value)

    # the store's files gone (an unmounted folder with a stale marker): none of the sample is there
    for blob in (store / "blobs" / "sha256").rglob("*"):
        if blob.is_file():
            blob.chmod(0o644)
            blob.unlink()
    with pytest.raises(WorkspaceError, match="none of the 1 sampled blobs"):
        Workspace.open(tmp_path / "alice")


def test_joining_a_case_created_before_shared_stores_adopts_a_complete_store(tmp_path: Path, pg: str) -> None:
    with Workspace.init(tmp_path / "alice", database_url=pg) as alice:
        alice.add_artifact(b"scene")
        with alice.transaction() as conn:  # as an older armswatch left it
            conn.execute(text("DELETE FROM meta WHERE key = 'shared_case'"))
    (tmp_path / "alice" / "blobs" / MARKER).unlink()
    with pytest.raises(WorkspaceError, match="names no shared case store"):
        Workspace.join(tmp_path / "bob", database_url=pg)
    with pytest.raises(WorkspaceError, match="lacks 1 of the case's 1 blobs"):
        Workspace.join(tmp_path / "bob", database_url=pg, blobs=str(tmp_path / "empty"))
    with Workspace.join(tmp_path / "bob", database_url=pg, blobs=str(tmp_path / "alice")) as bob:
        assert verify_workspace(bob).problems == []
    with Workspace.open(tmp_path / "alice") as alice:  # the creator's own folder is the store
        assert verify_workspace(alice).problems == []


def test_a_copy_of_a_shared_case_keeps_its_blobs_in_its_own_folder(tmp_path: Path, pg: str) -> None:
    with Workspace.init(tmp_path / "alice", database_url=pg, blobs=str(tmp_path / "store")) as alice:
        art = alice.add_artifact(b"scene")
        export_case(alice, tmp_path / "case.zip")
    with import_case(tmp_path / "case.zip", tmp_path / "copy") as copy:
        assert verify_workspace(copy).problems == []
        assert copy.artifact_path(art.id).is_relative_to(tmp_path / "copy")


@pytest.fixture()
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A bucket on a local S3-compatible server; credentials and endpoint only in the environment."""
    with moto_server(tmp_path) as endpoint:
        for key, value in CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        import s3fs  # type: ignore[import-untyped,unused-ignore]

        s3fs.S3FileSystem(skip_instance_cache=True).mkdir("armswatch-case")
        yield "s3://armswatch-case/rajin"


def test_second_client_through_an_s3_compatible_store(
    tmp_path: Path, pg: str, s3: str, request: pytest.FixtureRequest
) -> None:
    import s3fs

    alice = Workspace.init(tmp_path / "alice", database_url=pg, blobs=s3, analyst="alice")
    art = alice.add_artifact(b"\x00scene bytes\xff", name="scene.tif")
    config = (alice.root / "armswatch.toml").read_text()
    assert s3 in config and CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in config
    with alice.engine.connect() as conn:
        stored = json.dumps([list(r) for r in conn.execute(select(t.meta.c.value))])
        stored += json.dumps([e.payload for e in alice.audit_entries()])
    assert s3 in stored and CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in stored

    table = alice.tables_dir / "notes" / "part-0.parquet"
    table.parent.mkdir(parents=True)
    table.write_bytes(b"PAR1 rows PAR1")
    alice.record_table_file(table)
    assert alice.tables_dir == alice.root / "tables"  # with an object store, tables are per client

    bob = Workspace.join(tmp_path / "bob", database_url=pg, analyst="bob")
    assert (bob.tables_dir / "notes" / "part-0.parquet").read_bytes() == b"PAR1 rows PAR1"  # fetched
    cached = bob.root / "blobs" / "sha256" / art.sha256[:2] / art.sha256
    assert not cached.exists()
    verified = CliRunner().invoke(app, ["artifacts", "verify", "-w", str(bob.root)])
    assert verified.exit_code == 0, verified.output
    assert bob.artifact_path(art.id).read_bytes() == b"\x00scene bytes\xff" and cached.exists()
    photo = bob.add_artifact(b"photo", name="photo.jpg")
    assert alice.artifact_path(photo.id).read_bytes() == b"photo"
    assert verify_workspace(alice).problems == [] and verify_workspace(bob).problems == []

    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    fs.pipe_file(f"armswatch-case/rajin/blobs/sha256/{art.sha256[:2]}/{art.sha256}", b"forged")
    assert f"blob {art.id}: blob content changed" in [p.line() for p in verify_workspace(bob).problems]
    carol = Workspace.join(tmp_path / "carol", database_url=pg, analyst="carol")
    with pytest.raises(IntegrityError, match="blob content changed"):
        carol.artifact_path(art.id)  # a forged object is never cached

    with pytest.raises(ExternalServiceError, match="no such bucket"):  # refused before anything is written
        Workspace.init(
            tmp_path / "erin",
            database_url=_fresh_schema_url(request.getfixturevalue("postgres_url")),
            blobs="s3://no-such-bucket/x",
        )
    assert not (tmp_path / "erin").exists()
    with pytest.raises(WorkspaceError, match="no case marker") as err:
        Workspace.join(tmp_path / "dave", database_url=pg, blobs="s3://armswatch-case/elsewhere")
    assert "s3://armswatch-case/elsewhere" in str(err.value) and s3 in str(err.value)
    for ws in (alice, bob, carol):
        ws.close()


def test_exclusive_tools_do_not_overlap_across_clients(tmp_path: Path, pg: str) -> None:
    import threading

    alice = Workspace.init(tmp_path / "alice", database_url=pg, blobs=str(tmp_path / "store"))
    bob = Workspace.join(tmp_path / "bob", database_url=pg)
    entered = threading.Event()

    def bob_ingests() -> None:
        with bob.tool_lock("ais.ingest"):
            entered.set()

    with alice.tool_lock("ais.ingest"):
        other = threading.Thread(target=bob_ingests)
        other.start()
        assert not entered.wait(1.0)  # bob's own folder lock is free; the database's is not
    other.join(60)
    assert entered.is_set()
    alice.close()
    bob.close()


def test_verify_names_a_shared_case_record_edited_or_forged_in_the_database(tmp_path: Path) -> None:
    import json

    from armswatch.provenance.verify import verify_workspace

    with Workspace.init(tmp_path / "alice", blobs=str(tmp_path / "store")) as ws:
        assert verify_workspace(ws, blobs=False).ok
        with ws.engine.begin() as conn:
            value = conn.execute(text("SELECT value FROM meta WHERE key = 'shared_case'")).scalar()
            record = value if isinstance(value, dict) else json.loads(value)
            record["store"] = "/mnt/somewhere-else"
            conn.execute(
                text("UPDATE meta SET value = :v WHERE key = 'shared_case'"), {"v": json.dumps(record)}
            )
        problems = [p.line() for p in verify_workspace(ws, blobs=False).problems]
        assert any("shared case" in p and "edited outside armswatch" in p for p in problems), problems
    with Workspace.init(tmp_path / "bob") as ws:  # not shared: no record, no entry
        assert verify_workspace(ws, blobs=False).ok
        with ws.engine.begin() as conn:
            forged = json.dumps({"case": "f" * 32, "name": "bob", "store": "/mnt/forged"})
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('shared_case', :v)"), {"v": forged})
        problems = [p.line() for p in verify_workspace(ws, blobs=False).problems]
        assert any("written outside armswatch" in p for p in problems), problems
