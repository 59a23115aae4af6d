"""``armswatch evidence``: captured open-source material with chain of custody, timestamps and packages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    progress_for,
    say,
    show_record,
)
from armswatch.errors import InputError

app = typer.Typer(
    help=(
        "Evidence: photos, documents and web pages kept as evidentiary copies with chain of custody, trusted "
        "timestamps and verifiable packages.\n\nExample: armswatch evidence add rocket.jpg --url https://example.org/post"
    ),
    no_args_is_help=True,
)

PurposeOpt = Annotated[str, typer.Option(help="Why (recorded in the custody log).")]
TsaCertOpt = Annotated[
    Path | None, typer.Option(help="Pinned TSA certificate (PEM/DER) to check token signatures.")
]
CaCertOpt = Annotated[Path | None, typer.Option(help="CA certificate that issued the TSA's certificate.")]


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--captured-at must be an ISO date/time, got {text!r}") from None
    if value.tzinfo is None:
        raise InputError("--captured-at needs a time zone (e.g. 2024-01-02T10:00Z)")
    return value


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path else None


@app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="Photos, PDFs, videos, documents.")],
    url: Annotated[str | None, typer.Option(help="Where it was found (http/https).")] = None,
    source: Annotated[str | None, typer.Option(help="Source id (see 'armswatch artifacts sources').")] = None,
    captured_at: Annotated[
        str | None, typer.Option(help="When it was captured (ISO with time zone).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note kept with the file.")] = "",
    purpose: PurposeOpt = "evidence capture",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
) -> None:
    """Store files as evidentiary copies (EXIF/PDF metadata, perceptual hash, near-duplicates, custody).

    Example: armswatch evidence add rocket.jpg --url https://example.org/post --captured-at 2024-01-02T10:00Z
    """
    from armswatch.evidence.collect import add_evidence

    when = _when(captured_at)
    rows: list[dict[str, Any]] = []
    with open_workspace(workspace) as ws:
        for path in files:
            got = add_evidence(ws, path, url=url, source=source, captured_at=when, note=note, purpose=purpose)
            meta = got.artifact.metadata
            rows.append(
                {
                    "artifact": got.artifact.id,
                    "name": got.artifact.name,
                    "media_type": got.artifact.media_type,
                    "new": got.new,
                    "phash": meta.get("phash", ""),
                    "near_duplicates": [f"{a} ({d} bits)" for a, d in got.near_duplicates],
                    "metadata_error": (meta.get("file") or {}).get("metadata_error", ""),
                }
            )
    if not quiet or fmt != "table":
        emit(rows, fmt=fmt, title="evidence")


@app.command("show")
def show(
    artifact: Annotated[str, typer.Argument(help="Artifact id (sha256:… or 8+ hex digits).")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show an evidence file's metadata and its chain of custody (recorded as an access).

    Example: armswatch evidence show 3a9c0d12
    """
    from armswatch.evidence.custody import custody_events, record_custody

    with open_workspace(workspace) as ws:
        a = ws.get_artifact(artifact)
        record_custody(ws, a.id, "access", purpose="inspection")
        events = [e.to_dict() for e in custody_events(ws, a.id)]
    show_record(
        {"artifact": a.id, "name": a.name, "media_type": a.media_type, "url": a.url, "metadata": a.metadata},
        fmt,
    )
    if fmt == "table":
        emit(events, columns=["seq", "at", "who", "event", "purpose", "tool"], title="custody")


