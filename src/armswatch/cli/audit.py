"""``armswatch audit``: the append-only, hash-chained log of every change."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli.common import FormatOpt, OutputOpt, WorkspaceOpt, emit, open_workspace
from armswatch.errors import IntegrityError

app = typer.Typer(
    help="The audit log: who changed what, when, protected by a hash chain.\n\nExample: armswatch audit verify",
    no_args_is_help=True,
)


@app.command("verify")
def verify(workspace: WorkspaceOpt = None) -> None:
    """Check the hash chain; exit 3 naming each edited, deleted or missing entry.

    Example: armswatch audit verify
    """
    with open_workspace(workspace) as ws:
        problems = ws.verify_audit()
        total = len(ws.audit_entries())
    for p in problems:
        typer.echo(f"audit entry {p.seq}: {p.reason}", err=True)
    if problems:
        raise IntegrityError(f"audit log tampered: {len(problems)} problem(s) in {total} entries")
    typer.echo(f"audit log intact: {total} entries")


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
    typer.echo("empty" if h is None else f"{h[0]} {h[1]}")
