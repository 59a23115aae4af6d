"""Tampering outside armswatch is found and named by `armswatch verify` (exit 3, never a traceback)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.provenance.head import HEAD_FILE
from armswatch.provenance.verify import verify_workspace
from armswatch.store import schema as t
from armswatch.workspace import Workspace

from ..conftest import make_site  # type: ignore[import-not-found]

UN_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-05-01T00:00:00">
<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM>
<FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>IL</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER><LISTED_ON>2013-01-22</LISTED_ON>
<NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
</INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><DATAID>2</DATAID><VERSIONNUM>1</VERSIONNUM>
<FIRST_NAME>KOREA MINING DEVELOPMENT TRADING CORPORATION</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<REFERENCE_NUMBER>KPe.001</REFERENCE_NUMBER><LISTED_ON>2009-04-24</LISTED_ON>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""


@pytest.fixture()
def case(tmp_path: Path) -> Workspace:
    """A small case touching every protected table: source, artifact, run, finding, review, site,
    statements and snapshot, and a Parquet partition."""
    import polars as pl

    from armswatch.entities.ingest import import_list

    ws = Workspace.init(tmp_path / "case", analyst="tester")
    src = ws.add_source("RUSI", reliability="B")
    art = ws.add_artifact(b"scene", name="scene.tif", source=src)
    ws.add_artifact(b"spare", name="spare.txt")
    ws.save_sites([make_site()])
    with ws.run("test.tool", parameters={"threshold": 3}, inputs=[art.id]) as run:
        run.add_finding(
            kind="k", title="t", subjects=["site:rajin-port"], evidence=[art.id], confidence="likely"
        )
    fid = ws.list_findings()[0].id
    ws.review_finding(fid, "confirmed", "seen")
    un = tmp_path / "un.xml"
    un.write_bytes(UN_XML)
    import_list(ws, un, format="un-xml")
    part = ws.tables_dir / "ais_positions" / "day=2024-01-01" / "bucket=01"
    part.mkdir(parents=True)
    pl.DataFrame({"mmsi": [273000001, 273000002], "lat": [42.3, 42.4]}).write_parquet(part / "part-a.parquet")
    ws.record_table_file(part / "part-a.parquet")
    assert verify_workspace(ws).problems == []
    return ws


def _sql(ws: Workspace, *statements: object) -> None:
    with ws.engine.begin() as conn:
        for s in statements:
            conn.execute(text(s) if isinstance(s, str) else s)  # type: ignore[arg-type]


def _lines(ws: Workspace) -> list[str]:
    return [p.line() for p in verify_workspace(ws).problems]


def _finding(ws: Workspace) -> str:
    return ws.list_findings()[0].id


def _statement(ws: Workspace) -> str:
    with ws.engine.connect() as conn:
        return str(conn.execute(text("SELECT min(id) FROM entity_statement")).scalar())


TAMPERS: dict[str, tuple[Callable[[Workspace], None], Callable[[Workspace], str]]] = {
    "finding status and confidence": (
        lambda ws: _sql(ws, update(t.finding).values(status="rejected", confidence="almost certain")),
        lambda ws: f"finding {_finding(ws)}: edited",
    ),
    "review deleted": (lambda ws: _sql(ws, delete(t.review)), lambda ws: "review 1: deleted"),
    "site moved": (
        lambda ws: _sql(ws, update(t.site).values(geometry={"type": "Point", "coordinates": [10.0, 10.0]})),
        lambda ws: "site rajin-port: edited",
    ),
    "run parameters": (
        lambda ws: _sql(
            ws, update(t.run).where(t.run.c.tool == "test.tool").values(parameters={"threshold": 9})
        ),
        lambda ws: f"run {ws.list_runs(tool='test.tool')[0].id}: edited",
    ),
    "statement value": (
        lambda ws: _sql(ws, f"UPDATE entity_statement SET value = 'X' WHERE id = '{_statement(ws)}'"),
        lambda ws: f"entity_statement {_statement(ws)}: edited",
    ),
    "snapshot deleted": (
        lambda ws: _sql(ws, "DELETE FROM entity_snapshot"),
        lambda ws: "entity_snapshot snap-",
    ),
    "record inserted": (
        lambda ws: _sql(
            ws,
            insert(t.source).values(
                id="forged", name="F", reliability="A", created_at="2024-01-01T00:00:00+00:00"
            ),
        ),
        lambda ws: "source forged: inserted",
    ),
    "source edited": (
        lambda ws: _sql(ws, update(t.source).where(t.source.c.id == "rusi").values(reliability="A")),
        lambda ws: "source rusi: edited",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampered_record_is_named(case: Workspace, name: str) -> None:
    tamper, expected = TAMPERS[name]
    want = expected(case)
    tamper(case)
    lines = _lines(case)
    assert any(line.startswith(want) for line in lines), lines


def test_artifact_row_and_blob_deleted_together(case: Workspace) -> None:
    spare = next(a for a in case.list_artifacts() if a.name == "spare.txt")
    _sql(case, delete(t.artifact).where(t.artifact.c.id == spare.id))
    path = case.blobs.path(spare.sha256)
    path.chmod(0o644)
    path.unlink()
    assert f"artifact {spare.id}: deleted outside armswatch" in _lines(case)


def test_blob_edited(case: Workspace) -> None:
    art = next(a for a in case.list_artifacts() if a.name == "scene.tif")
    path = case.blobs.path(art.sha256)
    path.chmod(0o644)
    path.write_bytes(b"other")
    assert f"blob {art.id}: blob content changed" in _lines(case)


def test_parquet_partition_edited_deleted_or_added(case: Workspace) -> None:
    import polars as pl

    part = case.tables_dir / "ais_positions" / "day=2024-01-01" / "bucket=01"
    pl.DataFrame({"mmsi": [273000001], "lat": [0.0]}).write_parquet(part / "part-a.parquet")
    assert (
        "file tables/ais_positions/day=2024-01-01/bucket=01/part-a.parquet: Parquet file edited outside armswatch"
        in _lines(case)
    )
    (part / "part-a.parquet").unlink()
    assert any("part-a.parquet: Parquet file deleted" in line for line in _lines(case))
    pl.DataFrame({"mmsi": [1]}).write_parquet(part / "part-b.parquet")
    assert any("part-b.parquet: Parquet file added" in line for line in _lines(case))


def test_truncated_chain_and_head_row_detected(case: Workspace) -> None:
    last = case.audit_entries()[-1].seq
    _sql(
        case,
        delete(t.audit_log).where(t.audit_log.c.seq > last - 3),
        delete(t.meta).where(t.meta.c.key == "audit_head"),
    )
    lines = _lines(case)
    assert any("chain ends early" in line for line in lines), lines
    assert any("audit_head" in line for line in lines)


def test_seal_rewritten_to_match_an_edit_is_caught_at_its_entry(case: Workspace) -> None:
    from armswatch.provenance.seal import row_digest

    _sql(case, update(t.source).where(t.source.c.id == "rusi").values(reliability="A"))
    with case.engine.begin() as conn:
        row = dict(conn.execute(select(t.source).where(t.source.c.id == "rusi")).mappings().one())
        seal = t.record_seal.c
        conn.execute(
            update(t.record_seal)
            .where((seal.tbl == "source") & (seal.rid == "rusi"))
            .values(digest=row_digest("source", row))
        )
    lines = _lines(case)
    assert lines and all(line.startswith("audit entry") for line in lines), lines


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE meta SET value = '\"garbage\"' WHERE key = 'audit_head'",
        "UPDATE meta SET value = '{\"seq\": \"x\"}' WHERE key = 'audit_head'",
        "UPDATE audit_log SET payload = 'not json' WHERE seq = 2",
        "UPDATE audit_log SET payload = '[1, 2]' WHERE seq = 3",
        "head-file",
    ],
)
def test_malformed_head_or_payload_exits_3_without_traceback(case: Workspace, damage: str) -> None:
    if damage == "head-file":
        (case.root / HEAD_FILE).write_text("{not json")
    else:
        _sql(case, damage)
    for args in (["verify"], ["audit", "verify"]):
        result = CliRunner().invoke(app, [*args, "--workspace", str(case.root)])
        assert result.exit_code == 3, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_intact_case_verifies_from_the_cli(case: Workspace) -> None:
    result = CliRunner().invoke(app, ["verify", "--workspace", str(case.root)])
    assert result.exit_code == 0, result.output
    assert "case intact" in result.output


def test_head_file_missing_is_a_problem(case: Workspace) -> None:
    (case.root / HEAD_FILE).unlink()
    assert any("head file" in line for line in _lines(case))


def test_head_file_follows_the_chain(case: Workspace) -> None:
    head = json.loads((case.root / HEAD_FILE).read_text())
    assert (head["seq"], head["hash"]) == case.audit_head()


def test_users_and_annotations_are_sealed(case: Workspace) -> None:
    from armswatch.auth.users import add_user, set_role
    from armswatch.web.annotations import add_annotation

    add_user(case, "alice", "analyst", "a long enough password 1")
    set_role(case, "alice", "reviewer")
    add_annotation(case, body="look again", finding_id=_finding(case))
    assert _lines(case) == []
    _sql(case, "UPDATE app_user SET role = 'admin'", "UPDATE annotation SET body = 'nothing here'")
    lines = _lines(case)
    assert "app_user alice: edited outside armswatch (differs from what its audit entry sealed)" in lines
    assert any(line.startswith("annotation 1: edited") for line in lines), lines


def test_workspace_from_before_seals_is_sealed_on_upgrade(tmp_path: Path) -> None:
    from armswatch.config import DEFAULT_DB_URL, WorkspaceConfig, resolve_database_url, write_config
    from armswatch.store import database

    root = tmp_path / "old"
    root.mkdir()
    write_config(
        root, WorkspaceConfig(name="old", created="2024-01-01T00:00:00+00:00", database_url=DEFAULT_DB_URL)
    )
    engine = database.make_engine(resolve_database_url(root, DEFAULT_DB_URL))
    database.migrate(engine, "0002_entities")
    with engine.begin() as conn:
        conn.execute(
            insert(t.source).values(id="rusi", name="RUSI", reliability="B", created_at="2024-01-01")
        )
    engine.dispose()
    with Workspace.open(root) as ws:
        assert _lines(ws) == []
        _sql(ws, update(t.source).values(reliability="A"))
        assert _lines(ws) == [
            "source rusi: edited outside armswatch (differs from what its audit entry sealed)"
        ]


def test_import_left_running_by_a_dead_process_is_rolled_back_and_reimported(tmp_path: Path) -> None:
    """The state an older armswatch left when killed just after its statements committed."""
    import subprocess
    from datetime import date

    from armswatch.entities.importer import load_entities
    from armswatch.entities.ingest import import_list
    from armswatch.entities.statement import snapshot_id, store_snapshot
    from armswatch.provenance.liveness import this_process

    ws = Workspace.init(tmp_path / "case", analyst="tester")
    un = tmp_path / "un.xml"
    un.write_bytes(UN_XML)
    art = ws.add_artifact(un, name="un.xml")
    dead = subprocess.run(["true"], check=True)
    gone_pid = int(getattr(dead, "pid", 0) or 999_999)
    me = this_process()
    snap = load_entities(un, "un-xml")
    with ws.transaction() as conn:
        conn.execute(
            insert(t.run).values(
                id="run-old", tool="entities.import", version="0", parameters={}, started_at="2024-01-01",
                status="running", analyst="old", summary={}, simulated=False,
            )
        )  # fmt: skip
        conn.execute(
            insert(t.run_lease).values(
                run_id="run-old",
                pid=gone_pid,
                host=me.host,
                boot_id=me.boot_id,
                proc_start="1",
                lease_until="2100-01-01",
            )
        )
        store_snapshot(
            conn, snap, snap_id=snapshot_id(snap.dataset, [art.id]), seen=date(2024, 5, 1), date_source="list",
            run_id="run-old", artifact_ids=[art.id], imported_at="2024-05-01T00:00:00+00:00",
        )  # fmt: skip
    ws.close()
    with Workspace.open(tmp_path / "case") as ws:
        (run,) = ws.list_runs(tool="entities.import")
        assert run.status == "failed" and run.error and "interrupted" in run.error
        result = import_list(ws, un, format="un-xml")
        assert result.run_id is not None and result.store.statements > 0  # not "already imported"
        assert import_list(ws, un, format="un-xml").run_id is None  # now it is
        assert _lines(ws) == []
