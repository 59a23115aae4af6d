"""Fast start: ``armswatch --help`` / ``--version`` import no heavy library, and the lazy root group
lists exactly what its commands would say about themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armswatch.cli import main as cli_main

HEAVY = (
    "polars",
    "pyarrow",
    "followthemoney",
    "rasterio",
    "scipy",
    "sqlalchemy",
    "shapely",
    "numpy",
    "pyproj",
    "networkx",
    "skimage",
    "sklearn",
    "fastapi",
)


def _imported(*args: str, exit_code: int = 0) -> set[str]:
    """Top-level packages imported by ``armswatch ARGS`` in a fresh interpreter (``-X importtime``)."""
    code = "from armswatch.cli.main import main; main()"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == exit_code, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "armswatch" in names, "importtime output not understood"
    return names


@pytest.mark.parametrize(("args", "exit_code"), [(("--help",), 0), (("--version",), 0), ((), 2)])
def test_root_help_and_version_import_no_heavy_library(args: tuple[str, ...], exit_code: int) -> None:
    heavy = sorted(set(HEAVY) & _imported(*args, exit_code=exit_code))
    assert heavy == [], f"'armswatch {' '.join(args)}' imports {heavy}: import them inside functions"


def test_declared_help_matches_each_command() -> None:
    """The root --help lines come from COMMANDS; loading every command must not change the text."""
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    lazy = runner.invoke(cli_main.app, ["--help"], terminal_width=100, env=env)
    assert lazy.exit_code == 0
    for name, entry in cli_main.COMMANDS.items():
        command = cli_main.load_command(name, entry)
        first = (command.help or "").split("\n\n")[0].strip()
        assert " ".join(first.split()) == entry.help, (
            f"COMMANDS[{name!r}].help in cli/main.py differs from the command's own help: {first!r}"
        )


def test_every_declared_command_runs_its_help() -> None:
    runner = CliRunner()
    for name in cli_main.COMMANDS:
        result = runner.invoke(cli_main.app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"armswatch {name}" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli_main.app, ["no-such-command"])
    assert result.exit_code == 2


def test_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    import armswatch

    assert armswatch.__version__ == version("armswatch")


def test_findings_list_imports_only_what_it_needs(tmp_path: Path) -> None:
    """A workspace command opens SQLite; it needs no Alembic (schema current), polars, FtM or shapely."""
    from armswatch.workspace import Workspace

    Workspace.init(tmp_path / "case", analyst="tester").close()
    names = _imported("findings", "list", "-w", str(tmp_path / "case"))
    unwanted = {
        "alembic",
        "polars",
        "pyarrow",
        "followthemoney",
        "rasterio",
        "scipy",
        "networkx",
        "shapely",
        "numpy",
        "pyproj",
    }
    assert sorted(unwanted & names) == []


def test_help_paragraphs_are_reflowed_but_lists_and_examples_keep_their_lines() -> None:
    text = """Detect events and write them (columns: a, b,
    c, d). Outages end events.

    Steps:
    - one
    - two, which is
      indented on.

    Example: armswatch x
    Example: armswatch y"""
    out = cli_main.reflow_help(text)
    assert "(columns: a, b, c, d). Outages end events." in out
    assert "Steps:\n- one\n- two, which is\n  indented on." in out
    assert out.endswith("Example: armswatch x\nExample: armswatch y")


def test_group_listing_has_no_half_lines_from_docstrings() -> None:
    """A command's short help in a group's listing reads as one flowing paragraph."""
    result = CliRunner().invoke(cli_main.app, ["ais", "--help"], terminal_width=100)
    assert result.exit_code == 0
    flat = " ".join(line.strip("│ ") for line in result.output.splitlines())
    assert "mmsi, other_mmsi, start_utc, end_utc, lat, lon" in " ".join(flat.split())
    lines = [line.rstrip(" │") for line in result.output.splitlines() if "other_mmsi" in line]
    assert lines and all(
        len(line) > 60 for line in lines
    )  # not broken after "other_mmsi, start_utc, end_utc,"
