"""Counting on real imagery is not to be taken on trust: the vehicle counter says so, and the real-car
check in benchmarks/count_real.py keeps its labels inside its search areas."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from shapely.geometry import Point, Polygon
from typer.testing import CliRunner

from armswatch.cli.main import app

from .test_count import boxes_image

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def _png(tmp_path: Path) -> Path:
    png = tmp_path / "lot.png"
    Image.fromarray(boxes_image([(40, 40, 0.0), (110, 50, 60.0)]).astype(np.uint8).transpose(1, 2, 0)).save(
        png
    )
    return png


def test_a_vehicle_count_nobody_checked_warns_about_real_cars(tmp_path: Path) -> None:
    png = _png(tmp_path)
    res = runner.invoke(app, ["imagery", "count", str(png), "--object", "vehicle", "--pixel-size", "0.5"])
    assert res.exit_code == 0, res.output
    assert "3 of 21 cars" in res.output and "count_real.py" in res.output
    for extra in (["--checked"], ["--add", "5,5"]):  # the analyst has looked: no warning
        res = runner.invoke(app, ["imagery", "count", str(png), "--object", "vehicle", "--pixel-size", "0.5",
                                  *extra])  # fmt: skip
        assert res.exit_code == 0, res.output
        assert "3 of 21 cars" not in res.output
    res = runner.invoke(app, ["imagery", "count", str(png), "--object", "container"])
    assert res.exit_code == 0 and "3 of 21 cars" not in res.output  # measured on real cars only


def test_the_real_car_labels_lie_in_their_search_areas() -> None:
    spec = importlib.util.spec_from_file_location("count_real", ROOT / "benchmarks" / "count_real.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("count_real", mod)  # dataclasses look their module up
    spec.loader.exec_module(mod)
    assert len(mod.SCENES) == 2
    for scene in mod.SCENES:
        area = Polygon(scene.area)
        assert area.is_valid and scene.cars
        assert all(area.buffer(1.0).contains(Point(x, y)) for x, y in scene.cars), scene.name
        assert all(0 <= x <= 256 and 0 <= y <= 256 for x, y in scene.cars)
