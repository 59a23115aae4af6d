"""Generate ``docs/cli.md`` from the commands themselves, so the reference cannot drift.

Run ``python -m armswatch.cli.docs > docs/cli.md``; a test fails when the file is stale.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.main import get_command
from typer.testing import CliRunner

from armswatch.cli.main import app

HEADER = """# Command reference

Generated from the commands' own `--help` by `python -m armswatch.cli.docs > docs/cli.md`; a test keeps
it current. Every command takes `--help`; workspace commands take `--workspace` (or
`ARMSWATCH_WORKSPACE`, or the nearest `armswatch.toml` upwards). Errors print one line and exit 2 (bad
input or unknown id), 3 (integrity failure) or 4 (remote service).
"""


def _walk(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            paths.append(path)
            paths.extend(_walk(cmd, path))
        else:
            paths.append(path)
    return paths


def _clean(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def generate() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in _walk(get_command(app)):
        result = runner.invoke(
            app, [*path, "--help"], terminal_width=100, env={"COLUMNS": "100", "NO_COLOR": "1"}
        )
        level = "#" * min(len(path) + 1, 4)
        parts.append(f"{level} armswatch {' '.join(path)}\n\n```text\n{_clean(result.stdout)}\n```\n")
    return "\n".join(parts)


def main() -> None:
    typer.echo(generate(), nl=False)


if __name__ == "__main__":
    main()
