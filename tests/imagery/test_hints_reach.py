"""A change point's reach: the classifier trained on the hints may extend the change around the point,
beyond the segment under it, but not into unchanged ground with other features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage as ndi

from armswatch.imagery import labelset, segment
from armswatch.imagery.hints import Hint
from armswatch.imagery.tiling import run_change

from .scenes import terrain, write_png


def test_reach_is_a_disk_around_change_points_only_and_never_a_label() -> None:
    hs = (Hint(10.5, 10.5, True), Hint(2.5, 40.5, True), Hint(30.5, 30.5, False))
    reach = segment.reach_regions(hs, 0.5, (50, 45), radius_m=4.0)  # 8 px
    assert len(reach) == 2 and all(r.reach and r.change for r in reach)  # none for the no-change point
    painted = segment.paint_reach(reach, (50, 45))
    yy, xx = np.mgrid[:50, :45]
    want = ((yy - 10) ** 2 + (xx - 10) ** 2 <= 64) | ((yy - 40) ** 2 + (xx - 2) ** 2 <= 64)
    np.testing.assert_array_equal(painted, want)  # clipped at the image edges
    pos, neg = segment.paint(reach, (50, 45))
    assert not pos.any() and not neg.any()  # a reach labels nothing
    part = segment.paint_reach(reach, (10, 10), origin=(5, 5))  # a window of the grid sees its part
    np.testing.assert_array_equal(part, want[5:15, 5:15])
    assert segment.reach_regions(hs, 0.5, (50, 45), radius_m=0.0) == ()
    # inside the reach only pixels whose colour changed are candidates
    before = np.full((3, 50, 45), 100.0, dtype=np.float32)
    after = before.copy()
    after[:, :, :20] = np.array([140.0, 110.0, 80.0], dtype=np.float32)[:, None, None]
    got = segment.reach_candidates(painted, before, after, (100.0, 100.0), 0.5)
    assert got[:, :15].sum() == (painted[:, :15]).sum() and not got[:, 25:].any()


def _site_pair(tmp_path: Path) -> tuple[Path, Path]:
    """A textured brown building site the default method does not see, next to an old grey roof that is
    the same on both dates."""
    before = terrain(256, seed=3)
    before[:, 100:150, 150:185] = np.array([120, 122, 128], np.float32)[:, None, None]  # old roof
    after = before.copy()
    rng = np.random.default_rng(7)
    tex = ndi.gaussian_filter(rng.normal(size=(256, 256)), 1.5)[95:155, 80:145]
    after[:, 95:155, 80:145] = np.array([110, 80, 55], np.float32)[:, None, None] + 25 * tex / tex.std()
    return write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)


@pytest.mark.parametrize("tile", [None, 96])
def test_one_point_labels_the_changed_ground_around_it_not_the_unchanged_neighbour(
    tmp_path: Path, tile: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _site_pair(tmp_path)
    kw = {"tile": tile, "workers": 1} if tile else {}
    run_change(str(a), str(b), str(tmp_path / "plain.png"), **kw)
    assert labelset.read_mask(tmp_path / "plain.png")[95:155, 80:145].mean() < 0.05  # the default misses it
    (tmp_path / "h.csv").write_text("x,y,label\n135,125,1\n30,220,0\n")
    near = np.zeros((256, 256), dtype=bool)
    near[125 - 15 : 125 + 16, 135 - 15 : 135 + 16] = True
    near[:, 145:] = False  # the part of the site around the point
    masks = {}
    for reach in (0.0, segment.REACH_M):
        monkeypatch.setattr(segment, "REACH_M", reach)
        run_change(str(a), str(b), str(tmp_path / f"g{reach}.png"), hints=tmp_path / "h.csv", **kw)
        masks[reach] = labelset.read_mask(tmp_path / f"g{reach}.png")
    without, with_reach = masks[0.0], masks[segment.REACH_M]
    assert without[near].mean() < 0.5  # the segment under the point is a small piece of the site
    assert with_reach[near].mean() > 0.75  # with the reach, most of the site around the point
    assert with_reach[100:150, 150:185].mean() < 0.02  # the unchanged roof inside the reach stays
    assert not with_reach[:, 190:].any() and not with_reach[170:].any()  # nothing far away
