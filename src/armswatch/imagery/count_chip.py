"""Pictures of a count: the evidence chip (every detection marked) and the time-series chart.

Pure: arrays and rows in, PNG bytes or SVG text out.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageDraw

from armswatch.imagery.chip import stretch
from armswatch.imagery.count import Count, CountedObject
from armswatch.imagery.feature import Array

DETECTED_RGB = (255, 40, 40)
ADDED_RGB = (40, 220, 255)
REMOVED_RGB = (150, 150, 150)
AREA_RGB = (255, 220, 0)
MIN_SIDE_PX = 512
MAX_SIDE_PX = 2048


def _corners(o: CountedObject, length_px: float, width_px: float) -> list[tuple[float, float]]:
    t = math.radians(o.angle or 0.0)
    ux, uy = math.cos(t), -math.sin(t)  # long axis in (column, row)
    vx, vy = math.sin(t), math.cos(t)
    hl, hw = length_px / 2, width_px / 2
    return [
        (o.col + sx * hl * ux + sy * hw * vx, o.row + sx * hl * uy + sy * hw * vy)
        for sx, sy in ((1, 1), (1, -1), (-1, -1), (-1, 1))
    ]


def chip_png(
    rgb: Array,
    count: Count,
    origin: tuple[int, int] = (0, 0),
    area_outline: Sequence[Sequence[tuple[float, float]]] = (),
) -> bytes:
    """PNG of ``rgb`` (2-98 % stretch; its top-left pixel is image pixel ``origin`` = (row, column)),
    enlarged to at least 512 px, with detections outlined in red and numbered, removed ones in grey,
    additions as cyan crosses and the search area (image pixel coordinates) in yellow."""
    r0, c0 = origin
    img = stretch(rgb[:3] if rgb.shape[0] >= 3 else np.repeat(rgb[:1], 3, 0))
    side = max(img.shape[:2])
    f = max(1.0, MIN_SIDE_PX / max(side, 1))
    f = min(f, MAX_SIDE_PX / max(side, 1)) if side * f > MAX_SIDE_PX else f
    pil = Image.fromarray(img).resize(
        (max(1, round(img.shape[1] * f)), max(1, round(img.shape[0] * f))), Image.Resampling.NEAREST
    )
    draw = ImageDraw.Draw(pil)
    lp, wp = count.length_m / count.pixel_size_m, count.width_m / count.pixel_size_m

    def to_chip(pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [((x - c0) * f, (y - r0) * f) for x, y in pts]

    for ring in area_outline:
        draw.line([*to_chip(ring), to_chip(ring)[0]], fill=AREA_RGB, width=2)
    for o, colour in [(o, REMOVED_RGB) for o in count.removed] + [(o, DETECTED_RGB) for o in count.objects]:
        if o.source == "added":
            x, y = to_chip([(o.col, o.row)])[0]
            r = max(4.0, wp * f / 2)
            draw.line([(x - r, y - r), (x + r, y + r)], fill=ADDED_RGB, width=2)
            draw.line([(x - r, y + r), (x + r, y - r)], fill=ADDED_RGB, width=2)
        else:
            pts = to_chip(_corners(o, lp, wp))
            draw.line([*pts, pts[0]], fill=colour, width=max(1, round(f / 2)))
        x, y = to_chip([(o.col, o.row)])[0]
        draw.text((x + 2, y + 2), str(o.id), fill=colour if o.source != "added" else ADDED_RGB)
    draw.text((4, 4), f"{count.total} {count.object_name} ({count.detected} detected, "
              f"{len(count.removed)} removed, {len(count.corrections.added)} added)", fill=(255, 255, 255))  # fmt: skip
    buf = io.BytesIO()
    pil.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def series_svg(
    rows: Sequence[dict[str, Any]], *, width: int = 640, height: int = 220, title: str = ""
) -> str:
    """A small SVG chart of counts over time: rows with ``date`` (ISO) and ``count`` (and optional
    ``detected``, drawn as hollow markers). No JavaScript, nothing external; text is escaped."""
    pts = [(str(r["date"]), int(r["count"]), r.get("detected")) for r in rows if r.get("date") is not None]
    pad_l, pad_r, pad_t, pad_b = 44, 12, 24, 34
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">',
           f"<title>{escape(title or 'object count over time')}</title>"]  # fmt: skip
    if title:
        out.append(f'<text x="{pad_l}" y="14" font-weight="bold">{escape(title)}</text>')
    if not pts:
        out.append(f'<text x="{pad_l}" y="{height // 2}">no counts yet</text></svg>')
        return "\n".join(out)
    from datetime import date

    days = [date.fromisoformat(d[:10]).toordinal() for d, _, _ in pts]
    d0, d1 = min(days), max(days)
    top = max(max(c for _, c, _ in pts), max((int(d) for _, _, d in pts if d is not None), default=0), 1)
    span_x = width - pad_l - pad_r
    span_y = height - pad_t - pad_b

    def sx(day: int) -> float:
        return pad_l + (span_x / 2 if d1 == d0 else (day - d0) / (d1 - d0) * span_x)

    def sy(v: float) -> float:
        return pad_t + span_y * (1 - v / top)

    out.append(f'<line x1="{pad_l}" y1="{sy(0):.1f}" x2="{width - pad_r}" y2="{sy(0):.1f}" stroke="#888"/>')
    out.append(f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{sy(0):.1f}" stroke="#888"/>')
    out.append(f'<text x="{pad_l - 4}" y="{sy(top) + 4:.1f}" text-anchor="end">{top}</text>')
    out.append(f'<text x="{pad_l - 4}" y="{sy(0) + 4:.1f}" text-anchor="end">0</text>')
    coords = " ".join(f"{sx(d):.1f},{sy(c):.1f}" for d, (_, c, _) in zip(days, pts, strict=True))
    out.append(f'<polyline points="{coords}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    for d, (label, c, det) in zip(days, pts, strict=True):
        if det is not None and int(det) != c:
            out.append(f'<circle cx="{sx(d):.1f}" cy="{sy(int(det)):.1f}" r="3" fill="none" stroke="#555"/>')
        out.append(f'<circle cx="{sx(d):.1f}" cy="{sy(c):.1f}" r="3.5" fill="#c0392b">'
                   f"<title>{escape(label[:10])}: {c}</title></circle>")  # fmt: skip
    for d, (label, _, _) in ((days[0], pts[0]), (days[-1], pts[-1])):
        out.append(
            f'<text x="{sx(d):.1f}" y="{height - 12}" text-anchor="middle">{escape(label[:10])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def series_png(rows: Sequence[dict[str, Any]], *, width: int = 640, height: int = 220) -> bytes:
    """The same chart as a PNG (for PDF reports), drawn with Pillow."""
    pil = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(pil)
    pts = [(str(r["date"]), int(r["count"])) for r in rows if r.get("date") is not None]
    pad_l, pad_r, pad_t, pad_b = 44, 12, 16, 30
    draw.line([(pad_l, height - pad_b), (width - pad_r, height - pad_b)], fill=(136, 136, 136))
    draw.line([(pad_l, pad_t), (pad_l, height - pad_b)], fill=(136, 136, 136))
    if pts:
        from datetime import date

        days = [date.fromisoformat(d[:10]).toordinal() for d, _ in pts]
        d0, d1 = min(days), max(days)
        top = max(max(c for _, c in pts), 1)
        xy = [
            (pad_l + ((width - pad_l - pad_r) / 2 if d1 == d0 else (d - d0) / (d1 - d0) * (width - pad_l - pad_r)),
             pad_t + (height - pad_t - pad_b) * (1 - c / top))
            for d, (_, c) in zip(days, pts, strict=True)
        ]  # fmt: skip
        if len(xy) > 1:
            draw.line(xy, fill=(192, 57, 43), width=2)
        for x, y in xy:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(192, 57, 43))
        draw.text((4, pad_t - 4), str(top), fill=(0, 0, 0))
        draw.text((pad_l, height - pad_b + 6), pts[0][0][:10], fill=(0, 0, 0))
        draw.text((width - pad_r - 64, height - pad_b + 6), pts[-1][0][:10], fill=(0, 0, 0))
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return buf.getvalue()
