"""Ship-register import: rows stored and sealed, bad rows counted by reason, --strict, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.dossier.case import IMO, REGISTER
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.dossier.registry import import_registry, read_registry_csv, registry_rows
from armswatch.errors import InputError
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace


def test_bad_rows_are_counted_by_reason() -> None:
    read = read_registry_csv(REGISTER.encode(), "reg.csv")
    assert [r.line for r in read.rows] == [2, 3]
    assert dict(read.bad) == {
        "IMO number fails its check digit": 1,
        "from has no month 13: '2020-13'": 1,
        "'to' is before 'from'": 1,
    }
    assert read.first_bad == {
        "IMO number fails its check digit": 4,
        "from has no month 13: '2020-13'": 5,
        "'to' is before 'from'": 6,
    }
    with pytest.raises(InputError, match=r"reg.csv.*line 4.*check digit|check digit.*line 4"):
        read_registry_csv(REGISTER.encode(), "reg.csv", strict=True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("name,flag\nX,KP\n", "header lacks imo, from, to"),
        (b"\xff\xfe".decode("latin-1") + "imo", "not UTF-8"),
    ],
)
def test_bad_files_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        read_registry_csv(text.encode("latin-1") if "not UTF" in reason else text.encode(), "x.csv")


def test_messages_name_file_and_line_and_blank_rows_are_skipped() -> None:
    with pytest.raises(InputError, match=r"^x\.csv:line 1: header lacks from, to \(columns: imo, name, flag"):
        read_registry_csv(b"IMO,name\n8660313,X\n", "x.csv")
    with pytest.raises(InputError, match=r"^x\.csv: empty file: no header$"):
        read_registry_csv(b"", "x.csv")
    data = f" IMO ,Name,From,To\n,,,\n{IMO},A,2015,2016\n\n{IMO},B,2016,\n{IMO},C\n".encode()
    read = read_registry_csv(data, "x.csv")
    assert [(r.name, r.line) for r in read.rows] == [("A", 3), ("B", 5), ("C", 6)] and not read.bad
    read = read_registry_csv(data + f"{IMO},D,2017,,extra\n".encode(), "x.csv")
    assert read.first_bad == {"more cells than header columns": 7}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_reader_never_crashes(data: bytes) -> None:
    try:
        read = read_registry_csv(b"imo,name,flag,owner,manager,operator,from,to,source\n" + data, "fuzz.csv")
    except InputError:
        return
    assert all(r.line >= 2 and r.imo for r in read.rows)


def test_import_is_sealed_and_idempotent(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(REGISTER, encoding="utf-8")
    first = import_registry(ws, path, source="Register extract A")
    assert (first.rows, first.added) == (2, 2) and first.run_id
    again = import_registry(ws, path)
    assert (again.added, again.run_id) == (0, None)
    rows = registry_rows(ws, [IMO])
    assert [r["line"] for r in rows] == [2, 3] and rows[0]["artifact_id"] == first.artifact_id
    assert rows[1]["owner"] == '=HYPERLINK("http://x")'  # stored as written; escaped on output
    assert ws.get_run(first.run_id).summary["bad rows"] == 3
    assert verify_workspace(ws).ok


def test_cli_counts_and_strict(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(REGISTER, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["dossier", "registry", "import", str(path), "--strict", "-w", str(ws.root)])
    assert res.exit_code == 2 and "line 4" in res.output and "Traceback" not in res.output
    assert registry_rows(ws, [IMO]) == []  # nothing half-written
    res = runner.invoke(app, ["dossier", "registry", "import", str(path), "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # rich wraps long lines
    assert "1 bad rows ('to' is before 'from'; first at line 6)" in said
    assert "2 register rows, 2 added" in said
