from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from armswatch.cli.imagery import app

from .scenes import construction_pair, write_png

runner = CliRunner()


def test_change_then_evaluate(tmp_path: Path) -> None:
    before, after, truth = construction_pair()
    for d in ("A", "B", "label", "pred"):
        (tmp_path / d).mkdir()
    write_png(tmp_path / "A" / "s.png", before)
    write_png(tmp_path / "B" / "s.png", after)
    Image.fromarray(truth.astype(np.uint8) * 255).save(tmp_path / "label" / "s.png")
    res = runner.invoke(
        app,
        ["change", str(tmp_path / "A" / "s.png"), str(tmp_path / "B" / "s.png"), "-o", str(tmp_path / "pred" / "s.png"),
         "--footprints", str(tmp_path / "f.geojson"), "-q"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "f.geojson").read_text())["features"]
    res = runner.invoke(
        app, ["evaluate", str(tmp_path / "pred"), str(tmp_path / "label"), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows[-1]["file"] == "ALL (micro)" and rows[-1]["f1"] > 0.6


def test_change_rejects_bad_direction(tmp_path: Path) -> None:
    before, after, _ = construction_pair()
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    res = runner.invoke(app, ["change", str(a), str(b), "-o", str(tmp_path / "o.png"), "--direction", "up"])
    assert res.exit_code != 0
