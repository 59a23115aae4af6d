"""Small inline SVG charts of a dossier: the timeline of its statements and the imagery count series.

Pure: values in, SVG strings out. Every text from data is escaped; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any, Final

from armswatch.dossier.model import SECTIONS, Chart, Statement

if TYPE_CHECKING:
    from armswatch.provenance.model import Finding

COLOURS: Final = {"identity": "#0b5394", "registry": "#6a3d9a", "designation": "#c0392b", "event": "#d9822b",
                  "movement": "#d9822b", "imagery": "#2a7f62", "munition": "#7f6000", "finding": "#444444",
                  "location": "#0b5394", "entity": "#6a3d9a", "ownership": "#6a3d9a", "description": "#888888"}  # fmt: skip
LANES: Final = {"identity": "Identity", "registry": "Register", "designation": "Designations",
                "ownership": "Ownership chain", "event": "AIS movements", "movement": "Movements", "imagery": "Imagery",
                "munition": "Munition items", "entity": "Entities", "finding": "Findings", "location": "Location",
                "description": "Sources"}  # fmt: skip
WIDTH: Final = 1000
LANE: Final = 26
LEFT: Final = 150


def _ticks(t0: datetime, t1: datetime) -> list[tuple[datetime, str]]:
    span = (t1 - t0).total_seconds() / 86400
    out: list[tuple[datetime, str]] = []
    if span > 3 * 365:
        for y in range(t0.year, t1.year + 1):
            out.append((datetime(y, 1, 1, tzinfo=UTC), str(y)))
    elif span > 60:
        y, m = t0.year, t0.month
        step = 1 if span < 400 else 3
        while datetime(y, m, 1, tzinfo=UTC) <= t1:
            out.append((datetime(y, m, 1, tzinfo=UTC), f"{y}-{m:02d}"))
            m += step
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    else:
        step = max(1, int(span // 8) or 1)
        day = datetime(t0.year, t0.month, t0.day, tzinfo=UTC)
        while day <= t1:
            out.append((day, f"{day:%m-%d}"))
            day += timedelta(days=step)
    return [(t, lab) for t, lab in out if t0 <= t <= t1]


def timeline_svg(
    statements: Sequence[Statement],
    refs: dict[int, str],
    window: tuple[datetime, datetime] | None = None,
    *,
    tips: bool = True,
) -> str:
    """One lane per section; a bar per dated statement (a dot when it has no duration). Rejected
    findings are not drawn. ``refs`` maps a statement's index to its anchor id (click to jump);
    ``window`` shows only that period (statements overlapping it, clipped); ``tips=False`` leaves out
    the hover texts (a PDF cannot show them)."""
    dated = [(i, s) for i, s in enumerate(statements) if s.start is not None and not s.rejected]
    if window is not None:
        dated = [
            (i, s) for i, s in dated if s.start and s.start <= window[1] and (s.end or s.start) >= window[0]
        ]
    if not dated:
        return ""
    t0 = min(s.start for _, s in dated if s.start)
    t1 = max((s.end or s.start) for _, s in dated if s.start)
    if window is not None:
        t0, t1 = max(t0, window[0]), min(t1, window[1])
    if t1 <= t0:
        t1 = t0 + timedelta(hours=1)
    pad = (t1 - t0) * 0.02
    t0, t1 = t0 - pad, t1 + pad
    lanes = [k for k in SECTIONS if any(s.section == k for _, s in dated)]
    height = 30 + LANE * len(lanes)
    scale = (WIDTH - LEFT - 10) / (t1 - t0).total_seconds()

    def x(t: datetime) -> float:
        return LEFT + (t - t0).total_seconds() * scale

    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             'aria-label="Timeline of the dated statements">']  # fmt: skip
    for t, label in _ticks(t0, t1):
        parts.append(f'<line x1="{x(t):.1f}" y1="0" x2="{x(t):.1f}" y2="{height - 18}" stroke="#ddd"/>'
                     f'<text x="{x(t):.1f}" y="{height - 4}" font-size="11" text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    for n, key in enumerate(lanes):
        y = 8 + n * LANE
        parts.append(
            f'<text x="4" y="{y + 14}" font-size="12">{escape(LANES.get(key, SECTIONS[key])[:22])}</text>'
        )
        colour = COLOURS.get(key, "#444")
        for i, s in dated:
            if s.section != key or s.start is None:
                continue
            x0, x1 = max(x(s.start), LEFT), min(x(s.end or s.start), WIDTH - 10)
            tip = f"<title>{escape(f'{s.start:%Y-%m-%d %H:%M} {s.text[:160]}')}</title>" if tips else ""
            dash = ' stroke-dasharray="3 2"' if s.simulated else ""
            if x1 - x0 < 3:
                fill = ' fill-opacity="0.5"' if s.simulated else ""
                mark = f'<circle cx="{x0:.1f}" cy="{y + 10}" r="4" fill="{colour}"{fill}{dash}>{tip}</circle>'
            else:
                mark = (f'<rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" height="12" fill="{colour}" '
                        f'fill-opacity="{0.5 if s.simulated else 0.75}" stroke="{colour}"{dash}>{tip}</rect>')  # fmt: skip
            parts.append(f'<a href="#{refs[i]}">{mark}</a>' if i in refs else mark)
    parts.append("</svg>")
    return "".join(parts)


def count_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Counts from live ``imagery.count`` findings, oldest first."""
    rows = [
        {
            "date": f.start,
            "count": f.details.get("count"),
            "object": f.details.get("object") or "objects",
            "id": f.id,
        }
        for f in findings
        if f.kind == "imagery.count"
        and f.status != "rejected"
        and f.start
        and isinstance(f.details.get("count"), int)
    ]
    return sorted(rows, key=lambda r: r["date"])


