"""``armswatch verify``: check that the case is what armswatch wrote (records, chain, blobs, tables)."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli.common import QuietOpt, WorkspaceOpt, open_workspace, progress_for
from armswatch.errors import IntegrityError


def verify(
    workspace: WorkspaceOpt = None,
    no_blobs: Annotated[
        bool, typer.Option("--no-blobs", help="Do not re-hash artifact blobs (faster).")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Recompute the audit chain, its anchors and every sealed record, blob and Parquet file.

    Names every record edited, deleted or inserted outside armswatch (table and id) and exits 3
    when anything is wrong.

    Example: armswatch verify
    """
    run_verify(workspace, blobs=not no_blobs, quiet=quiet)


def run_verify(workspace: WorkspaceOpt, *, blobs: bool = True, quiet: bool = False) -> None:
    from armswatch.provenance.verify import verify_workspace

    with open_workspace(workspace) as ws, progress_for(quiet) as bar:
        report = verify_workspace(ws, blobs=blobs, progress=bar)
    for problem in report.problems:
        typer.echo(problem.line(), err=True)
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    if report.problems:
        raise IntegrityError(f"case tampered: {len(report.problems)} problem(s) ({counts} checked)")
    typer.echo(f"case intact: {counts} checked")


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
