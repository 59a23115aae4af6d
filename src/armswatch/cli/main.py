"""The ``armswatch`` command: one root group, errors mapped to exit codes in one place."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from armswatch import __version__
from armswatch.errors import ArmswatchError


def _fail(message: str, exit_code: int) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(exit_code)


class ArmswatchGroup(TyperGroup):
    """Root group: armswatch errors and OS errors on user paths become one line and an exit code.

    This is the one place where errors are mapped to exit codes: 2 bad input or unknown id,
    3 integrity failure (audit chain, blob hash), 4 remote service, 1 anything else deliberate.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ArmswatchError as exc:
            raise _fail(str(exc), exc.exit_code) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise _fail(f"{where}{exc.strerror or exc}", 2) from None


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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
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
    from armswatch.cli import ais, entities, imagery, screen

    def add_entities(root: typer.Typer) -> None:
        root.add_typer(entities.app, name="entities")

    return [imagery.register, ais.register, add_entities, screen.register]


_register()


def main() -> None:
    app()
