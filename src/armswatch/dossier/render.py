"""Render a :class:`~armswatch.dossier.model.Dossier` as one self-contained HTML file, a PDF or JSON.

The HTML reuses the report's pieces: the SVG map (:mod:`armswatch.report.svgmap`, offline Natural
Earth base layer), its stylesheet and map script, and its embedded font subsets
(:func:`armswatch.report.render.with_fonts`). Jinja2 autoescapes every text from data; only SVG
built by armswatch code (timeline, charts) is inserted as is. The PDF is the same HTML laid out by
WeasyPrint (no script runs; SVG shapes carry presentation attributes so they keep their colours).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Final

import jinja2
from markupsafe import Markup

from armswatch.dossier.charts import timeline_svg
from armswatch.dossier.model import SECTIONS, Dossier, Statement, dossier_json
from armswatch.report.basemap import ATTRIBUTION
from armswatch.report.render import FONT_NOTE_SLOT, FONT_SLOT, with_fonts
from armswatch.report.svgmap import Overlay, SvgMap, build_maps, overlay_from_geojson

PDF_ROWS: Final = 60
"""Statements of one section printed in the PDF at most; the HTML and JSON list them all."""

SHAPE_COLOURS = (
    ("track", "#0b5394"),
    ("status-confirmed", "#c0392b"),
    ("status-new", "#d9822b"),
    ("extra", "#2a7f62"),
)


def _dt(value: datetime | None) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _colour(css: str) -> str:
    return next((c for key, c in SHAPE_COLOURS if key in css.split()), "#444444")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("armswatch.dossier", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        dt=_dt,
        short=lambda a: a if len(a) <= 23 else a[:23] + "…",
        bbox=lambda b: f"{b[1]:.2f}°–{b[3]:.2f}° lat, {b[0]:.2f}°–{b[2]:.2f}° lon",
        g=lambda v: f"{v:g}",
        trusted=lambda s: Markup(s),
    )
    env.globals["colour"] = _colour
    return env


def _static(package: str, name: str) -> str:
    return resources.files(package).joinpath("static", name).read_text(encoding="utf-8")


def _overlays(d: Dossier, refs: Mapping[int, str]) -> list[Overlay]:
    out: list[Overlay] = []
    if d.track:
        track = overlay_from_geojson("track", d.track, "finding track", "AIS track (thinned evenly in time)")
        if track is not None:
            out.append(track)
    for i, s in enumerate(d.statements):
        if s.geometry is None or s.rejected or s.section == "location":
            continue
        css = f"finding status-{s.status}" if s.status else "finding extra"
        css += " simulated" if s.simulated else ""
        o = overlay_from_geojson(refs[i], s.geometry, css, s.text[:200])
        if o is not None:
            out.append(o)
    return out


def _detail_timeline(d: Dossier, refs: Mapping[int, str], *, tips: bool = True) -> str:
    """A second timeline over the period of the events and findings when the whole span (register and
    list history of years) squeezes them into a sliver."""
    dated = [s for s in d.statements if s.start and not s.rejected]
    near = [s for s in dated if s.section in ("event", "movement", "finding", "imagery")]
    if not near:
        return ""
    lo = min(s.start for s in near if s.start)
    hi = max(s.end or s.start for s in near if s.start)
    everything = max(s.end or s.start for s in dated if s.start) - min(s.start for s in dated if s.start)
    if everything.total_seconds() <= 0 or (hi - lo) > everything * 0.25:
        return ""
    return timeline_svg(d.statements, dict(refs), (lo, hi), tips=tips)


def _static_labels(maps: list[SvgMap]) -> list[SvgMap]:
    """Without the map script (PDF) labels cannot be placed on the fly: drop a site label that would
    overlap one placed before it (sites are in priority order) rather than print them on top of each other."""
    from dataclasses import replace

    out = []
    for m in maps:
        kept: list[tuple[float, float, float, float]] = []
        marks = []
        for mk in m.sites:
            box = (mk.x + 5, mk.y - 17, mk.x + 9 + 6.2 * len(mk.label), mk.y - 2)
            clash = any(box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in kept)
            marks.append(replace(mk, label="") if clash else mk)
            if not clash:
                kept.append(box)
        out.append(replace(m, sites=tuple(marks)))
    return out


@dataclass(frozen=True)
class LeftOut:
    """Statements of one kind in one section that the PDF does not print."""

    section: str
    kind: str
    count: int
    of: int
    start: datetime | None
    end: datetime | None


def _when(row: tuple[int, Statement]) -> tuple[float, int]:
    return (row[1].start.timestamp() if row[1].start else float("inf"), row[0])


def print_selection(
    rows: Sequence[tuple[int, Statement]], limit: int
) -> tuple[list[tuple[int, Statement]], list[LeftOut]]:
    """At most ``limit`` of one section's (index, statement) rows for the PDF, shared fairly among its
    kinds: the rarest kinds whole (every gap before the hundredth port call), the room left split
    evenly among the larger ones, each cut after its first statements in time. Returns the kept rows
    in their order and what is left out, per kind."""
    if len(rows) <= limit:
        return list(rows), []
    sizes = Counter(s.kind for _, s in rows)
    kinds = sorted(sizes, key=lambda k: (sizes[k], k))
    room, keep, left = limit, set[int](), list[LeftOut]()
    for n, kind in enumerate(kinds):
        take = min(sizes[kind], room // (len(kinds) - n))
        room -= take
        of_kind = sorted((r for r in rows if r[1].kind == kind), key=_when)
        keep.update(i for i, _ in of_kind[:take])
        cut = [s for _, s in of_kind[take:]]
        if cut:
            starts = [s.start for s in cut if s.start]
            ends = [s.end or s.start for s in cut if s.start]
            left.append(LeftOut(cut[0].section, kind, len(cut), len(of_kind),
                                min(starts, default=None), max((e for e in ends if e), default=None)))  # fmt: skip
    return [r for r in rows if r[0] in keep], left


def render_html(d: Dossier, *, pdf: bool = False) -> str:
    """The dossier as one self-contained HTML string. ``pdf=True`` lays it out for WeasyPrint: no map
    script, compact statement blocks, at most :data:`PDF_ROWS` statements per section (what is left out
    is counted per section and kind, in place and in an annex)."""
    refs = {i: f"st{i}" for i in range(len(d.statements))}
    by_section: dict[str, list[tuple[int, Statement]]] = {}
    for i, s in enumerate(d.statements):
        if not s.rejected:
            by_section.setdefault(s.section, []).append((i, s))
    sections = [(k, t) for k, t in SECTIONS.items() if k in by_section]
    rejected = [(i, s) for i, s in enumerate(d.statements) if s.rejected]
    left_out: dict[str, list[LeftOut]] = {}
    if pdf:
        for key, _ in sections:
            by_section[key], left = print_selection(by_section[key], PDF_ROWS)
            if left:
                left_out[key] = left
        rejected, left = print_selection(rejected, PDF_ROWS)
        if left:
            left_out["rejected"] = left
    overlays = _overlays(d, refs)
    maps: list[SvgMap] = build_maps(list(d.sites), overlays) if overlays or d.sites else []
    if pdf:
        maps = _static_labels(maps)
    css = (
        FONT_SLOT
        + "\n"
        + _static("armswatch.report", "report.css")
        + "\n"
        + _static("armswatch.dossier", "dossier.css")
    )
    html = (
        _environment()
        .get_template("dossier.html")
        .render(
            d=d,
            pdf=pdf,
            pdf_rows=PDF_ROWS,
            left_out=left_out,
            section_titles=SECTIONS,
            printed=sum(len(v) for v in by_section.values()) + len(rejected),
            refs=refs,
            sections=sections,
            by_section=by_section,
            rejected=rejected,
            maps=maps,
            timeline=timeline_svg(d.statements, {} if pdf else refs, tips=not pdf),
            detail=_detail_timeline(d, {} if pdf else refs, tips=not pdf),
            attribution=ATTRIBUTION,
            css=Markup(css),
            js="" if pdf else Markup(_static("armswatch.report", "report.js")),
            font_note=Markup(FONT_NOTE_SLOT),
        )
    )
    return _system_fonts(html) if pdf and not os.environ.get("ARMSWATCH_FONT_DIR") else with_fonts(html)


def _system_fonts(html: str) -> str:
    """For the PDF: name the font stack and let WeasyPrint find the installed Noto files through
    fontconfig and embed their subsets itself, instead of subsetting them to WOFF2 first (the same
    files; about a CPU second less). ``$ARMSWATCH_FONT_DIR``, which fontconfig does not search,
    keeps the embedded subsets."""
    from html import escape

    from armswatch.report.fonts import FONT_STACK

    note = (
        "Fonts: the first of Noto Sans and Noto Sans CJK KR (else the fallbacks of the stylesheet) installed "
        "on the machine that wrote this PDF, embedded in it as subsets (Noto: SIL Open Font License 1.1)."
    )
    root = f":root {{ --font: {FONT_STACK}; }}"
    return html.replace(FONT_SLOT, root, 1).replace(FONT_NOTE_SLOT, escape(note), 1)


def render_json(d: Dossier) -> str:
    return json.dumps(dossier_json(d), indent=2, ensure_ascii=False, default=str) + "\n"


def render(d: Dossier, fmt: str) -> bytes:
    """``html``, ``pdf`` or ``json`` bytes."""
    if fmt == "json":
        return render_json(d).encode("utf-8")
    if fmt == "pdf":
        from armswatch.dossier.pdf import html_to_pdf

        return html_to_pdf(render_html(d, pdf=True))
    return render_html(d).encode("utf-8")


def output_format(path: str, fmt: str | None) -> str:
    """The format named by ``--format`` or the file's extension (default HTML)."""
    from armswatch.errors import InputError

    chosen = (fmt or "").lower() or next(
        (
            f
            for ext, f in ((".pdf", "pdf"), (".json", "json"), (".html", "html"), (".htm", "html"))
            if path.lower().endswith(ext)
        ),
        "html",
    )
    if chosen not in ("html", "pdf", "json"):
        raise InputError(f"unknown dossier format {fmt!r}: html, pdf or json")
    return chosen
