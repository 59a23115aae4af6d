"""The evidence gallery of the report: the files behind the published findings, with hashes,
capture details, trusted timestamps and custody counts; images as small embedded thumbnails."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Final

from markupsafe import escape

from armswatch.evidence.custody import custody_events
from armswatch.evidence.package import TOKEN_MEDIA_TYPE, timestamp_tokens

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace

THUMB: Final = 240
MAX_ITEMS: Final = 200


def thumbnail(ws: Workspace, artifact_id: str) -> str:
    """A ``data:`` URI of a small JPEG of an image artifact, or '' when it is not a readable image."""
    from PIL import Image

    from armswatch.evidence.metadata import MAX_IMAGE_PIXELS

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(ws.artifact_path(artifact_id)) as img:
            img.thumbnail((THUMB, THUMB))
            out = io.BytesIO()
            img.convert("RGB").save(out, format="JPEG", quality=80)
    except Exception:  # not an image, or unreadable: the gallery shows the hash only
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _evidence_ids(ws: Workspace) -> list[str]:
    """Evidence files (captured with ``evidence``) that the report's findings cite, in citation order."""
    cited = list(dict.fromkeys(a for f in ws.list_findings() for a in f.evidence))
    out = []
    for aid in cited:
        try:
            a = ws.get_artifact(aid)
        except LookupError:
            continue
        if "evidence" in a.metadata and a.media_type != TOKEN_MEDIA_TYPE:
            out.append(a.id)
    return out[:MAX_ITEMS]


def report_section(ws: Workspace) -> ReportSection | None:
    from armswatch.report.section import ReportSection

    ids = _evidence_ids(ws)
    if not ids:
        return None
    tokens = timestamp_tokens(ws)
    custody: dict[str, int] = {}
    for e in custody_events(ws):
        custody[e.artifact] = custody.get(e.artifact, 0) + 1
    cards = []
    for aid in ids:
        a = ws.get_artifact(aid)
        thumb = thumbnail(ws, aid) if a.media_type.startswith("image/") else ""
        stamps = [ws.get_artifact(t).metadata.get("timestamp") or {} for t in tokens.get(aid, [])]
        stamp_text = "; ".join(
            f"{s.get('gen_time') or 'token stored (signature not checked)'} by {s.get('tsa', '?')}"
            for s in stamps
        )
        role = (a.metadata.get("evidence") or {}).get("role", "")
        cards.append(
            "<div class='evidence-card'>"
            + (f"<img src='{thumb}' alt='{escape(a.name)}'>" if thumb else "")
            + f"<p><b>{escape(a.name)}</b> ({escape(a.media_type)}; {escape(role)})</p>"
            + f"<p class='hash'>SHA-256 {escape(a.sha256)}</p>"
            + (f"<p>From {escape(a.url)}</p>" if a.url else "")
            + (f"<p>Captured {escape(str(a.captured_at))}</p>" if a.captured_at else "")
            + (
                f"<p>Trusted timestamp: {escape(stamp_text)}</p>"
                if stamps
                else "<p>No trusted timestamp.</p>"
            )
            + f"<p>{custody.get(aid, 0)} custody events (armswatch evidence custody {escape(a.sha256[:12])})</p>"
            + ("<p class='simulated'>SIMULATED</p>" if a.simulated else "")
            + "</div>"
        )
    html = (
        "<style>.evidence-gallery{display:flex;flex-wrap:wrap;gap:12px}.evidence-card{width:260px;"
        "border:1px solid #ccc;padding:8px;font-size:12px;overflow-wrap:anywhere}.evidence-card img{max-width:100%}"
        ".hash{font-family:monospace;font-size:10px}img.thumb{max-width:120px;margin:2px}</style>"
        "<p>The files the findings above cite, as kept in the case: the SHA-256 identifies each file "
        "exactly; an evidence package (<code>armswatch evidence export</code>) lets anyone check them.</p>"
        "<div class='evidence-gallery'>" + "".join(cards) + "</div>"
    )
    return ReportSection("Evidence", html)
