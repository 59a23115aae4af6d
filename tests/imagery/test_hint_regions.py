"""The simulated analyst who corrects mistakes, the regions a hint refers to, and features computed only
where they are needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from armswatch.imagery import hints, labelset, pixelfeature, segment
from armswatch.imagery.change import BuiltupParams, builtup_indices, pair_stats
from armswatch.imagery.hints import Hint
from armswatch.imagery.tiling import run_change

from .scenes import add_building, terrain, write_png


def test_the_simulated_analyst_clicks_on_the_mistakes() -> None:
    label = np.zeros((60, 60), dtype=bool)
    pred = np.zeros((60, 60), dtype=bool)
    label[5:15, 5:15] = pred[5:15, 5:15] = True  # found
    label[30:40, 5:20] = True  # missed
    pred[40:50, 40:55] = True  # false
    pred[20:24, 40:44] = True  # another false one, smaller
    got = hints.simulate_corrections(pred, label, 5, seed=2)
    assert got == hints.simulate_corrections(pred, label, 5, seed=2)
    change = [h for h in got if h.change]
    no = [h for h in got if not h.change]
    assert len(change) == 1 and len(no) == 2  # fewer mistakes than N: fewer clicks
    assert all(label[int(h.row), int(h.col)] and not pred[int(h.row), int(h.col)] for h in change)
    assert all(pred[int(h.row), int(h.col)] and not label[int(h.row), int(h.col)] for h in no)
    r, c = int(change[0].row), int(change[0].col)
    assert min(r - 30, 39 - r, c - 5, 19 - c) >= 4  # in the middle, where an analyst clicks
    assert len(hints.simulate_corrections(pred, label, 1, seed=0)) == 2
    assert hints.simulate_corrections(pred, pred, 5, seed=0) == ()  # nothing to correct


def test_a_hint_refers_to_the_segment_under_it() -> None:
    img = np.full((3, 160, 160), 60.0, dtype=np.float32)  # ground: 6,250 m², too large to be an object
    img[:, 20:40, 30:60] = 200.0  # a roof, 20 x 30 px = 150 m² at 0.5 m
    regs = segment.hint_regions(img, 200.0, (Hint(45.5, 30.5, True), Hint(5.5, 70.5, False)), 0.5)
    pos, neg = segment.paint(regs, (160, 160))
    assert (
        pos[22:38, 32:58].all() and not pos[:18].any() and not pos[42:].any() and not pos[:, 62:].any()
    )  # the roof (blurred edges aside)
    # the ground segment is larger than an object may be: the no-change point keeps a small disk
    assert neg.sum() == 29 and neg[70, 5]  # a disk of 1.5 m (3 px)
    # contradicting regions cancel where they overlap; a window of the grid sees its part only
    both = segment.paint((*regs, segment.HintRegion(25, 35, np.ones((5, 5), bool), False)), (160, 160))
    assert not both[0][25:30, 35:40].any() and not both[1][25:30, 35:40].any()
    part = segment.paint(regs, (20, 20), origin=(30, 50))
    assert part[0][:8, :8].all() and not part[0][12:, :].any() and not part[0][:, 12:].any()


def test_features_at_equal_the_full_stack() -> None:
    before = terrain(160, seed=5)
    after = add_building(before, 40, 50, 30, 40)
    params = BuiltupParams()
    norm = pair_stats(before, after, params, 0.5)
    idx = builtup_indices(before, after, params, 0.5, norm)
    full = pixelfeature.pair_features(before, after, 0.5, params=params, norm=norm)
    select = np.zeros((160, 160), dtype=bool)
    select[35:80, 45:95] = True
    select[150, 3] = True
    got = pixelfeature.features_at(
        before, after, select, 0.5, params=params, norm=norm, indices=idx, block=40
    )
    np.testing.assert_allclose(got, full[:, select].T, rtol=1e-4, atol=1e-4)
    assert pixelfeature.features_at(before, after, np.zeros_like(select), 0.5, params=params, norm=norm,
                                    indices=idx).shape == (0, full.shape[0])  # fmt: skip


@pytest.mark.parametrize("tile", [None, 96])
def test_a_missed_building_is_added_and_a_rejected_pad_cut_out(tmp_path: Path, tile: int | None) -> None:
    before = terrain(256, seed=11)
    after = add_building(before, 30, 30, 30, 36)
    after[:, 60:100, 150:220] = np.array([170, 168, 165], dtype=np.float32)[:, None, None]  # a pad
    after[:, 170:200, 100:130] = np.array([95, 60, 50], dtype=np.float32)[:, None, None]  # a dark red roof
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    kw = {"tile": tile, "workers": 1} if tile else {}
    run_change(str(a), str(b), str(tmp_path / "plain.png"), **kw)
    plain = labelset.read_mask(tmp_path / "plain.png")
    assert plain[70:90, 160:210].mean() > 0.5 and plain[175:195, 105:125].mean() < 0.2
    (tmp_path / "h.csv").write_text("x,y,label\n180,80,0\n115,185,1\n")
    run_change(str(a), str(b), str(tmp_path / "g.png"), hints=tmp_path / "h.csv", **kw)
    mask = labelset.read_mask(tmp_path / "g.png")
    assert mask[70:90, 160:210].mean() < 0.1  # rejected
    assert mask[172:198, 102:128].mean() > 0.9  # the whole roof, not just the clicked pixel
    assert mask[35:55, 35:60].mean() > 0.5  # the building nobody clicked on stays
