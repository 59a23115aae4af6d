"""Analyst hints: robust parsing (fuzzed), refinement of the default method, recording in a workspace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from armswatch.cli.main import app as root
from armswatch.errors import InputError
from armswatch.imagery import hints, labelset
from armswatch.imagery.tiling import run_change
from armswatch.workspace import Workspace

from .scenes import add_building, terrain, write_png, write_tif


def test_parse_counts_bad_rows_with_line_numbers() -> None:
    text = "x,y,label,note\n10,20,1,hall\n\n5,5,0\nabc,3,1\n4,4,2\n999,1,0\n7,nan,1\n1,2\n# comment\n3,3,0\n"
    hs = hints.parse_hints(text, width=100, height=100)
    assert [(h.col, h.row, h.change) for h in hs.hints] == [(10, 20, True), (5, 5, False), (3, 3, False)]
    assert hs.problems == (
        (5, "coordinate not a number"), (6, "label not 0 or 1"), (7, "outside the image"),
        (8, "coordinate not finite"), (9, "missing value"),
    )  # fmt: skip
    assert hs.counts["label not 0 or 1"] == 1 and "5 rows skipped (line 5" in hs.summary()
    with pytest.raises(InputError, match="coordinate not a number") as err:
        hints.parse_hints(text, width=100, height=100, strict=True, name="h.csv")
    assert str(err.value).startswith("h.csv:5:")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("a,b,c\n1,2,3\n", "header"), ("x,y,label\n-1,0,1\n", "no usable hint"),
     ("lon,lat,label\n1,2,1\n", "georeferenced")],
)  # fmt: skip
def test_unusable_files_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        hints.parse_hints(text, width=10, height=10)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_parser_never_fails_other_than_input_error(text: str) -> None:
    try:
        hs = hints.parse_hints("x,y,label\n" + text, width=50, height=40)
    except InputError:
        return
    assert all(0 <= h.col < 50 and 0 <= h.row < 40 for h in hs.hints)
    assert all(line >= 2 for line, _ in hs.problems)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-10, 60), st.floats(-10, 60), st.sampled_from(["0", "1", "x"])), max_size=30)
)
def test_every_row_is_either_a_hint_or_a_counted_problem(rows: list[tuple[float, float, str]]) -> None:
    text = "x,y,label\n" + "".join(f"{x!r},{y!r},{lab}\n" for x, y, lab in rows)
    try:
        hs = hints.parse_hints(text, width=50, height=50)
    except InputError:
        assert not any(0 <= x < 50 and 0 <= y < 50 and lab != "x" for x, y, lab in rows)
        return
    assert len(hs.hints) + len(hs.problems) == len(rows)


def test_simulated_analyst_is_seeded_and_balanced() -> None:
    label = np.zeros((50, 50), dtype=bool)
    label[10:20, 10:20] = True
    a, b = hints.simulate(label, 5, seed=3), hints.simulate(label, 5, seed=3)
    assert a == b and sum(h.change for h in a) == 5 and len(a) == 10
    assert all(label[int(h.row), int(h.col)] == h.change for h in a)
    assert (
        len(hints.simulate(np.zeros((9, 9), bool), 5, seed=1)) == 5
    )  # no change pixels: only no-change hints


def scene_with_decoy(tmp_path: Path) -> tuple[Path, Path]:
    """Two new grey buildings and a new grey concrete pad that the analyst says is not a building."""
    before = terrain(256, seed=11)
    after = add_building(before, 30, 30, 30, 36)
    after = add_building(after, 150, 40, 28, 30)
    after[:, 60:100, 150:220] = np.array([170, 168, 165], dtype=np.float32)[:, None, None]  # the pad
    return write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)


def test_hints_remove_what_the_analyst_rejects_and_keep_buildings(tmp_path: Path) -> None:
    a, b = scene_with_decoy(tmp_path)
    plain = run_change(str(a), str(b), str(tmp_path / "plain.png"))
    base = labelset.read_mask(tmp_path / "plain.png")
    assert base[70:90, 160:210].mean() > 0.5 and plain.hints is None  # the default flags the pad
    (tmp_path / "h.csv").write_text("x,y,label\n180,80,0\n45,45,1\n55,165,1\n10,240,0\nfoo,1,1\n")
    guided = run_change(str(a), str(b), str(tmp_path / "g.png"), hints=tmp_path / "h.csv")
    mask = labelset.read_mask(tmp_path / "g.png")
    assert guided.hints is not None and "4 hints" in guided.hints and "1 rows skipped" in guided.hints
    assert mask[70:90, 160:210].mean() < 0.1
    assert mask[35:55, 35:60].mean() > 0.5 and mask[155:175, 45:65].mean() > 0.5


def test_lon_lat_hints_on_a_georeferenced_pair(tmp_path: Path) -> None:
    from pyproj import Transformer

    before = terrain(128, seed=2)
    after = add_building(before, 40, 40, 30, 30)
    pa = write_tif(tmp_path / "a.tif", before, pixel=0.5)
    pb = write_tif(tmp_path / "b.tif", after, pixel=0.5)
    to_wgs = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(500000.0 + 55 * 0.5, 4300000.0 - 55 * 0.5)  # pixel (55, 55)
    lon0, lat0 = to_wgs.transform(500000.0 + 110 * 0.5, 4300000.0 - 110 * 0.5)
    (tmp_path / "h.csv").write_text(f"lon,lat,label\n{lon},{lat},1\n{lon0},{lat0},0\n")
    res = run_change(str(pa), str(pb), str(tmp_path / "m.tif"), hints=tmp_path / "h.csv")
    assert res.hints is not None and res.hints.startswith("2 hints (1 change, 1 no change)")
    assert labelset.read_mask(tmp_path / "m.tif")[45:65, 45:65].mean() > 0.5


def test_hints_in_a_workspace_are_an_artifact_and_a_rerun_is_a_new_run(ws: Workspace, tmp_path: Path) -> None:
    a, b = scene_with_decoy(tmp_path)
    runner = CliRunner()
    runs = []
    for k, text in enumerate(("x,y,label\n180,80,0\n45,45,1\n", "x,y,label\n180,80,0\n45,45,1\n55,165,1\n")):
        (tmp_path / f"h{k}.csv").write_text(text)
        res = runner.invoke(root, ["imagery", "change", str(a), str(b), "-o", str(tmp_path / f"m{k}.png"),
                                   "--hints", str(tmp_path / f"h{k}.csv"), "--workspace", str(ws.root)])  # fmt: skip
        assert res.exit_code == 0, res.output
        assert "recorded as run" in res.output
        runs.append(ws.list_runs(tool="imagery.change")[-1])
    assert runs[0].id != runs[1].id
    hint_ids = [
        [i for i in r.inputs if ws.get_artifact(i).metadata.get("kind") == "imagery.hints"] for r in runs
    ]
    assert all(len(h) == 1 for h in hint_ids) and hint_ids[0] != hint_ids[1]
    bad = runner.invoke(root, ["imagery", "change", str(a), str(b), "-o", str(tmp_path / "x.png"),
                               "--hints", str(tmp_path / "h0.csv"), "--method", "cva"])  # fmt: skip
    assert bad.exit_code == 2 and "--method builtup" in bad.output
