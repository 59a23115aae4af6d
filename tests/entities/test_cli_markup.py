"""Names and paths written by strangers print as written: rich markup in them is never interpreted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace

HOSTILE = "EVIL [/x] [link=http://x]SHIP[/link] =HYPERLINK(1)"


@pytest.fixture
def env(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARMSWATCH_WORKSPACE", str(ws.root))
    monkeypatch.setenv("COLUMNS", "300")
    return tmp_path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_entities_import_from_a_path_with_markup_and_list_a_name_with_markup(env: Path) -> None:
    """Regression (issue 9): '[/x]' in a file path crashed `entities import` after the commit."""
    folder = env / "lists [" / "x]"  # the path reads ".../lists [/x]/evil [b].json"
    folder.mkdir(parents=True)
    path = folder / "evil [b].json"
    entity = {"id": "evil-1", "schema": "Vessel", "properties": {"name": [HOSTILE], "imoNumber": ["9262522"]}}
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    code, out = _invoke("entities", "import", str(path), "--dataset", "evil")
    assert code == 0 and "lists [/x]/evil [b].json" in out.replace("\n", "")
    code, out = _invoke("entities", "list")
    assert code == 0 and "EVIL [/x]" in out.replace("\n", "")
    code, out = _invoke("entities", "list", "--format", "csv")
    assert code == 0 and "EVIL [/x] [link=http://x]SHIP[/link] =HYPERLINK(1)" in out
    code, out = _invoke("entities", "show", "evil-1")
    assert code == 0 and "[link=http://x]" in out.replace("\n", "")


def test_sites_list_prints_a_name_with_markup(env: Path) -> None:
    """Regression (issue 9): '[/x]' in a site name crashed `sites list`."""
    code, _ = _invoke(
        "sites", "add", "Bad [/x] name", "--id", "bad", "--kind", "port", "--country", "KP",
        "--precision", "city", "--lat", "42", "--lon", "130", "--notes", "[bold]x[/bold]",
    )  # fmt: skip
    assert code == 0
    code, out = _invoke("sites", "list")
    assert code == 0 and "Bad [/x] name" in out
    code, out = _invoke("sites", "show", "bad")
    assert code == 0 and "[bold]x[/bold]" in out


def test_sites_list_csv_guards_formulas(env: Path) -> None:
    code, _ = _invoke(
        "sites", "add", "=HYPERLINK(1)", "--id", "f", "--kind", "port", "--country", "KP",
        "--precision", "city", "--lat", "42", "--lon", "130",
    )  # fmt: skip
    assert code == 0
    code, out = _invoke("sites", "list", "--format", "csv")
    assert code == 0 and "'=HYPERLINK(1)" in out
    code, out = _invoke("sites", "export", "--format", "csv")
    assert code == 0 and "'=HYPERLINK(1)" in out
