from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from armswatch.cli.entities import app
from armswatch.errors import InputError
from armswatch.workspace import Workspace

from .fixtures import un_xml, write_ofac


@pytest.fixture
def env(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARMSWATCH_WORKSPACE", str(ws.root))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_import_list_show_history(env: Path) -> None:
    jan = env / "jan.xml"
    jan.write_text(un_xml("2024-01-15"), encoding="utf-8")
    mar = env / "mar.xml"
    mar.write_text(un_xml("2024-03-01", orgs=()), encoding="utf-8")
    sdn = write_ofac(env / "ofac")
    out = _run(
        "import", str(jan), str(mar), str(sdn), str(env / "ofac" / "alt.csv"), "--list-date", "2021-07-01"
    )
    assert out.count("us_ofac_sdn") == 2  # status line + table row: alt.csv is part of the same set
    again = _run("import", str(jan))
    assert "already imported" in again
    rows = json.loads(_run("list", "--schema", "Vessel", "-f", "json"))
    assert {r["id"] for r in rows} == {"ofac-17069", "ofac-15001"}
    shown = json.loads(_run("show", "unsc-690735", "--as-of", "2024-03-12", "-f", "json"))
    assert shown["status (un_sc)"] == "delisted 2024-03-01 (listed from 2024-01-15)"
    history = json.loads(_run("history", "--dataset", "un_sc", "-f", "json"))
    assert [h["delisted"] for h in history] == [0, 1]
    vessels = json.loads(_run("vessels", "--mmsi", "445114000", "-f", "json"))
    assert vessels[0]["id"] == "ofac-17069"


def test_graph_and_paths(env: Path) -> None:
    _run("import", str(write_ofac(env / "ofac")))
    out = env / "g.graphml"
    _run("graph", "ofac-12211", "--depth", "1", "-o", str(out))
    graph = nx.read_graphml(out)
    assert set(graph.nodes) == {"ofac-12211", "ofac-9345", "ofac-12211-sanction", "ofac-9345-sanction"}
    paths = json.loads(_run("paths", "ofac-17069", "-f", "json"))
    assert [p["target"] for p in paths] == ["ofac-17069", "ofac-15000"]
    assert "owner" in paths[1]["path"]


def test_bad_date_option(env: Path) -> None:
    with pytest.raises(InputError, match="--as-of"):
        _run("show", "x", "--as-of", "12/03/2024")


def test_undated_list_gets_a_hint_to_pass_list_date(env: Path) -> None:
    sdn = write_ofac(env / "ofac")
    out = _run("import", str(sdn))
    assert "(import-date)" in out
    assert "pass --list-date" in out
