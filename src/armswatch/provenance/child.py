"""Run one armswatch command in the current process (crash tests fork it from a preloaded server,
so each killed command starts in milliseconds instead of re-importing polars and SQLAlchemy)."""

from __future__ import annotations

import contextlib
import os

import armswatch.cli.ais
import armswatch.cli.entities
import armswatch.entities.ingest
import armswatch.maritime.ingest  # noqa: F401
from armswatch.cli.main import app


def run_cli(argv: list[str]) -> None:
    """``armswatch *argv``; the process exits with the command's exit code."""
    code = 0
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            app(argv, standalone_mode=False)
        except SystemExit as exc:
            code = int(exc.code or 0)
        except BaseException:
            code = 1
    os._exit(code)


def import_list_in(root: str, path: str, fmt: str) -> None:
    """Import a list into the workspace at ``root`` (concurrency tests start many at once)."""
    from pathlib import Path

    from armswatch.entities.ingest import import_list
    from armswatch.workspace import Workspace

    with Workspace.open(Path(root), analyst="racer") as ws:
        import_list(ws, Path(path), format=fmt)


def review_in(root: str, finding: str, i: int) -> None:
    """Review a finding in the workspace at ``root``; a conflict is an expected outcome."""
    from pathlib import Path

    from armswatch.errors import ConflictError
    from armswatch.workspace import Workspace

    with Workspace.open(Path(root), analyst=f"reviewer{i}") as ws, contextlib.suppress(ConflictError):
        ws.review_finding(finding, "confirmed" if i % 2 else "rejected", f"review {i}")


def run_in(root: str, i: int) -> None:
    """Record one run with one finding in the workspace at ``root``."""
    from pathlib import Path

    from armswatch.workspace import Workspace

    with (
        Workspace.open(Path(root), analyst=f"analyst{i}") as ws,
        ws.run("test.concurrent", parameters={"i": i}) as run,
    ):
        run.add_finding(kind="test.concurrent", title=f"finding {i}")
