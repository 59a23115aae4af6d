"""The ``armswatch`` command: one root group, errors mapped to exit codes in one place."""

from __future__ import annotations

from typing import Any

import click
import typer
from typer.core import TyperGroup

from armswatch import __version__
from armswatch.errors import ArmswatchError


class CommandError(click.ClickException):
    """An armswatch error shown as one line (``Error: file:record: message``) with its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ArmswatchGroup(TyperGroup):
    """Root group that turns armswatch errors and OS errors on user paths into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArmswatchError as exc:
            raise CommandError(str(exc), exc.exit_code) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise CommandError(f"{where}{exc.strerror or exc}", 2) from None


app = typer.Typer(
    cls=ArmswatchGroup,
    name="armswatch",
    help=(
        "armswatch: a workbench for monitoring weapons production and arms transfers from open sources.\n\n"
        "Example: armswatch init case && cd case && armswatch sites import --starter dprk-russia"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"armswatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """armswatch: sites, movements, entities and findings with provenance."""


def _register() -> None:
    from armswatch.cli import artifacts, audit, findings, report, runs, sites, workspace_cmd

    workspace_cmd.register(app)
    report.register(app)
    app.add_typer(sites.app, name="sites")
    app.add_typer(artifacts.app, name="artifacts")
    app.add_typer(runs.app, name="runs")
    app.add_typer(findings.app, name="findings")
    app.add_typer(audit.app, name="audit")
    # domain command groups
    for register in _domain_registrations():
        register(app)


def _domain_registrations() -> list[Any]:
    """Domain packages plug their command groups in here."""
    return []


_register()


def main() -> None:
    app()
