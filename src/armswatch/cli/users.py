"""``armswatch users``: accounts of the web workbench (viewer, analyst, reviewer, admin)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from armswatch.cli.common import AnalystOpt, FormatOpt, OutputOpt, WorkspaceOpt, emit, open_workspace, say
from armswatch.errors import InputError

app = typer.Typer(
    help=(
        "Accounts of the web workbench: viewer reads; analyst adds evidence and notes and runs analyses; "
        "reviewer confirms or rejects findings; admin manages users.\n\n"
        "Example: armswatch users add alice --role reviewer"
    ),
    no_args_is_help=True,
)

RoleOpt = Annotated[str, typer.Option("--role", "-r", help="viewer, analyst, reviewer or admin.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise InputError("no password on standard input")
        return text
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise InputError("the two passwords differ")
    return str(first)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")],
    role: RoleOpt = "viewer",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of standard input."),
    ] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Add an account; the password is asked for twice (or read from standard input), hashed with Argon2.

    Example: armswatch users add alice --role reviewer
    Example: printf '%s\\n' "$PASSWORD" | armswatch users add bot --role viewer --password-stdin
    """
    from armswatch.auth.users import add_user

    password = _password(password_stdin)
    with open_workspace(workspace, analyst) as ws:
        user = add_user(ws, name, role, password)
    say(f"added {user.name} ({user.role})")


@app.command("list")
def list_(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table", output: OutputOpt = "-") -> None:
    """List accounts with their role and state.

    Example: armswatch users list --format json
    """
    from armswatch.auth.users import list_users

    with open_workspace(workspace) as ws:
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "state": "disabled" if u.disabled else "active",
                "created": u.created_at.isoformat(),
            }
            for u in list_users(ws)
        ]
    if not rows and fmt == "table":
        say("no users yet: armswatch users add NAME --role admin")
        return
    emit(rows, fmt=fmt, output=output, title="users")


@app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Disable an account and end its sessions (its history stays in the audit log).

    Example: armswatch users disable alice
    """
    from armswatch.auth.users import disable_user

    with open_workspace(workspace, analyst) as ws:
        disable_user(ws, name)
    say(f"disabled {name}; its sessions are revoked")


@app.command("enable")
def enable(
    name: Annotated[str, typer.Argument(help="User name.")],
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Enable a disabled account again.

    Example: armswatch users enable alice
    """
    from armswatch.auth.users import enable_user

    with open_workspace(workspace, analyst) as ws:
        enable_user(ws, name)
    say(f"enabled {name}")


@app.command("set-role")
def set_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: RoleOpt,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Change an account's role.

    Example: armswatch users set-role alice --role admin
    """
    from armswatch.auth.users import set_role as change_role

    with open_workspace(workspace, analyst) as ws:
        user = change_role(ws, name, role)
    say(f"{user.name} is now {user.role}")


@app.command("set-password")
def set_password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of standard input."),
    ] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Set a new password; every session of the user ends.

    Example: armswatch users set-password alice
    """
    from armswatch.auth.users import set_password as change_password

    password = _password(password_stdin)
    with open_workspace(workspace, analyst) as ws:
        change_password(ws, name, password)
    say(f"password of {name} changed; its sessions are revoked")