def count_chart(rows: Sequence[dict[str, Any]]) -> Chart:
    """Bars of the counted objects per image date."""
    w, h, pad = 560, 200, 40
    top = max(max(int(r["count"]) for r in rows), 1)
    slot = (w - 2 * pad) / len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="counts">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#444"/>',
             f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end" font-size="11">{top}</text>']  # fmt: skip
    for k, r in enumerate(rows):
        bh = (h - 2 * pad) * int(r["count"]) / top
        x = pad + k * slot
        tip = escape(f"{r['date']:%Y-%m-%d}: {r['count']} {r['object']}")
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{h - pad - bh:.1f}" width="{slot * 0.7:.1f}" height="{bh:.1f}" '
                     f'fill="#2a7f62"><title>{tip}</title></rect>')  # fmt: skip
        if len(rows) <= 12 or k % max(1, len(rows) // 8) == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">{r["date"]:%Y-%m-%d}</text>'
            )
    parts.append("</svg>")
    objects = ", ".join(sorted({str(r["object"]) for r in rows}))
    return Chart(f"Objects counted on imagery ({objects}) per image date", "".join(parts))


def series_chart(rows: Sequence[dict[str, Any]]) -> Chart:
    """Bars of new built-up area per interval, the cumulative area as a line, dates thinned to fit."""
    w, h, pad = 760, 220, 48
    top = max(max(float(r["cumulative_new_m2"]) for r in rows), max(float(r["new_m2"]) for r in rows), 1.0)
    slot = (w - 2 * pad) / len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="change series">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#444"/>',
             f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end" font-size="11">{top:,.0f}</text>',
             f'<text x="{pad - 4}" y="{h - pad}" text-anchor="end" font-size="11">0</text>']  # fmt: skip
    points = []
    every = max(1, len(rows) // 8)
    for k, r in enumerate(rows):
        bh = (h - 2 * pad) * float(r["new_m2"]) / top
        x = pad + k * slot
        colour = "#c0392b" if r.get("live") else "#95a5a6"
        tip = escape(f"{r['start']} → {r['end']}: +{float(r['new_m2']):,.0f} m²")
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{h - pad - bh:.1f}" width="{max(slot * 0.7, 1):.1f}" '
                     f'height="{bh:.1f}" fill="{colour}"><title>{tip}</title></rect>')  # fmt: skip
        if k % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">{escape(str(r["end"]))}</text>'
            )
        points.append(
            f"{x + slot / 2:.1f},{h - pad - (h - 2 * pad) * float(r['cumulative_new_m2']) / top:.1f}"
        )
    parts.append(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#2c3e50" stroke-width="2"/></svg>'
    )
    return Chart(
        "New built-up area per interval (bars; red: a finding in this dossier) and cumulative (line), m²",
        "".join(parts),
    )
