"""Shared options and output helpers for every armswatch command."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from armswatch.errors import InputError
from armswatch.io.atomic import write_text_atomic
from armswatch.io.text import csv_cell, plain

if TYPE_CHECKING:  # the workspace pulls in SQLAlchemy: imported when a command opens one
    from rich.progress import Progress

    from armswatch.workspace import Workspace

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="ARMSWATCH_WORKSPACE",
        show_envvar=True,
        help="Workspace folder (default: the nearest armswatch.toml from the current folder upwards).",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table, json, csv or geojson.")]
OutputOpt = Annotated[str, typer.Option("--output", "-o", help="Output file, or - for standard output.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or chatter.")]
AnalystOpt = Annotated[
    str | None,
    typer.Option(
        "--analyst",
        envvar="ARMSWATCH_ANALYST",
        help="Who is acting (default: the OS user); recorded in the audit log.",
    ),
]

FORMATS = ("table", "json", "csv", "geojson")
GEO_FORMATS = ("geojson", "csv", "kml")

GeoFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="geojson, csv or kml (default: from the extension; geojson to stdout)."
    ),
]


def geo_file_format(path: str, fmt: str | None, *, writing: bool = False) -> str:
    """The geodata format named by ``--format`` or else by the file's extension (``-`` means GeoJSON).

    KMZ (zipped KML) is read but not written.
    """
    if writing and path.lower().endswith(".kmz"):
        raise InputError(f"{path}: writing KMZ is not supported; write .kml (Google Earth opens it)")
    if fmt is None and path == "-":
        return "geojson"
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    chosen = {"json": "geojson", "kmz": "kml"}.get(chosen, chosen)
    if chosen not in GEO_FORMATS:
        raise InputError(f"cannot tell the format of {path!r}; use --format geojson, csv or kml")
    return chosen


err_console = Console(stderr=True)


def out_console() -> Console:
    """Standard output console: terminal width on a terminal, wide enough to stay readable in a pipe."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def open_workspace(path: Path | None, analyst: str | None = None) -> Workspace:
    """Open the workspace at ``path`` (``~`` expanded) or the nearest one upwards."""
    from armswatch.workspace import Workspace

    return Workspace.open(path.expanduser() if path is not None else None, analyst=analyst)


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    fmt = fmt.lower()
    if fmt not in allowed:
        raise InputError(f"--format must be one of {', '.join(allowed)} (got {fmt!r})")
    return fmt


