"""Render a :class:`ReportData` as ONE self-contained HTML file.

Jinja2 with autoescaping; CSS and JS inlined from ``report/static``; evidence thumbnails embedded as
``data:`` URIs; the map is inline SVG with an offline Natural Earth base layer. Nothing in the output
fetches anything: the only ``http(s)`` URLs are plain ``<a class="source-link">`` links to sources.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Final

import jinja2
from markupsafe import Markup
from shapely.geometry import Point

from armswatch.report.basemap import ATTRIBUTION
from armswatch.report.model import ReportData, ReportFinding
from armswatch.report.svgmap import Overlay, SvgMap, build_maps, overlay_from_geojson
from armswatch.sites.model import Site

PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
STATUS_ORDER: Final = ("new", "confirmed")
FONT_SLOT: Final = "/*@armswatch-fonts@*/"


@dataclass(frozen=True)
class Summary:
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]
    totals: Mapping[str, int]
    status_totals: Mapping[str, int]
    simulated: Mapping[str, int]
    simulated_total: int


def summarise(findings: tuple[ReportFinding, ...], shown: tuple[str, ...] = STATUS_ORDER) -> Summary:
    """Counts of findings by kind and status (the shown statuses first, then any others present)."""
    counts = Counter((f.kind, f.status) for f in findings)
    extra = sorted({f.status for f in findings} - set(shown))
    sim = Counter(f.kind for f in findings if f.simulated)
    kinds = tuple(sorted({f.kind for f in findings}))
    statuses = (*shown, *extra)
    return Summary(
        kinds=kinds,
        statuses=statuses,
        counts=dict(counts),
        totals={k: sum(counts[(k, s)] for s in statuses) for k in kinds},
        status_totals={s: sum(counts[(k, s)] for k in kinds) for s in statuses},
        simulated={k: sim[k] for k in kinds},
        simulated_total=sum(sim.values()),
    )


def _dt(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _short(artifact_id: str) -> str:
    return artifact_id if len(artifact_id) <= 23 else artifact_id[:23] + "…"


def _where(site: Site) -> str:
    lon, lat = site.lonlat
    shape = "" if isinstance(site.geometry, Point) else " (polygon, inner point)"
    return f"{lat:.5f}, {lon:.5f}{shape}"


def _is_web(text: str) -> bool:
    return text.startswith(("https://", "http://")) and " " not in text.strip()


def thumbnail_uri(png: bytes | None) -> str | None:
    """A ``data:image/png;base64,…`` URI, or None if the bytes are missing or not a PNG."""
    if not png or not png.startswith(PNG_MAGIC):
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _bbox_text(b: tuple[float, float, float, float]) -> str:
    return f"{b[1]:.2f}°–{b[3]:.2f}° lat, {b[0]:.2f}°–{b[2]:.2f}° lon"


def _g(value: float) -> str:
    return f"{value:g}"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("armswatch.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        dt=_dt,
        pretty=_pretty,
        short=_short,
        where=_where,
        bbox=_bbox_text,
        is_web=_is_web,
        g=_g,
        trusted=lambda s: Markup(s),
    )
    return env


@lru_cache(maxsize=2)
def _static(name: str) -> str:
    return resources.files("armswatch.report").joinpath("static", name).read_text(encoding="utf-8")


def _overlays(data: ReportData, refs: Mapping[str, str]) -> list[Overlay]:
    """Section layers first (drawn underneath), then findings on top of them."""
    out: list[Overlay] = []
    for si, section in enumerate(data.sections):
        for fi, feature in enumerate(section.features):
            props = feature.get("properties") or {}
            if props.get("status") == "rejected":
                continue  # rejected findings are never drawn as results
            label = str(props.get("label") or props.get("name") or section.title)
            o = overlay_from_geojson(f"s{si}-{fi}", feature.get("geometry"), "finding extra", label)
            if o is not None:
                out.append(o)
    for f in data.findings:
        css = f"finding status-{f.status}" + (" simulated" if f.simulated else "")
        tip = f"{f.title} [{f.status}, {f.confidence}{', SIMULATED' if f.simulated else ''}]"
        o = overlay_from_geojson(refs[f.id], f.geometry, css, tip)
        if o is not None:
            out.append(o)
    return out


def simulated_text(data: ReportData) -> str:
    """Banner text when any finding is simulated or the data says so; empty otherwise."""
    n = sum(1 for f in data.findings if f.simulated)
    parts = [f"{n} of {len(data.findings)} findings are marked simulated."] if n else []
    if data.simulated_note:
        parts.append(data.simulated_note)
    return " ".join(parts)


def render_maps(data: ReportData, refs: Mapping[str, str]) -> list[SvgMap]:
    """Maps with sites ordered for label priority: sites named by more findings first."""
    counts = Counter(s[5:] for f in data.findings for s in set(f.subjects) if s.startswith("site:"))
    ordered = sorted(data.sites, key=lambda site: -counts[site.id])  # stable: ties keep their order
    return build_maps(ordered, _overlays(data, refs))


def render_report(data: ReportData) -> str:
    """The whole report as one HTML string.

    Rejected findings are never drawn as results: any in ``data.findings`` are moved to the review
    appendix (which lists them without map, chart or summary entry).
    """
    rejected = tuple(f for f in data.findings if f.status == "rejected")
    if rejected:
        live = tuple(f for f in data.findings if f.status != "rejected")
        data = replace(data, findings=live, appendix=data.appendix + rejected)
    refs = {f.id: f"f{i}" for i, f in enumerate(data.findings)}
    svg_maps = render_maps(data, refs)
    thumbs = {
        (f.id, i): thumbnail_uri(e.thumbnail_png) for f in data.findings for i, e in enumerate(f.evidence)
    }
    site_ids = {site.id for site in data.sites}
    site_findings: dict[str, list[tuple[str, str]]] = {}
    for f in data.findings:
        for subject in f.subjects:
            if subject.startswith("site:") and subject[5:] in site_ids:
                site_findings.setdefault(subject[5:], []).append((refs[f.id], f.title))
    template = _environment().get_template("report.html")
    html = template.render(
        data=data,
        refs=refs,
        maps=svg_maps,
        site_findings=site_findings,
        site_anchor={f"site:{sid}": f"site-{sid}" for sid in site_ids},
        thumbs=thumbs,
        summary=summarise(data.findings, data.statuses),
        simulated=simulated_text(data),
        attribution=ATTRIBUTION,
        print_open=False,
        css=Markup(FONT_SLOT + "\n" + _static("report.css")),
        js=Markup(_static("report.js")),
        font_note=Markup(FONT_NOTE_SLOT),
    )
    return with_fonts(html)


FONT_NOTE_SLOT: Final = "<!--@armswatch-font-note@-->"


def with_fonts(html: str) -> str:
    """Fill the font slots: embedded Noto subsets for the characters of ``html`` and the stack."""
    from html import escape

    from armswatch.report.fonts import embed, font_family

    fonts = embed(html)
    root = f":root {{ --font: {font_family(fonts)}; }}"
    if fonts.notices:
        note = "Fonts embedded as subsets: " + "; ".join(fonts.notices) + " (SIL Open Font License 1.1)."
    else:
        note = (
            "No font embedded (not found: " + ", ".join(fonts.missing) + "); text uses the reader's fonts. "
            "Install fonts-noto-core and fonts-noto-cjk to embed Noto Sans and Noto Sans CJK KR."
        )
    return html.replace(FONT_SLOT, fonts.css + "\n" + root, 1).replace(FONT_NOTE_SLOT, escape(note), 1)
