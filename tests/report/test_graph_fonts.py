"""Entity-graph labels never overlap or leave the picture; the report embeds a font subset."""

from __future__ import annotations

import base64
import io
import random
import re
from importlib import resources

import pytest

from armswatch.report.fonts import EMBEDDED_HANGUL, embed, find_font
from armswatch.report.graph import HEIGHT, WIDTH, GraphEdge, GraphNode, graph_html, place_labels, text_width

NAMES = ["TANCHON COMMERCIAL BANK", "KOREA MINING DEVELOPMENT TRADING CORPORATION", "조선광업개발무역회사",
         "Ри Пён Чхоль", "RI, Pyong Chol", "CHON MA SAN", "KIM, Jong Un"]  # fmt: skip


def _nodes(n: int, seed: int) -> tuple[list[GraphNode], dict[str, tuple[float, float]]]:
    rng = random.Random(seed)
    nodes = [GraphNode(f"n{i}", f"{rng.choice(NAMES)} {i}", designated=i % 3 == 0) for i in range(n)]
    return nodes, {x.id: (rng.random(), rng.random()) for x in nodes}


@pytest.mark.parametrize("seed", range(6))
def test_labels_never_overlap_and_stay_inside(seed: int) -> None:
    nodes, pos = _nodes(30, seed)
    html = graph_html(nodes, [GraphEdge("n0", "n1", "ownership")], pos)
    boxes: list[tuple[float, float, float, float]] = []
    for anchor, x, y, text in re.findall(
        r'<text class="label" text-anchor="(\w+)" x="([\d.]+)" y="([\d.]+)"><title>[^<]*</title>([^<]*)</text>',
        html,
    ):
        w = text_width(text.replace("&amp;", "&"))
        x0 = {"start": float(x), "end": float(x) - w, "middle": float(x) - w / 2}[anchor]
        box = (x0, float(y) - 11, x0 + w, float(y) + 3)
        assert box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT, text
        for other in boxes:
            assert not (box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3])
        boxes.append(box)
    # every node is named: by its label or by a number in the legend
    numbered = re.findall(r'<li value="(\d+)">', html)
    assert len(boxes) + len(numbered) == len(nodes)
    assert "ownership" in html  # relation on hover, not drawn over the picture


def test_crowded_graph_numbers_what_does_not_fit() -> None:
    nodes = [GraphNode(f"n{i}", f"A VERY LONG COMPANY NAME NUMBER {i}") for i in range(12)]
    pos = {n.id: (0.5 + 0.001 * i, 0.5) for i, n in enumerate(nodes)}
    pos["far"] = (0.0, 0.0)
    placed = place_labels(nodes, {k: (v[0] * WIDTH, v[1] * HEIGHT) for k, v in pos.items()})
    assert any(v is None for v in placed.values()) and any(v is not None for v in placed.values())


def test_ofl_licence_ships_with_the_package() -> None:
    text = resources.files("armswatch.report").joinpath("static", "fonts", "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text and "Noto Sans CJK KR" in text


@pytest.mark.skipif(find_font("NotoSansCJK-Regular.ttc") is None, reason="fonts-noto-cjk not installed")
def test_embedded_hangul_subset_has_the_report_characters() -> None:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    fonts = embed("리제선 Ri Je Son Ри Дже Сон")
    assert EMBEDDED_HANGUL in fonts.families
    rule = next(r for r in fonts.css.split("@font-face")[1:] if EMBEDDED_HANGUL in r)
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", rule).group(1))  # type: ignore[union-attr]
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert {ord(c) for c in "리제선"} <= set(cmap)
    assert ord("김") not in cmap  # a subset: only what the report uses
    assert len(data) < 60_000
