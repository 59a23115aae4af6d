"""The ``armswatch`` command: one root group, errors mapped to exit codes in one place.

The root group is *lazy*: a command's module is imported only when that command runs (or its own
``--help`` is asked for), so ``armswatch --help`` and ``armswatch --version`` import no polars,
followthemoney, sqlalchemy or numpy. A test (``tests/cli/test_startup.py``) keeps it that way.

Adding a command (the pattern every command module follows)
-----------------------------------------------------------
1. In ``src/armswatch/cli/<name>.py`` import only typer, ``armswatch.cli.common`` and light
   modules at top level; import heavy libraries (polars, pyarrow, followthemoney, rasterio, scipy,
   shapely, sqlalchemy, fastapi…) inside the command function or the library function it calls.
2. Expose either a ``typer.Typer`` group (``app = typer.Typer(help=...)``) or a
   ``register(root: typer.Typer) -> None`` function that adds commands to ``root``.
3. Add ONE line to :data:`COMMANDS` below: the command name, ``"module:attr"`` (the Typer or the
   register function) and the one-line help shown by ``armswatch --help``, which must be the first
   paragraph of the command's own help (``tests/cli/test_startup.py`` fails when they differ).
4. Regenerate ``docs/cli.md``: ``python -m armswatch.cli.docs > docs/cli.md``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from armswatch.errors import ArmswatchError


@dataclass(frozen=True)
class Lazy:
    """A root command loaded on demand: ``target`` is ``"module:attr"`` naming a ``typer.Typer``
    group or a ``register(root)`` function; ``help`` is its line in ``armswatch --help``."""

    target: str
    help: str


# name -> where it lives. Order is the order shown by `armswatch --help`.
COMMANDS: dict[str, Lazy] = {
    "init": Lazy(
        "armswatch.cli.workspace_cmd:register",
        "Create a case workspace: armswatch.toml, database, blob store and Parquet tables folder.",
    ),
    "join": Lazy(
        "armswatch.cli.workspace_cmd:register",
        "Join a case that lives in a shared database: write a local armswatch.toml pointing at it.",
    ),
    "info": Lazy(
        "armswatch.cli.workspace_cmd:register",
        "Show the workspace: where it is, its database and what it holds.",
    ),
    "report": Lazy(
        "armswatch.cli.report:register",
        "Render the workspace's findings, sites and provenance as one self-contained, offline HTML file.",
    ),
    "demo": Lazy(
        "armswatch.cli.report:register",
        "Build a demo workspace from bundled data (public lists and SIMULATED imagery and AIS) and write "
        "its report.",
    ),
    "screen": Lazy(
        "armswatch.cli.screen:register",
        "Screen people, companies and vessels against sanctions lists (multilingual name matching).",
    ),
    "export": Lazy(
        "armswatch.cli.report:register",
        "Export workspace content for QGIS, Google Earth and spreadsheets.",
    ),
    "sites": Lazy("armswatch.cli.sites:app", "The site watchlist: plants, ports, rail crossings, depots."),
    "artifacts": Lazy(
        "armswatch.cli.artifacts:app",
        "Immutable files addressed by their SHA-256 (scenes, lists, AIS files, photos).",
    ),
    "runs": Lazy(
        "armswatch.cli.runs:app", "Executions of analyses: tool, version, parameters, inputs, outputs."
    ),
    "findings": Lazy(
        "armswatch.cli.findings:app", "Findings: derived, reviewable statements with provenance."
    ),
    "audit": Lazy(
        "armswatch.cli.audit:app", "The audit log: who changed what, when, protected by a hash chain."
    ),
    "verify": Lazy(
        "armswatch.cli.verify:register",
        "Recompute the audit chain, its anchors and every sealed record, blob and Parquet file.",
    ),
    "case": Lazy("armswatch.cli.case:app", "Move a whole case: export it to one zip, import it elsewhere."),
    "imagery": Lazy(
        "armswatch.cli.imagery:register",
        "Satellite imagery: search, ingest, change detection, monitoring and evaluation.",
    ),
    "ais": Lazy(
        "armswatch.cli.ais:register",
        "AIS: ingest NMEA and CSV feeds into Parquet, vessel identity, and maritime events (port calls, "
        "gaps, encounters, loitering, spoofing).",
    ),
    "entities": Lazy(
        "armswatch.cli.entities:app",
        "Sanctioned people, companies and vessels (FollowTheMoney), with list history and a graph.",
    ),
    "serve": Lazy(
        "armswatch.cli.serve:register",
        "Serve the analyst workbench (map, review queue, findings, vessels, entities) over HTTP.",
    ),
    "users": Lazy(
        "armswatch.cli.users:app",
        "Accounts of the web workbench: viewer reads; analyst adds evidence and notes and runs analyses; "
        "reviewer confirms or rejects findings; admin manages users.",
    ),
    "evidence": Lazy(
        "armswatch.cli.evidence:app",
        "Evidence: photos, documents and web pages kept as evidentiary copies with chain of custody, trusted "
        "timestamps and verifiable packages.",
    ),
    "munitions": Lazy(
        "armswatch.cli.munitions:app",
        "Munition items: what was recovered, where, its markings (any script), and the plant and shipment it "
        "points to.",
    ),
    "dossier": Lazy(
        "armswatch.cli.dossier:app",
        "Vessel and facility dossiers (HTML, PDF, JSON): identity, designations, ownership, movements, imagery, "
        "items and findings, each statement with its evidence and provenance.",
    ),
    "violations": Lazy(
        "armswatch.cli.violations:app",
        "Which UN Security Council provisions the facts in a case may engage, element by element.",
    ),
    "monitor": Lazy(
        "armswatch.cli.monitor:app",
        "Standing monitors: a watched vessel goes dark, a designated vessel enters a watched port, an encounter "
        "near a watched site, a new imagery change, a new listing matching a case entity; alerts by finding, "
        "email or webhook.",
    ),
    "rail": Lazy(
        "armswatch.cli.rail:app",
        "Rail movements at watched crossings and yards: wagons observed or counted on imagery, as a series "
        "linked to shipments.",
    ),
}


def _fail(message: str, exit_code: int) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(exit_code)


class ArmswatchGroup(TyperGroup):
    """Root group: armswatch errors and OS errors on user paths become one line and an exit code.

    This is the one place where errors are mapped to exit codes: 2 bad input or unknown id,
    3 integrity failure (audit chain, blob hash), 4 remote service, 1 anything else deliberate.
    """

    def invoke(self, ctx: Any) -> Any:
        from armswatch.cli.common import set_quiet

        set_quiet(False)  # -q is per invocation (tests run many in one process)
        try:
            return super().invoke(ctx)
        except ArmswatchError as exc:
            raise _fail(str(exc), exc.exit_code) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise _fail(f"{where}{exc.strerror or exc}", 2) from None


_LOADED: dict[str, Any] = {}  # target -> click group holding what that target registers


def load_command(name: str, lazy: Lazy) -> Any:
    """Import ``lazy.target`` and return the click command it provides under ``name``."""
    group = _LOADED.get(lazy.target)
    if group is None:
        module_name, _, attr = lazy.target.partition(":")
        obj = getattr(import_module(module_name), attr)
        holder = typer.Typer()
        holder.callback()(lambda: None)  # always a group, even when one command is registered
        if isinstance(obj, typer.Typer):
            holder.add_typer(obj, name=name)
        else:
            obj(holder)
        built: Any = typer.main.get_command(holder)
        group = _LOADED[lazy.target] = built
    command = group.commands.get(name)
    if command is None:
        raise LookupError(f"{lazy.target} does not provide the command {name!r}")
    _give_quiet(command)
    _reflow(command)
    return command


_KEEP_BREAK = re.compile(r"\s|[-•*]\s|\d+[.)]\s|Example|\x08")  # \x08: click's "do not rewrap"


def reflow_help(text: str) -> str:
    """A help text with the hard line breaks of its docstring joined inside each paragraph.

    Rich help keeps single line breaks and wraps again at the terminal's width, which leaves ragged
    half-lines. A line that starts a list item, is indented or starts an example keeps its break."""
    paragraphs = []
    for para in inspect.cleandoc(text).split("\n\n"):
        lines = para.split("\n")
        joined = [lines[0]]
        for line in lines[1:]:
            if _KEEP_BREAK.match(line) or joined[-1].startswith("\x08"):
                joined.append(line)
            else:
                joined[-1] = f"{joined[-1].rstrip()} {line.strip()}"
        paragraphs.append("\n".join(joined))
    return "\n\n".join(paragraphs)


def _reflow(command: Any) -> None:
    if command.help:
        command.help = reflow_help(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflow(sub)


def _give_quiet(command: Any) -> None:
    """Every leaf command takes ``-q`` (see :func:`armswatch.cli.common.add_quiet`)."""
    from armswatch.cli.common import add_quiet

    if hasattr(command, "commands"):
        for sub in command.commands.values():
            _give_quiet(sub)
    else:
        add_quiet(command)


class LazyCommands(MutableMapping[str, Any]):
    """The root group's command table: names are known up front, commands are built on first use."""

    def __init__(self, eager: Mapping[str, Any], lazy: Mapping[str, Lazy]) -> None:
        self._lazy = dict(lazy)
        self._eager = {k: v for k, v in eager.items() if k not in self._lazy}
        self._loaded: dict[str, Any] = {}

    def is_loaded(self, name: str) -> bool:
        return name in self._eager or name in self._loaded

    def __getitem__(self, name: str) -> Any:
        if name in self._eager:
            return self._eager[name]
        if name not in self._loaded:
            self._loaded[name] = load_command(name, self._lazy[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._lazy.pop(name, None)
        self._eager[name] = command

    def __delitem__(self, name: str) -> None:
        if name in self._lazy:
            del self._lazy[name]
            self._loaded.pop(name, None)
        else:
            del self._eager[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from self._eager

    def __len__(self) -> int:
        return len(self._lazy) + len(self._eager)


class RootGroup(ArmswatchGroup):
    """The ``armswatch`` group: commands from :data:`COMMANDS`, loaded on demand.

    While the root ``--help`` is formatted, commands not yet loaded are listed with their declared
    one-line help instead of being imported.
    """

    lazy_commands: Mapping[str, Lazy] = COMMANDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands, self.lazy_commands)
        self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: ``.items()`` would load every command

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        table = self.commands
        listing = self._listing and isinstance(table, LazyCommands) and cmd_name in self.lazy_commands
        if listing and isinstance(table, LazyCommands) and not table.is_loaded(cmd_name):
            text = self.lazy_commands[cmd_name].help
            return TyperCommand(cmd_name, help=text, short_help=text)
        return table.get(cmd_name)


app = typer.Typer(
    cls=RootGroup,
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
        from armswatch import __version__

        typer.echo(f"armswatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """armswatch: sites, movements, entities and findings with provenance."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
