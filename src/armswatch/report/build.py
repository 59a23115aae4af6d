"""Gather a workspace's sites, findings and provenance into the report model and render it."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

from armswatch import __version__
from armswatch.provenance.clock import utcnow
from armswatch.provenance.model import Finding, Run
from armswatch.report.model import EvidenceItem, ReportData, ReportFinding, ReviewEntry, RunInfo
from armswatch.report.registry import sections

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

THUMBNAIL_PX = 360
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def thumbnail(data: bytes, size: int = THUMBNAIL_PX) -> bytes | None:
    """A PNG thumbnail of an image artifact, or None when the bytes are not a readable image."""
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


def collect(ws: Workspace, title: str | None = None) -> ReportData:
    runs = {r.id: r for r in ws.list_runs()}
    cache: dict[str, EvidenceItem] = {}
    findings = tuple(report_finding(f, runs[f.run_id], _evidence(ws, f, cache)) for f in ws.list_findings())
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
        sites=tuple(ws.list_sites()),
        findings=findings,
        sections=tuple(sections(ws)),
        simulated_note=note,
    )


def build_report(ws: Workspace, title: str | None = None) -> str:
    from armswatch.report.render import render_report

    return render_report(collect(ws, title))


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