def format_from_output(output: str, fmt: str | None, default: str = "table") -> str:
    """Pick the format from an explicit ``--format`` or else the output file's extension."""
    if fmt:
        return check_format(fmt)
    suffix = Path(output).suffix.lower().lstrip(".")
    return {"json": "json", "csv": "csv", "geojson": "geojson"}.get(
        suffix, default if output == "-" else "json"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def render(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render rows as json, csv or geojson text (rows for geojson carry a ``geometry`` key)."""
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r if k != "geometry"))
    if fmt == "json":
        return json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([csv_cell(_cell(r.get(c))) for c in cols])
        return buf.getvalue()
    if fmt == "geojson":
        features = [
            {"type": "Feature", "geometry": r.get("geometry"), "properties": {c: r.get(c) for c in cols}}
            for r in rows
        ]
        return (
            json.dumps(
                {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=2, default=str
            )
            + "\n"
        )
    raise InputError(f"cannot render format {fmt!r}")


def emit(
    rows: Sequence[Mapping[str, Any]],
    *,
    fmt: str = "table",
    output: str = "-",
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    """Print rows to the terminal (table) or write them to ``output`` (atomically when a file)."""
    fmt = check_format(fmt)
    if fmt == "table":
        if output != "-":
            raise InputError("--format table prints to the terminal; choose json, csv or geojson for a file")
        cols = (
            list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r if k != "geometry"))
        )
        from rich.table import Table

        table = Table(title=plain(title) if title else None, show_lines=False)
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[plain(_cell(r.get(c))) for c in cols])
        out_console().print(table)
        return
    text = render(rows, fmt, columns)
    if output == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(Path(output), text)


def show_record(record: Mapping[str, Any], fmt: str = "table") -> None:
    """Print one record as key/value lines (table) or JSON."""
    if fmt == "json":
        sys.stdout.write(json.dumps(dict(record), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    from rich.table import Table

    table = Table(show_header=False, box=None)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        table.add_row(plain(key), plain(_cell(value)))
    out_console().print(table)


class _Quiet:
    """``-q`` given to a command that has no ``quiet`` parameter of its own (see :func:`add_quiet`)."""

    value = False


def set_quiet(value: bool) -> None:
    _Quiet.value = bool(value)


def add_quiet(command: Any) -> None:
    """Give a click command ``-q/--quiet`` when it has none: it silences :func:`say` and progress bars.

    The root group calls this for every command it loads, so ``-q`` behaves the same everywhere; a
    command with its own ``quiet`` parameter keeps it (and passes it on explicitly).
    """
    if any("-q" in getattr(p, "opts", ()) for p in command.params):
        return
    command.params.append(_quiet_option())


def _quiet_option() -> Any:
    """Typer's own option object for :data:`QuietOpt`, made to set the flag instead of passing it."""
    import copy

    holder = typer.Typer()

    @holder.command()
    def _probe(quiet: QuietOpt = False) -> None:  # pragma: no cover - never invoked
        del quiet

    option = copy.copy(typer.main.get_command(holder).params[0])
    option.expose_value = False
    option.callback = lambda _ctx, _param, value: set_quiet(bool(value))
    return option


def say(message: str, quiet: bool = False) -> None:
    """A status line on standard error (standard output stays clean for data)."""
    if not (quiet or _Quiet.value):
        err_console.print(plain(message), highlight=False)


def progress_enabled(quiet: bool = False) -> bool:
    """Progress bars go to standard error, only on a terminal and never with ``-q``."""
    return not (quiet or _Quiet.value) and sys.stderr.isatty()


@contextmanager
def progress(quiet: bool = False) -> Iterator[Progress]:
    """A rich progress display on standard error; silent when quiet or when stderr is not a terminal.

    Give tasks a ``total`` whenever it can be known (files, rows, sites, bytes): the bar then shows
    ``done/total`` and the time left; without one it shows the count done and a pulsing bar (never
    ``0/?``).
    """
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class CountColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            done = f"{int(task.completed):,}"
            return Text(done if task.total is None else f"{done}/{int(task.total):,}")

    class RemainingColumn(TimeRemainingColumn):
        def render(self, task: Task) -> Text:
            return Text("") if task.total is None else super().render(task)

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        CountColumn(),
        TimeElapsedColumn(),
        RemainingColumn(),
        console=err_console,
        disable=not progress_enabled(quiet),
        transient=False,
    )
    with bar:
        yield bar


class _BarProgress:
    """Draws the library's :class:`armswatch.progress.Progress` phases as rich bars, one per phase."""

    def __init__(self, bar: Progress) -> None:
        self._bar = bar
        self._task: Any = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self._task is not None:  # finish the previous phase: a bar with a total ends full
            task = self._bar.tasks[-1]
            if task.total is not None:
                self._bar.update(self._task, completed=task.total)
        from rich.markup import escape

        self._task = self._bar.add_task(escape(name), total=total)  # a phase name is text, not markup

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)


@contextmanager
def progress_for(quiet: bool = False) -> Iterator[_BarProgress]:
    """A :class:`armswatch.progress.Progress` for library calls, drawn on standard error.

    Silent with ``-q`` or when standard error is not a terminal, like :func:`progress`.
    """
    with progress(quiet) as bar:
        yield _BarProgress(bar)


def track(
    items: Iterable[Any], description: str, total: int | None = None, quiet: bool = False
) -> Iterator[Any]:
    """Iterate ``items`` with a progress bar (total from ``len(items)`` when not given)."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with progress(quiet) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
