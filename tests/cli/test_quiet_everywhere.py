"""``-q/--quiet`` behaves the same on every command: accepted everywhere, silences chatter on
standard error, never the data on standard output, and lasts for one invocation only."""

from __future__ import annotations

from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace


def _leaves(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if hasattr(cmd, "commands"):
            found.extend(_leaves(cmd, (*prefix, name)))
        else:
            found.append(((*prefix, name), cmd))
    return found


def test_every_command_takes_q() -> None:
    leaves = _leaves(get_command(app))
    assert len(leaves) > 60  # the whole tree was walked, not just the root
    missing = [
        " ".join(path) for path, cmd in leaves if not any("-q" in getattr(p, "opts", ()) for p in cmd.params)
    ]
    assert missing == []


def test_q_silences_a_hint_and_only_for_that_invocation(ws: Workspace) -> None:
    runner = CliRunner()
    args = ["evidence", "custody", "--workspace", str(ws.root)]  # a command without its own quiet parameter
    loud = runner.invoke(app, args)
    assert loud.exit_code == 0, loud.output
    assert "No custody events yet" in loud.stderr
    quiet = runner.invoke(app, [*args, "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    again = runner.invoke(app, args)
    assert "No custody events yet" in again.stderr  # -q did not stick to the next invocation


def test_q_keeps_the_data(ws: Workspace) -> None:
    from tests.conftest import make_site

    ws.save_sites([make_site("rajin-port")])
    result = CliRunner().invoke(app, ["sites", "list", "-q", "--format", "csv", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "rajin-port" in result.stdout
