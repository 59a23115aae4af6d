"""``armswatch artifacts``: immutable, content-addressed files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    say,
    show_record,
    track,
)
from armswatch.errors import IntegrityError
from armswatch.provenance.clock import parse_when, to_iso
from armswatch.provenance.model import Artifact

app = typer.Typer(
    help="Immutable files addressed by their SHA-256 (scenes, lists, AIS files, photos).\n\nExample: armswatch artifacts list",
    no_args_is_help=True,
)


def artifact_row(a: Artifact) -> dict[str, object]:
    return {
        "id": a.id,
        "name": a.name,
        "media_type": a.media_type,
        "size": a.size,
        "source": a.source_id,
        "captured_at": to_iso(a.captured_at),
        "added_at": to_iso(a.added_at),
        "simulated": a.simulated,
    }


@app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="Files to store.")],
    source: Annotated[str | None, typer.Option(help="Source id (see 'armswatch artifacts sources').")] = None,
    captured: Annotated[
        str | None, typer.Option(help="When the content was captured (YYYY-MM-DD or ISO 8601).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where the file was obtained.")] = None,
    media_type: Annotated[
        str | None, typer.Option("--media-type", help="Media type (default: from the extension).")
    ] = None,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Store files as artifacts; adding the same bytes again gives the same artifact.

    Example: armswatch artifacts add photo.jpg --source kyiv-independent --captured 2024-01-02
    """
    when = parse_when(captured) if captured else None
    with open_workspace(workspace, analyst) as ws:
        for f in files:
            art = ws.add_artifact(f, source=source, captured_at=when, url=url, media_type=media_type)
            typer.echo(art.id)
            say(f"{f} -> {art.id} ({art.size} bytes)", quiet)


@app.command("list")
def list_(
    media_type: Annotated[str | None, typer.Option("--media-type", help="Only this media type.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List artifacts.

    Example: armswatch artifacts list --format csv -o artifacts.csv
    """
    with open_workspace(workspace) as ws:
        rows = [artifact_row(a) for a in ws.list_artifacts(media_type)]
    emit(rows, fmt=fmt, output=output, title="artifacts")


@app.command("show")
def show(
    artifact: Annotated[
        str, typer.Argument(help="Artifact id (sha256:…, or a unique prefix of 8+ hex digits).")
    ],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show one artifact, its metadata and where its blob lies.

    Example: armswatch artifacts show 3fa2c1d9
    """
    with open_workspace(workspace) as ws:
        a = ws.get_artifact(artifact)
        row = artifact_row(a) | {"url": a.url, "metadata": a.metadata, "blob": str(ws.artifact_path(a.id))}
    show_record(row, fmt)


@app.command("export")
def export(
    artifact: Annotated[str, typer.Argument(help="Artifact id or unique prefix.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Copy an artifact's bytes out of the workspace.

    Example: armswatch artifacts export 3fa2c1d9 -o chip.png
    """
    with open_workspace(workspace) as ws:
        a = ws.get_artifact(artifact)
        ws.blobs.export(a.sha256, output)


@app.command("verify")
def verify(workspace: WorkspaceOpt = None, quiet: QuietOpt = False) -> None:
    """Re-hash every blob and report any that changed or went missing (exit 3 if so).

    Example: armswatch artifacts verify
    """
    bad: list[str] = []
    with open_workspace(workspace) as ws:
        artifacts = ws.list_artifacts()
        for a in track(artifacts, "re-hashing blobs", quiet=quiet):
            try:
                ws.blobs.verify(a.sha256)
            except IntegrityError as exc:
                bad.append(str(exc))
    for line in bad:
        typer.echo(line, err=True)
    if bad:
        raise IntegrityError(f"{len(bad)} of {len(artifacts)} artifacts failed verification")
    typer.echo(f"{len(artifacts)} artifacts verified")


@app.command("sources")
def sources(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table", output: OutputOpt = "-") -> None:
    """List the sources (publishers) artifacts come from, with Admiralty reliability grades.

    Example: armswatch artifacts sources --format json
    """
    with open_workspace(workspace) as ws:
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "publisher": s.publisher,
                "url": s.url,
                "licence": s.licence,
                "reliability": s.reliability,
            }
            for s in ws.list_sources()
        ]
    emit(rows, fmt=fmt, output=output, title="sources")


@app.command("add-source")
def add_source(
    name: Annotated[str, typer.Argument(help="Source name, e.g. 'CSIS Beyond Parallel'.")],
    publisher: Annotated[str | None, typer.Option(help="Publisher.")] = None,
    url: Annotated[str | None, typer.Option(help="Home page or document URL.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence or terms of use.")] = None,
    reliability: Annotated[
        str, typer.Option(help="Admiralty reliability grade A-F (F: cannot be judged).")
    ] = "F",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Register a source; prints its id.

    Example: armswatch artifacts add-source "CSIS Beyond Parallel" --reliability B
    """
    with open_workspace(workspace, analyst) as ws:
        typer.echo(
            ws.add_source(name, publisher=publisher, url=url, licence=licence, reliability=reliability)
        )
