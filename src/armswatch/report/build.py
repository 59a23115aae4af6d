"""Gather a workspace's sites, findings and provenance into the report model and render it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from armswatch import __version__
from armswatch.errors import InputError
from armswatch.provenance.clock import utcnow
from armswatch.provenance.model import Finding, Run
from armswatch.report.model import EvidenceItem, ReportData, ReportFinding, ReviewEntry, RunInfo
from armswatch.report.registry import sections
from armswatch.report.scope import ScopedWorkspace, Selection

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

THUMBNAIL_PX = 360
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def thumbnail(data: bytes, size: int = THUMBNAIL_PX) -> bytes | None:
    """A PNG thumbnail of an image artifact, or None when the bytes are not a readable image."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((size, size))
            out = io.BytesIO()
            img.convert("RGB" if img.mode not in ("RGB", "RGBA", "L") else img.mode).save(
                out, format="PNG", optimize=True
            )
            return out.getvalue()
    except (OSError, ValueError):
        return None


def _evidence(ws: Workspace, finding: Finding, cache: dict[str, EvidenceItem]) -> tuple[EvidenceItem, ...]:
    items = []
    for artifact_id in finding.evidence:
        if artifact_id not in cache:
            art = ws.get_artifact(artifact_id)
            thumb = (
                thumbnail(ws.artifact_path(art.id).read_bytes()) if art.media_type in IMAGE_TYPES else None
            )
            cache[artifact_id] = EvidenceItem(
                artifact_id=art.id, name=art.name, media_type=art.media_type, thumbnail_png=thumb
            )
        items.append(cache[artifact_id])
    return tuple(items)


def report_finding(f: Finding, run: Run, evidence: tuple[EvidenceItem, ...]) -> ReportFinding:
    return ReportFinding(
        id=f.id,
        kind=f.kind,
        title=f.title,
        summary=f.summary,
        status=f.status,
        confidence=f.confidence,
        simulated=f.simulated,
        geometry=f.geometry,
        start=f.start,
        end=f.end,
        subjects=f.subjects,
        evidence=evidence,
        run=RunInfo(
            id=run.id,
            tool=run.tool,
            version=run.version,
            parameters=run.parameters,
            inputs=run.inputs,
            started_at=run.started_at,
            ended_at=run.ended_at,
        ),
        reviews=tuple(
            ReviewEntry(at=r.at, analyst=r.analyst, status=r.status_to, note=r.note) for r in f.reviews
        ),
        details=f.details,
    )


def _check_sites(ws: Workspace, selection: Selection) -> None:
    known = {s.id for s in ws.list_sites()}
    unknown = [s for s in selection.sites if s not in known]
    if unknown:
        raise InputError(
            f"no site with id {', '.join(unknown)} in this workspace (see 'armswatch sites list')"
        )


def collect(ws: Workspace, title: str | None = None, selection: Selection | None = None) -> ReportData:
    """The report's content: the selected live findings (default: new and confirmed), their sites,
    domain sections computed over the same findings, and rejected ones only for the appendix."""
    selection = selection or Selection()
    _check_sites(ws, selection)
    runs = {r.id: r for r in ws.list_runs()}
    cache: dict[str, EvidenceItem] = {}
    every = ws.list_findings()
    live = [f for f in every if selection.wants(f)]
    rejected = [f for f in every if selection.wants(f, rejected=True)]
    findings = tuple(report_finding(f, runs[f.run_id], _evidence(ws, f, cache)) for f in live)
    appendix = (
        tuple(report_finding(f, runs[f.run_id], _evidence(ws, f, cache)) for f in rejected)
        if selection.appendix
        else ()
    )
    sites = tuple(s for s in ws.list_sites() if not selection.sites or s.id in selection.sites)
    scoped = cast("Workspace", ScopedWorkspace(ws, selection))
    any_simulated = any(f.simulated for f in findings) or any(a.simulated for a in ws.list_artifacts())
    note = (
        (
            "This workspace contains SIMULATED data (marked SIMULATED below). Simulated imagery, tracks and "
            "links illustrate the method only; they are not observations of the world."
        )
        if any_simulated
        else ""
    )
    return ReportData(
        title=title or ws.name,
        generated_at=utcnow(),
        workspace=ws.name,
        version=__version__,
        sites=sites,
        findings=findings,
        sections=tuple(sections(scoped)),
        simulated_note=note,
        scope=selection.describe(),
        statuses=selection.statuses,
        appendix=appendix,
        rejected_not_shown=0 if selection.appendix else len(rejected),
    )


def build_report(
    ws: Workspace,
    title: str | None = None,
    selection: Selection | None = None,
    on_step: Callable[[], None] | None = None,
) -> str:
    """The report as one self-contained HTML string (see :func:`collect` for what it shows);
    ``on_step`` is called after gathering and after rendering (for a progress bar)."""
    from armswatch.report.render import render_report

    data = collect(ws, title, selection)
    if on_step:
        on_step()
    html = render_report(data)
    if on_step:
        on_step()
    return html


def export_findings_text(ws: Workspace, fmt: str, kind: str | None = None, status: str | None = None) -> str:
    from armswatch.export import finding as export

    runs = {r.id: r for r in ws.list_runs()}
    findings = [
        report_finding(f, runs[f.run_id], tuple(EvidenceItem(e, "", "") for e in f.evidence))
        for f in ws.list_findings(kind=kind, status=status)
    ]
    writer = {
        "geojson": export.findings_to_geojson,
        "csv": export.findings_to_csv,
        "kml": export.findings_to_kml,
    }[fmt]
    return writer(findings)
