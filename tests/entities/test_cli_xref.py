"""``armswatch entities xref | resolve | judgements | show`` and the import progress bar."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from armswatch.cli import common
from armswatch.cli.main import app
from armswatch.entities.xref import CANDIDATE_COLUMNS, DEFAULT_THRESHOLD
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

from .fixtures import un_xml, write_ofac


@pytest.fixture
def env(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARMSWATCH_WORKSPACE", str(ws.root))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _ok(*args: str) -> str:
    code, out = _invoke(*args)
    assert code == 0, out
    return out


def _import(env: Path) -> None:
    un = env / "un.xml"
    un.write_text(un_xml("2024-01-15"), encoding="utf-8")
    watch = env / "watch.csv"
    watch.write_text("ref,type,Name\np1,Person,리제선\n", encoding="utf-8")
    _ok("entities", "import", str(un), "-q")
    _ok("entities", "import", str(write_ofac(env / "ofac")), "--list-date", "2021-07-01", "-q")
    _ok(
        "entities",
        "import",
        str(watch),
        "--dataset",
        "mylist",
        "--mapping",
        "id=ref,schema=type,name=Name",
        "-q",
    )


def test_xref_writes_the_documented_columns(env: Path) -> None:
    _import(env)
    out = env / "candidates.csv"
    _ok("entities", "xref", "-o", str(out), "-q")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert tuple(rows[0]) == CANDIDATE_COLUMNS
    pairs = {frozenset((r["left_id"], r["right_id"])): r for r in rows}
    assert frozenset({"unsc-690735", "ofac-9345"}) in pairs
    hangul = [p for p in pairs if any(i.startswith("mylist") for i in p)]
    assert hangul and "unsc-6908001" in hangul[0]  # 리제선 found the UN's RI JE-SON
    only = env / "across.csv"
    _ok("entities", "xref", "--dataset", "un_sc", "--dataset", "mylist", "--across-only", "-o", str(only))
    read = csv.DictReader(only.read_text(encoding="utf-8").splitlines())
    datasets = {(r["left_dataset"], r["right_dataset"]) for r in read}
    assert datasets and all(a != b and {a, b} <= {"un_sc", "mylist"} for a, b in datasets)


def test_cli_default_threshold_is_the_library_default() -> None:
    from armswatch.cli.entities import xref_cmd

    assert xref_cmd.__defaults__ is not None and DEFAULT_THRESHOLD in xref_cmd.__defaults__


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("entities", "xref", "--threshold", "2"), "--threshold must be between 0 and 1"),
        (("entities", "xref", "--dataset", "nope"), "no imported dataset named nope"),
        (("entities", "xref", "-f", "xml"), "--format must be csv, json or table"),
        (("entities", "resolve", "unsc-690735", "ofac-9345"), "exactly one of --same, --different or --undo"),
        (("entities", "resolve", "unsc-690735", "ofac-1", "--same"), "no entity 'ofac-1'"),
        (("entities", "resolve", "unsc-690735", "ofac-9345", "--undo"), "no active judgement"),
    ],
)
def test_bad_input_is_one_line_exit_2(env: Path, args: tuple[str, ...], message: str) -> None:
    _import(env)
    code, out = _invoke(*args)
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_resolve_show_graph_undo_and_verify(ws: Workspace, env: Path) -> None:
    _import(env)
    said = _ok("entities", "resolve", "unsc-6908001", "mylist-p1", "--same", "--note", "Hangul spelling")
    cid = said.split("resolved entity ")[1].split()[0]
    assert cid.startswith("res-")
    shown = json.loads(_ok("entities", "show", "mylist-p1", "-f", "json"))
    assert shown["id"] == cid and sorted(shown["members"]) == ["mylist-p1", "unsc-6908001"]
    assert "리제선" in shown["names (Hangul)"] and "RI JE-SON" in shown["names (Latin)"]
    assert any("listed by un_sc" in h for h in shown["listing history"])
    assert any("Hangul spelling" in j for j in shown["judgements"])
    assert {r["id"] for r in shown["records"]} == {"mylist-p1", "unsc-6908001"}
    graph = env / "g.json"
    _ok("entities", "graph", "unsc-6908001", "-o", str(graph), "-q")
    nodes = {n["id"] for n in json.loads(graph.read_text(encoding="utf-8"))["nodes"]}
    assert cid in nodes and "unsc-6908001" not in nodes
    _ok("entities", "resolve", "mylist-p1", "unsc-6908001", "--undo", "-q")
    alone = json.loads(_ok("entities", "show", "mylist-p1", "-f", "json"))
    assert alone["id"] == "mylist-p1" and "members" not in alone
    rows = json.loads(_ok("entities", "judgements", "-f", "json"))
    assert [(r["judgement"], r["active"]) for r in rows] == [("same", False), ("undo", True)]
    assert verify_workspace(ws, blobs=False).ok
    _ok("verify", "--no-blobs", "-q")  # exit 0: chain and sealed judgements intact


def test_import_progress_bar_is_silenced_by_quiet(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=120))
    monkeypatch.setattr(common, "progress_enabled", lambda quiet=False: not quiet)
    un = env / "un.xml"
    un.write_text(un_xml("2024-01-15"), encoding="utf-8")
    _ok("entities", "import", str(un))
    assert "un.xml: written" in buf.getvalue()
    buf.truncate(0)
    buf.seek(0)
    _ok("entities", "xref")
    assert "cross-referencing" in buf.getvalue()
    buf.truncate(0)
    buf.seek(0)
    other = env / "un2.xml"
    other.write_text(un_xml("2024-02-15"), encoding="utf-8")
    _ok("entities", "import", str(other), "-q")
    _ok("entities", "xref", "-q")
    assert buf.getvalue() == ""
