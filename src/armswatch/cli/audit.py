"""``armswatch audit``: the append-only, hash-chained log of every change."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli.common import FormatOpt, OutputOpt, QuietOpt, WorkspaceOpt, emit, open_workspace
from armswatch.errors import IntegrityError

app = typer.Typer(
    help="The audit log: who changed what, when, protected by a hash chain.\n\nExample: armswatch audit verify",
    no_args_is_help=True,
)


@app.command("verify")
def verify(workspace: WorkspaceOpt = None, quiet: QuietOpt = False) -> None:
    """Check the chain and every record it seals (same as 'armswatch verify'); exit 3 naming each
    edited, deleted or inserted entry and record.

    Example: armswatch audit verify
    """
    from armswatch.cli.verify import run_verify

    run_verify(workspace, quiet=quiet)


@app.command("log")
def log(
    limit: Annotated[int, typer.Option(help="Show the last N entries (0 for all).")] = 50,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """Show audit entries, oldest first.

    Example: armswatch audit log --limit 0 --format csv -o audit.csv
    """
    with open_workspace(workspace) as ws:
        entries = ws.audit_entries()
    if limit:
        entries = entries[-limit:]
    rows = [
        {
            "seq": e.seq,
            "at": e.at,
            "analyst": e.analyst,
            "action": e.action,
            "object": f"{e.object_type}:{e.object_id}",
            "hash": e.hash[:16],
            **({"payload": e.payload} if fmt != "table" else {}),
        }
        for e in entries
    ]
    emit(rows, fmt=fmt, output=output, title="audit log")


@app.command("head")
def head(workspace: WorkspaceOpt = None) -> None:
    """Print the chain head (sequence and hash) to publish or store elsewhere as an anchor.

    Example: armswatch audit head >> ~/anchors.txt
    """
    with open_workspace(workspace) as ws:
        h = ws.audit_head()
    if h is not None and not (isinstance(h[1], str) and len(h[1]) == 64):
        raise IntegrityError("the audit head row is malformed; run 'armswatch verify'")
    typer.echo("empty" if h is None else f"{h[0]} {h[1]}")
