"""The analyst's no-change points keep the completion of large change areas out of the area around them:
they reach the classifier's completion on one image and tile by tile, and are never labels themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from armswatch.imagery import learn, segment
from armswatch.imagery.hints import Hint
from armswatch.imagery.tiling import run_change

from .scenes import add_building, terrain, write_png


def test_point_regions_are_one_pixel_of_each_no_change_point_and_no_label() -> None:
    hs = (Hint(10.5, 12.5, False), Hint(3.5, 4.5, True), Hint(40.2, 7.9, False))
    pts = segment.point_regions(hs)
    assert len(pts) == 2 and all(p.point and not p.change and p.pixels == 1 for p in pts)
    painted = segment.paint_points(pts, (20, 50))
    assert painted.sum() == 2 and painted[12, 10] and painted[7, 40]
    assert segment.paint_points(pts, (10, 10), origin=(5, 5)).sum() == 1  # a window sees its own part
    pos, neg = segment.paint(pts, (20, 50))
    assert not pos.any() and not neg.any()  # a point is no region: it labels nothing
    assert not segment.paint_reach(pts, (20, 50)).any()


@pytest.mark.parametrize("tile", [None, 96])
def test_no_change_points_reach_the_completion(
    tmp_path: Path, tile: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = terrain(256, seed=5)
    after = before.copy()
    after = add_building(after, 60, 60, 40, 50)
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    (tmp_path / "h.csv").write_text("x,y,label\n80,80,1\n200,30,0\n31,222,0\n")
    seen: list[np.ndarray] = []
    real = learn.complete_areas

    def spy(*args: Any, **kw: Any) -> Any:
        seen.append(kw["veto"].copy())
        return real(*args, **kw)

    monkeypatch.setattr(learn, "complete_areas", spy)
    kw = {"tile": tile, "workers": 1} if tile else {}
    run_change(str(a), str(b), str(tmp_path / "g.png"), hints=tmp_path / "h.csv", **kw)
    assert seen
    if tile is None:
        assert len(seen) == 1 and seen[0].shape == (256, 256)
        assert seen[0].sum() == 2 and seen[0][30, 200] and seen[0][222, 31]
    else:  # tile by tile, each point is seen by the tiles (with their margin) that hold it
        assert all(v.sum() <= 2 for v in seen) and sum(int(v.sum()) for v in seen) >= 2
