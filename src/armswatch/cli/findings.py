"""``armswatch findings``: reviewable statements tied to their run and evidence."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    say,
    show_record,
)
from armswatch.provenance.clock import to_iso
from armswatch.provenance.model import Finding

app = typer.Typer(
    help="Findings: derived, reviewable statements with provenance.\n\nExample: armswatch findings list --status new",
    no_args_is_help=True,
)


def finding_row(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "kind": f.kind,
        "title": f.title,
        "confidence": f.confidence,
        "status": f.status,
        "start": to_iso(f.start),
        "end": to_iso(f.end),
        "subjects": list(f.subjects),
        "run": f.run_id,
        "simulated": f.simulated,
        "geometry": f.geometry,
    }


@app.command("list")
def list_(
    kind: Annotated[
        str | None, typer.Option(help="Only this kind (prefix), e.g. ais or imagery.change.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="new, confirmed or rejected.")] = None,
    subject: Annotated[
        str | None, typer.Option(help="Only findings about this subject, e.g. site:rajin-port.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List findings.

    Example: armswatch findings list --kind ais --format geojson -o ais-findings.geojson
    """
    with open_workspace(workspace) as ws:
        rows = [finding_row(f) for f in ws.list_findings(kind, status, subject)]
    columns = (
        None
        if fmt != "table"
        else ["id", "kind", "title", "confidence", "status", "start", "end", "simulated"]
    )
    emit(rows, fmt=fmt, output=output, columns=columns, title="findings")


@app.command("show")
def show(
    finding_id: Annotated[str, typer.Argument(help="Finding id or unique prefix.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show one finding with its evidence, run provenance and review history.

    Example: armswatch findings show fnd-3a9c
    """
    with open_workspace(workspace) as ws:
        f = ws.get_finding(finding_id)
        run = ws.get_run(f.run_id)
        evidence = [f"{a.id} {a.name}" for a in (ws.get_artifact(e) for e in f.evidence)]
    record = finding_row(f) | {
        "summary": f.summary,
        "details": f.details,
        "evidence": evidence,
        "run tool": f"{run.tool} (armswatch {run.version})",
        "run parameters": run.parameters,
        "run inputs": list(run.inputs),
        "reviews": [
            f"{to_iso(r.at)} {r.analyst}: {r.status_from} -> {r.status_to} {r.note}".strip()
            for r in f.reviews
        ],
    }
    show_record(record, fmt)


@app.command("review")
def review(
    finding_id: Annotated[str, typer.Argument(help="Finding id or unique prefix.")],
    status: Annotated[str, typer.Option(help="New status: confirmed, rejected or new.")],
    note: Annotated[str, typer.Option(help="Why (kept in the review history and audit log).")] = "",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Review a finding: change its status with a note; the history is kept.

    Example: armswatch findings review fnd-3a9c --status confirmed --note "matches Planet image of 2024-10-05"
    """
    with open_workspace(workspace, analyst) as ws:
        r = ws.review_finding(finding_id, status, note)
    say(f"{r.finding_id}: {r.status_from} -> {r.status_to} by {r.analyst}")
