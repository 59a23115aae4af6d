"""``armswatch findings``: reviewable statements tied to their run and evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    check_format,
    emit,
    open_workspace,
    say,
    show_record,
)
from armswatch.errors import InputError
from armswatch.io.atomic import write_text_atomic
from armswatch.provenance.clock import to_iso

if TYPE_CHECKING:
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
    quiet: QuietOpt = False,
) -> None:
    """List findings.

    Example: armswatch findings list --kind ais --format geojson -o ais-findings.geojson
    """
    with open_workspace(workspace) as ws:
        rows = [finding_row(f) for f in ws.list_findings(kind, status, subject)]
        if not rows:
            say(_why_empty(ws, kind, status, subject), quiet)
            if fmt == "table":
                return
    columns = (
        None
        if fmt != "table"
        else ["id", "kind", "title", "confidence", "status", "start", "end", "simulated"]
    )
    emit(rows, fmt=fmt, output=output, columns=columns, title="findings")


def _why_empty(ws: Any, kind: str | None, status: str | None, subject: str | None) -> str:
    """Why a finding list is empty and what to try."""
    total = len(ws.list_findings())
    if total == 0:
        return (
            "no findings in this workspace yet: they come from analyses, e.g. 'armswatch imagery monitor SITE', "
            "'armswatch ais events', 'armswatch screen QUERIES.csv' (or try 'armswatch demo DIR')"
        )
    filters = ", ".join(
        f"--{k} {v}" for k, v in (("kind", kind), ("status", status), ("subject", subject)) if v
    )
    return f"none of the {total} findings match {filters}; try without it, or 'armswatch findings list'"


def geometry_summary(geometry: dict[str, Any] | None) -> str | None:
    """``Polygon, centroid 42.34000N 130.39000E, extent 0.02° x 0.01° (lon x lat), 5 points``."""
    if not geometry:
        return None
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError):
        return f"{geometry.get('type', '?')} (not readable as GeoJSON)"
    points = sum(1 for _ in _coords(geometry.get("coordinates", []))) if "coordinates" in geometry else None
    c = geom.centroid if not geom.is_empty else None
    where = f", centroid {c.y:.5f}N {c.x:.5f}E" if c is not None else ""
    x0, y0, x1, y1 = geom.bounds if not geom.is_empty else (0.0, 0.0, 0.0, 0.0)
    extent = f", extent {x1 - x0:.4f}° x {y1 - y0:.4f}° (lon x lat)" if (x1 > x0 or y1 > y0) else ""
    count = f", {points} points" if points and points > 1 else ""
    return f"{geom.geom_type}{where}{extent}{count} (--geometry prints it all)"


def _coords(value: Any) -> Any:
    """Positions in a GeoJSON coordinates array (any nesting)."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _coords(item)


@app.command("show")
def show(
    finding_id: Annotated[str, typer.Argument(help="Finding id or unique prefix.")],
    geometry: Annotated[
        bool, typer.Option("--geometry", help="Print the whole geometry (default: type, centroid, extent).")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table or json.")] = "table",
    output: OutputOpt = "-",
    quiet: QuietOpt = False,
) -> None:
    """Show one finding with its evidence, run provenance and review history.

    Example: armswatch findings show fnd-3a9c --format json -o finding.json
    """
    fmt = check_format(fmt, ("table", "json"))
    if fmt == "table" and output != "-":
        raise InputError("--format table prints to the terminal; use --format json with -o FILE")
    with open_workspace(workspace) as ws:
        f = ws.get_finding(finding_id)
        run = ws.get_run(f.run_id)
        evidence = [f"{a.id} {a.name}" for a in (ws.get_artifact(e) for e in f.evidence)]
    record = finding_row(f) | {
        "geometry": f.geometry if geometry or fmt == "json" else geometry_summary(f.geometry),
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
    if output != "-":
        write_text_atomic(Path(output), json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n")
        say(f"{f.id} written to {output}", quiet)
        return
    show_record(record, fmt)


@app.command("review")
def review(
    finding_id: Annotated[str, typer.Argument(help="Finding id or unique prefix.")],
    status: Annotated[str, typer.Option(help="New status: confirmed, rejected or new.")],
    note: Annotated[str, typer.Option(help="Why (kept in the review history and audit log).")] = "",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Review a finding: change its status with a note; the history is kept.

    Example: armswatch findings review fnd-3a9c --status confirmed --note "matches Planet image of 2024-10-05"
    """
    with open_workspace(workspace, analyst) as ws:
        r = ws.review_finding(finding_id, status, note)
    say(f"{r.finding_id}: {r.status_from} -> {r.status_to} by {r.analyst}", quiet)
