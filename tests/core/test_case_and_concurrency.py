"""A case travels whole (export, import, verify; SQLite and PostgreSQL), and concurrent writers
lose nothing and double nothing."""

from __future__ import annotations

import multiprocessing
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from armswatch.case.export import export_case
from armswatch.case.load import import_case
from armswatch.entities.schema import entity_snapshot
from armswatch.errors import ConflictError, InputError, IntegrityError, WorkspaceError
from armswatch.provenance.child import import_list_in, review_in, run_in
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .test_backend_contract import _fresh_schema_url, postgres_url  # type: ignore[import-not-found]  # noqa: F401
from .test_verify import UN_XML, case  # type: ignore[import-not-found]  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def target_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    yield None if request.param == "sqlite" else _fresh_schema_url(request.getfixturevalue("postgres_url"))


def test_case_travels_whole(case: Workspace, tmp_path: Path, target_url: str | None) -> None:  # noqa: F811
    zipped = tmp_path / "case.zip"
    export_case(case, zipped)
    copy = import_case(zipped, tmp_path / "copy", database_url=target_url)
    assert verify_workspace(copy).problems == []
    assert [f.id for f in copy.list_findings()] == [f.id for f in case.list_findings()]
    assert copy.audit_head() == case.audit_head()
    finding = copy.list_findings()[0]
    copy.review_finding(finding.id, "rejected", "on second look")  # the copy keeps working
    assert verify_workspace(copy).problems == []
    if target_url is not None:  # and back from PostgreSQL to SQLite
        export_case(copy, tmp_path / "back.zip")
        back = import_case(tmp_path / "back.zip", tmp_path / "back")
        assert verify_workspace(back).problems == []
        back.close()
    copy.close()


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change.pop(info.filename, zin.read(info)))
        for name, data in change.items():
            zout.writestr(name, data)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"../evil.txt": b"x"}, InputError),
        ({"/etc/evil": b"x"}, InputError),
        ({"tables/extra.parquet": b"x"}, InputError),
        ({"db/finding.jsonl": b"{}\n"}, InputError),
    ],
)
def test_bad_archive_refused_before_anything_is_written(
    case: Workspace,  # noqa: F811
    tmp_path: Path,
    change: dict[str, bytes],
    error: type[Exception],
) -> None:
    good = tmp_path / "good.zip"
    export_case(case, good)
    bad = tmp_path / "bad.zip"
    _rewrite(good, bad, dict(change))
    with pytest.raises(error):
        import_case(bad, tmp_path / "target")
    assert not (tmp_path / "target").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_tampered_case_is_not_exported(case: Workspace, tmp_path: Path) -> None:  # noqa: F811
    with case.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE finding SET status = 'rejected'")
    with pytest.raises(IntegrityError):
        export_case(case, tmp_path / "case.zip")


def test_symlinked_folder_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "case").close()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "case" / "tables").rmdir()
    (tmp_path / "case" / "tables").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        Workspace.open(tmp_path / "case")


def test_review_conflict_is_one_clear_error(case: Workspace) -> None:  # noqa: F811
    finding = case.list_findings()[0]
    with pytest.raises(ConflictError, match="now 'confirmed'"):
        case.review_finding(finding.id, "rejected", "stale view", expected_status="new")
    assert case.list_findings()[0].status == "confirmed"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_imports_reviews_and_runs(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = None if backend == "sqlite" else _fresh_schema_url(request.getfixturevalue("postgres_url"))
    ws = Workspace.init(tmp_path / "case", database_url=url, analyst="lead")
    art = ws.add_artifact(b"e", name="e.txt")
    with ws.run("t") as run:
        fid = run.add_finding(kind="k", title="t", evidence=[art.id])
    un = tmp_path / "un.xml"
    un.write_bytes(UN_XML)
    ctx = multiprocessing.get_context("forkserver")
    procs = [ctx.Process(target=import_list_in, args=(str(ws.root), str(un), "un-xml")) for _ in range(10)]
    procs += [ctx.Process(target=review_in, args=(str(ws.root), fid, i)) for i in range(10)]
    procs += [ctx.Process(target=run_in, args=(str(ws.root), i)) for i in range(5)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    with ws.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entity_snapshot)).scalar() == 1
    assert len(ws.list_runs(tool="entities.import", status="succeeded")) == 1
    runs = ws.list_runs(tool="test.concurrent", status="succeeded")
    assert sorted(r.parameters["i"] for r in runs) == list(range(5))
    assert len(ws.list_findings(kind="test.concurrent")) == 5
    (finding,) = ws.list_findings(kind="k")
    chain = [r.status_from for r in finding.reviews]
    assert chain[0] == "new" and all(
        r.status_from == prev.status_to for prev, r in zip(finding.reviews, finding.reviews[1:], strict=False)
    )  # no lost update: each review starts from the status the previous one left
    assert verify_workspace(ws).problems == []
    ws.close()
