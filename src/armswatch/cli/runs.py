"""``armswatch runs``: every execution of an analysis, with its parameters and inputs."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli.common import FormatOpt, OutputOpt, WorkspaceOpt, emit, open_workspace, show_record
from armswatch.provenance.clock import to_iso

app = typer.Typer(
    help="Executions of analyses: tool, version, parameters, inputs, outputs.\n\nExample: armswatch runs list",
    no_args_is_help=True,
)


@app.command("list")
def list_(
    tool: Annotated[str | None, typer.Option(help="Only runs of this tool, e.g. ais.events.")] = None,
    status: Annotated[str | None, typer.Option(help="running, succeeded or failed.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List runs, oldest first.

    Example: armswatch runs list --tool imagery.monitor --format json
    """
    with open_workspace(workspace) as ws:
        rows = [
            {
                "id": r.id,
                "tool": r.tool,
                "version": r.version,
                "status": r.status,
                "started": to_iso(r.started_at),
                "ended": to_iso(r.ended_at),
                "analyst": r.analyst,
                "inputs": len(r.inputs),
                "outputs": len(r.outputs),
                "simulated": r.simulated,
            }
            for r in ws.list_runs(tool, status)
        ]
    emit(rows, fmt=fmt, output=output, title="runs")


@app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show one run: parameters, input and output artifacts, summary, error.

    Example: armswatch runs show run-20241011T101500-a1b2c3
    """
    with open_workspace(workspace) as ws:
        r = ws.get_run(run_id)
        findings = [f.id for f in ws.list_findings(run_id=r.id)]
    show_record(
        {
            "id": r.id,
            "tool": r.tool,
            "version": r.version,
            "status": r.status,
            "error": r.error,
            "analyst": r.analyst,
            "started": to_iso(r.started_at),
            "ended": to_iso(r.ended_at),
            "parameters": r.parameters,
            "inputs": list(r.inputs),
            "outputs": list(r.outputs),
            "summary": r.summary,
            "findings": findings,
            "simulated": r.simulated,
        },
        fmt,
    )
