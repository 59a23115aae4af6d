"""A small node-link graph as inline SVG whose labels never overlap and are never cut.

Node positions come from the caller (e.g. a seeded spring layout). Each label is tried right of,
left of, above and below its node, in that order, and kept only where it lies wholly inside the
picture and clear of every other label and node; a node whose label fits nowhere shows a number
instead, and a numbered legend under the picture names it. Relation names are shown on hover (the
line's tooltip) rather than drawn on the lines, where they collide. Label widths are estimated
from the characters (Hangul and CJK count double), with a margin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD = 860, 480, 18
FONT_PX = 11
NODE_R = 7
MAX_LABEL = 60


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    designated: bool = False
    simulated: bool = False
    tooltip: str = ""


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str = ""
    simulated: bool = False


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_width(text: str, px: float = FONT_PX) -> float:
    """Estimated rendered width: wide (CJK, Hangul) characters ~1 em, others ~0.62 em."""
    wide = sum(1 for c in text if ord(c) >= 0x1100 and (0x1100 <= ord(c) <= 0x11FF or ord(c) >= 0x2E80))
    return px * (0.62 * (len(text) - wide) + 1.0 * wide) + 4


def short_label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _candidates(x: float, y: float, w: float, h: float) -> list[tuple[Box, str, float, float]]:
    """Label boxes around a node: right, left, above, below (box, anchor, text x, baseline y)."""
    gap = NODE_R + 3
    return [
        ((x + gap, y - h / 2, x + gap + w, y + h / 2), "start", x + gap, y + FONT_PX * 0.35),
        ((x - gap - w, y - h / 2, x - gap, y + h / 2), "end", x - gap, y + FONT_PX * 0.35),
        ((x - w / 2, y - gap - h, x + w / 2, y - gap), "middle", x, y - gap - 3),
        ((x - w / 2, y + gap, x + w / 2, y + gap + h), "middle", x, y + gap + FONT_PX),
    ]


def _scale(positions: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    inner = PAD + NODE_R + 2
    return {
        k: (
            inner + (x - min(xs)) / span_x * (WIDTH - 2 * inner),
            inner + (y - min(ys)) / span_y * (HEIGHT - 2 * inner),
        )
        for k, (x, y) in positions.items()
    }


def place_labels(
    nodes: Sequence[GraphNode], xy: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[str, float, float] | None]:
    """Per node id: (anchor, x, y) of its label, or None when it fits nowhere (shown by number)."""
    taken: list[Box] = [(x - NODE_R, y - NODE_R, x + NODE_R, y + NODE_R) for x, y in xy.values()]
    out: dict[str, tuple[str, float, float] | None] = {}
    order = sorted(nodes, key=lambda n: (not n.designated, n.label))
    for node in order:
        x, y = xy[node.id]
        label = short_label(node.label)
        w, h = text_width(label), FONT_PX + 3
        out[node.id] = None
        for box, anchor, tx, ty in _candidates(x, y, w, h):
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT
            if inside and not any(_overlaps(box, other) for other in taken):
                taken.append(box)
                out[node.id] = (anchor, tx, ty)
                break
    return out


def graph_html(
    nodes: Sequence[GraphNode],
    edges: Sequence[GraphEdge],
    positions: Mapping[str, tuple[float, float]],
    caption: str = "",
) -> str:
    """The graph as an inline SVG plus its legend (HTML); all text escaped."""
    if not nodes:
        return ""
    xy = _scale({n.id: positions[n.id] for n in nodes})
    placed = place_labels(nodes, xy)
    numbered = [n for n in sorted(nodes, key=lambda n: n.label) if placed[n.id] is None]
    number = {n.id: i + 1 for i, n in enumerate(numbered)}
    parts = [
        f'<svg class="entity-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(caption or "entity graph")}">'
    ]
    for e in edges:
        if e.source not in xy or e.target not in xy:
            continue
        (x1, y1), (x2, y2) = xy[e.source], xy[e.target]
        css = "edge sim" if e.simulated else "edge"
        parts.append(
            f'<line class="{css}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}">'
            f"<title>{escape(e.label or 'link')}</title></line>"
        )
    for n in nodes:
        x, y = xy[n.id]
        css = "node" + (" designated" if n.designated else "") + (" sim" if n.simulated else "")
        tip = escape(n.tooltip or n.label)
        parts.append(f'<g class="{css}"><title>{tip}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}"/>')
        if n.id in number:
            parts.append(f'<text class="num" x="{x:.1f}" y="{y + 3.5:.1f}">{number[n.id]}</text>')
        parts.append("</g>")
    for n in nodes:
        spot = placed[n.id]
        if spot is not None:
            anchor, tx, ty = spot
            parts.append(
                f'<text class="label" text-anchor="{anchor}" x="{tx:.1f}" y="{ty:.1f}">'
                f"<title>{escape(n.tooltip or n.label)}</title>{escape(short_label(n.label))}</text>"
            )
    parts.append("</svg>")
    legend = [
        '<div class="graph-legend"><span><svg width="14" height="14"><circle cx="7" cy="7" r="6" '
        'class="swatch designated"/></svg> designated (sanctioned)</span> <span><svg width="14" height="14">'
        '<circle cx="7" cy="7" r="6" class="swatch"/></svg> other entity</span> <span><svg width="30" '
        'height="10"><line x1="0" y1="5" x2="30" y2="5" class="swatch-line sim"/></svg> SIMULATED link</span>'
        " <span>Hover a line for the relation, a dot for the full name.</span></div>"
    ]
    if numbered:
        items = "".join(f'<li value="{number[n.id]}">{escape(n.label)}</li>' for n in numbered)
        legend.append(f'<ol class="graph-names">{items}</ol>')
    return "".join(parts) + "".join(legend)
