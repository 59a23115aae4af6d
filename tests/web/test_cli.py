"""``armswatch users`` and ``armswatch serve`` (its options; the server itself runs in the browser tests)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace


def test_users_add_list_set_role_disable(cheap_argon2: None, tmp_path: Path) -> None:
    Workspace.init(tmp_path / "c").close()
    runner = CliRunner()
    w = ["-w", str(tmp_path / "c")]
    r = runner.invoke(
        app, ["users", "add", "alice", "--role", "reviewer", "--password-stdin", *w], input="pw-long-enough\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", "bob", *w], input="pw-long-enough\npw-long-enough\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", "carol", *w], input="pw-long-enough\ndifferent-one\n")
    assert r.exit_code == 2 and "differ" in r.output
    r = runner.invoke(
        app, ["users", "add", "dave", "--role", "boss", "--password-stdin", *w], input="pw-long-enough\n"
    )
    assert r.exit_code == 2 and "role must be one of" in r.output
    assert runner.invoke(app, ["users", "set-role", "bob", "--role", "analyst", *w]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "alice", *w]).exit_code == 0
    r = runner.invoke(app, ["users", "list", "--format", "csv", *w])
    assert r.exit_code == 0
    assert "alice,reviewer,disabled" in r.output and "bob,analyst,active" in r.output
    assert runner.invoke(app, ["users", "disable", "zed", *w]).exit_code == 2


def test_serve_refuses_a_bad_port(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "c").close()
    r = CliRunner().invoke(app, ["serve", "--port", "70000", "-w", str(tmp_path / "c")])
    assert r.exit_code == 2 and "--port" in r.output