@app.command("custody")
def custody(
    artifact: Annotated[str | None, typer.Argument(help="Artifact id; all evidence when omitted.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List custody events (who, when, what, why, how, where, hash) from the audit log.

    Example: armswatch evidence custody --format csv -o custody.csv
    """
    from armswatch.evidence.custody import custody_events

    with open_workspace(workspace) as ws:
        events = [e.to_dict() for e in custody_events(ws, artifact)]
    if not events:
        say("No custody events yet: add evidence with 'armswatch evidence add' or 'evidence capture'.")
        return
    emit(events, fmt=fmt, output=output, title="custody")


@app.command("derive")
def derive(
    artifact: Annotated[str, typer.Argument(help="Image artifact to crop.")],
    crop: Annotated[str, typer.Option(help="x,y,width,height in pixels.")],
    purpose: PurposeOpt = "working copy",
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Make a working copy (a crop) as a new artifact; the evidentiary copy is never edited.

    Example: armswatch evidence derive 3a9c0d12 --crop 100,80,400,300
    """
    from armswatch.evidence.collect import derive_crop

    try:
        box = tuple(int(v) for v in crop.split(","))
    except ValueError:
        raise InputError(f"--crop must be four integers x,y,width,height, got {crop!r}") from None
    if len(box) != 4:
        raise InputError(f"--crop must be four integers x,y,width,height, got {crop!r}")
    with open_workspace(workspace) as ws:
        copy = derive_crop(ws, artifact, (box[0], box[1], box[2], box[3]), purpose=purpose)
    say(f"working copy {copy.id} ({copy.name})", quiet)


@app.command("capture")
def capture(
    url: Annotated[str, typer.Argument(help="The page to archive (http/https).")],
    screenshot: Annotated[
        bool, typer.Option(help="Take a headless Chromium screenshot where installed.")
    ] = True,
    javascript: Annotated[bool, typer.Option(help="Let the page's scripts run for the screenshot.")] = False,
    note: str = "",
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Archive a web page with its resources as WARC and WACZ, plus a screenshot, as evidence.

    Example: armswatch evidence capture https://example.org/post/123
    """
    from armswatch.evidence.capture_store import store_capture
    from armswatch.evidence.web import capture_url

    with progress_for(quiet) as bar:
        got = capture_url(url, screenshot=screenshot, javascript=javascript, progress=bar)
    with open_workspace(workspace) as ws:
        ids = store_capture(ws, got, note=note)
    for line in got.notes:
        say(line, quiet)
    say(
        f"{got.resources} resources, {got.bytes / 1e6:.1f} MB: WARC {ids['warc']}"
        + (f", WACZ {ids['wacz']}" if ids.get("wacz") else "")
        + (f", screenshot {ids['screenshot']}" if ids.get("screenshot") else ""),
        quiet,
    )


@app.command("timestamp")
def timestamp(
    artifacts: Annotated[list[str], typer.Argument(help="Artifact ids to timestamp.")],
    tsa: Annotated[str | None, typer.Option(help="TSA URL (default: ARMSWATCH_TSA_URL).")] = None,
    tsa_cert: TsaCertOpt = None,
    ca_cert: CaCertOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Get an RFC 3161 trusted timestamp for each file from the configured time-stamping authority.

    Example: armswatch evidence timestamp 3a9c0d12 --tsa https://tsa.example.org --ca-cert tsa-ca.pem
    """
    from armswatch.evidence.stamp import timestamp_artifact, tsa_url

    url = tsa_url(tsa)
    with open_workspace(workspace) as ws:
        for ref in artifacts:
            token, info = timestamp_artifact(ws, ref, url, tsa_cert=_read(tsa_cert), ca_cert=_read(ca_cert))
            when = (
                f" at {info.gen_time.isoformat()}"
                if info
                else " (signature not checked: no certificate given)"
            )
            say(f"{ref}: token {token.id}{when}", quiet)


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="package.zip to write.")],
    finding: Annotated[str | None, typer.Option(help="Package this finding's evidence.")] = None,
    case: Annotated[bool, typer.Option("--case", help="Package all evidence in the case.")] = False,
    purpose: PurposeOpt = "export",
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write an evidence package: files, manifest of hashes and metadata, custody, timestamps, audit head.

    Example: armswatch evidence export --finding fnd-3a9c -o package.zip
    """
    from armswatch.evidence.package import export_package, summarise

    if finding is None and not case:
        raise InputError("choose --finding ID or --case")
    if finding is not None and case:
        raise InputError("--finding and --case exclude each other")
    with open_workspace(workspace) as ws, progress_for(quiet) as bar:
        manifest = export_package(ws, output, finding=finding, purpose=purpose, progress=bar)
    counts = summarise(manifest)
    say(
        f"{output}: {counts['files']} files, {counts['timestamps']} timestamps, {counts['custody']} custody events",
        quiet,
    )


@app.command("verify")
def verify(
    target: Annotated[str, typer.Argument(help="package.zip, or an artifact id in the workspace.")],
    tsa_cert: TsaCertOpt = None,
    ca_cert: CaCertOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Verify an evidence package on any machine (no workspace needed), or one artifact in the workspace.

    Example: armswatch evidence verify package.zip --ca-cert tsa-ca.pem
    """
    path = Path(target)
    if path.suffix.lower() == ".zip" or path.is_file():
        from armswatch.evidence.package import verify_package

        with progress_for(quiet) as bar:
            report = verify_package(path, tsa_cert=_read(tsa_cert), ca_cert=_read(ca_cert), progress=bar)
        for note in report.notes:
            say(note, quiet)
        say(
            f"{path}: intact: {report.files} files ({report.bytes} bytes), {report.custody_events} custody events, "
            f"{report.timestamps} timestamps ({report.timestamps_trusted} signature-checked)",
            quiet,
        )
        return
    from armswatch.evidence.stamp import verify_artifact

    with open_workspace(workspace) as ws:
        result = verify_artifact(ws, target, tsa_cert=_read(tsa_cert), ca_cert=_read(ca_cert))
    say(f"{result['artifact']}: SHA-256 ok, {len(result['timestamps'])} timestamps", quiet)
