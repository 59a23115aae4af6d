"""Counting objects of a known size: detector, corrections, chip, findings and the series."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import InputError
from armswatch.imagery.count import Corrections, apply_corrections, object_size, read_corrections
from armswatch.imagery.count_chip import series_png, series_svg
from armswatch.imagery.count_detect import detect
from armswatch.imagery.count_eval import match
from armswatch.imagery.count_synth import _draw_rect, composite, texture_background
from armswatch.workspace import Workspace

runner = CliRunner()


def boxes_image(centres: list[tuple[float, float, float]], size: int = 160) -> np.ndarray:
    """Grey noisy ground with bright 12.2 x 2.4 m boxes (0.5 m pixels) at (x, y, angle)."""
    img = texture_background(size, size, seed=3)
    for x, y, ang in centres:
        m, rs, cs, _ = _draw_rect(img, x, y, ang, 24.4, 4.8)
        img[:, rs, cs][:, m] = np.array([200.0, 60.0, 40.0])[:, None]
    return img


def test_isolated_boxes_found_with_position_and_angle() -> None:
    truth = [(40.3, 40.6, 0.0), (110.0, 50.0, 60.0), (70.0, 120.0, 135.0)]
    dets = detect(boxes_image(truth), 0.5, 12.2, 2.4)
    assert len(dets) == 3
    for x, y, ang in truth:
        d = min(dets, key=lambda d: np.hypot(d.x - x, d.y - y))
        assert np.hypot(d.x - x, d.y - y) < 2.0
        assert min(abs(d.angle - ang), 180 - abs(d.angle - ang)) <= 7.5


def test_plain_ground_has_no_detections_and_small_objects_are_not_containers() -> None:
    assert detect(texture_background(160, 160, seed=5), 0.5, 12.2, 2.4) == []
    cars = boxes_image([])
    for x in (40, 60, 80):  # car-sized blobs are too short to be 40 ft containers
        m, rs, cs, _ = _draw_rect(cars, x, 80, 90.0, 9.0, 3.6)
        cars[:, rs, cs][:, m] = 220.0
    assert detect(cars, 0.5, 12.2, 2.4) == []
    assert len(detect(cars, 0.5, 4.5, 1.8)) == 3


def test_composited_rows_precision_and_recall() -> None:
    scores = []
    for seed in range(3):
        c = composite(texture_background(256, 256, seed=seed), "container", seed=seed)
        img, objs, px = c.render()
        y0, x0, y1, x1 = c.yard
        area = np.zeros(img.shape[1:], dtype=bool)
        area[y0:y1, x0:x1] = True
        scores.append(match(detect(img, px, 12.2, 2.4, area=area), objs, px))
    total = scores[0] + scores[1] + scores[2]
    assert total.tp + total.fn > 20
    assert total.precision >= 0.7 and total.recall >= 0.7, total


def test_object_size_and_corrections(tmp_path: Path) -> None:
    assert object_size("container") == ("container", 12.2, 2.4)
    assert object_size("2.4x12.2")[1:] == (12.2, 2.4)
    for bad in ("ship", "0x3", "-1x2"):
        with pytest.raises(InputError):
            object_size(bad)
    dets = detect(boxes_image([(40, 40, 0.0), (110, 110, 90.0)]), 0.5, 12.2, 2.4)
    kept, removed = apply_corrections(
        dets, lambda c, r: (c, r), lambda x, y: (x, y), Corrections((1,), ((5.0, 6.0),))
    )
    assert [o.source for o in kept] == ["detected", "added"] and [o.id for o in removed] == [1]
    with pytest.raises(InputError, match="no detection with id 9"):
        apply_corrections(dets, lambda c, r: (c, r), lambda x, y: (x, y), Corrections((9,), ()))
    f = tmp_path / "c.csv"
    f.write_text("action,id,x,y\nremove,2,,\nadd,,10.5,20\n\n")
    assert read_corrections(f) == Corrections((2,), ((10.5, 20.0),))
    f.write_text("action,id,x,y\nmove,2,,\n")
    with pytest.raises(InputError, match=r"c\.csv:2"):
        read_corrections(f)


def test_series_chart_escapes_and_draws() -> None:
    rows = [{"date": "2024-01-05", "count": 10, "detected": 12}, {"date": "2024-03-01", "count": 14}]
    svg = series_svg(rows, title="<script>x</script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<circle") == 3  # two counts plus the differing detected value
    assert series_svg([], title="t").count("no counts yet") == 1
    assert series_png(rows).startswith(b"\x89PNG")


def test_cli_count_correct_and_series(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "case", analyst="tester")
    ws.save_sites([make_site()])
    ws.close()
    png = tmp_path / "yard.png"
    Image.fromarray(
        boxes_image([(40, 40, 0.0), (110, 50, 60.0), (70, 120, 135.0)]).astype(np.uint8).transpose(1, 2, 0)
    ).save(png)
    area = tmp_path / "area.geojson"
    area.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [160, 0], [160, 160], [0, 160], [0, 0]]]})
    )
    base = ["imagery", "count", str(png), "--area", str(area), "--object", "container", "-q"]
    res = runner.invoke(
        app, [*base, "--positions", str(tmp_path / "p.csv"), "--chip", str(tmp_path / "c.png")]
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "3"
    assert (tmp_path / "p.csv").read_text().count("\n") == 4
    with Image.open(tmp_path / "c.png") as chip_img:
        assert chip_img.size[0] >= 512
    ws_opt = ["-w", str(tmp_path / "case"), "--site", "rajin-port", "--finding"]
    res = runner.invoke(
        app, [*base, *ws_opt, "--date", "2024-01-05", "--remove", "1", "--add", "150,150", "--add", "5,5"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == "4"
    res = runner.invoke(
        app, [*base, *ws_opt, "--date", "2024-02-05", "--positions", str(tmp_path / "p.geojson")]
    )
    assert res.exit_code == 0, res.output
    assert len(json.loads((tmp_path / "p.geojson").read_text())["features"]) == 3
    res = runner.invoke(app, ["imagery", "counts", "--site", "rajin-port", "-w", str(tmp_path / "case"), "-f", "json",
                              "--svg", str(tmp_path / "s.svg")])  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [(r["date"], r["count"], r["removed"], r["added"]) for r in rows] == [
        ("2024-01-05", 4, 1, 2), ("2024-02-05", 3, 0, 0)]  # fmt: skip
    assert rows[0]["confidence"] == "very likely" and rows[1]["confidence"] == "roughly even chance"
    assert "<svg" in (tmp_path / "s.svg").read_text()
    with Workspace.open(tmp_path / "case") as ws2:
        f = ws2.get_finding(rows[0]["finding"])
        assert f.kind == "imagery.count" and f.details["corrections"] == {
            "removed": [1],
            "added": [[150.0, 150.0], [5.0, 5.0]],
        }
        assert f.details["chip"] in f.evidence
        chip = ws2.get_artifact(f.details["chip"])
        assert chip.media_type == "image/png" and chip.metadata["kind"] == "imagery.count_chip"


def test_cli_count_bad_input_exit_2(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    Image.fromarray(np.zeros((40, 40, 3), dtype=np.uint8)).save(png)
    for extra in (
        ["--object", "ship"],
        ["--object", "vehicle", "--remove", "3"],
        ["--object", "vehicle", "--add", "x"],
    ):
        res = runner.invoke(app, ["imagery", "count", str(png), *extra])
        assert res.exit_code == 2, (extra, res.output)


def test_count_on_georeferenced_image_uses_wgs84(tmp_path: Path) -> None:
    import rasterio
    from pyproj import Transformer

    img = boxes_image([(40, 40, 0.0), (110, 50, 60.0), (70, 120, 135.0)]).astype(np.uint8)
    x0, y0 = 620_000.0, 4_690_000.0  # UTM 52N, 0.5 m pixels
    tif = tmp_path / "yard.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=160, height=160, count=3, dtype="uint8", crs="EPSG:32652",
                       transform=rasterio.Affine(0.5, 0, x0, 0, -0.5, y0)) as dst:  # fmt: skip
        dst.write(img)
    tr = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    ring = [list(tr.transform(x0 + dx, y0 - dy)) for dx, dy in ((0, 0), (80, 0), (80, 80), (0, 80), (0, 0))]
    (tmp_path / "a.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    lon, lat = tr.transform(x0 + 75, y0 - 75)  # near the bottom-right corner, inside the area
    res = runner.invoke(app, ["imagery", "count", str(tif), "--area", str(tmp_path / "a.geojson"), "--object", "container",
                              "--add", f"{lon},{lat}", "--positions", str(tmp_path / "p.geojson"), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "4"
    feats = json.loads((tmp_path / "p.geojson").read_text())["features"]
    added = next(f for f in feats if f["properties"]["source"] == "added")
    assert added["properties"]["col"] == pytest.approx(150, abs=0.5) and added["properties"][
        "row"
    ] == pytest.approx(150, abs=0.5)
    first = min(f["geometry"]["coordinates"] for f in feats if f["properties"]["source"] == "detected")
    assert 130 < first[0] < 131 and 42 < first[1] < 43  # lon, lat


def test_named_classes_bring_their_own_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from armswatch.imagery import count_run
    from armswatch.imagery.count_detect import DetectParams, params_for

    assert params_for("railcar").chain and params_for("vehicle").min_fill == 0.85
    assert params_for("container") == DetectParams() == params_for("unknown")
    seen: list[DetectParams] = []
    monkeypatch.setattr(count_run, "detect", lambda *a, params, **k: seen.append(params) or [])
    img = tmp_path / "yard.png"
    Image.fromarray(np.full((64, 64, 3), 90, dtype=np.uint8)).save(img)
    for obj in ("railcar", "vehicle", "8x3"):
        count_run.count_image(img, obj, pixel_size_m=0.5)
    assert [p.chain for p in seen] == [True, False, False] and [p.min_fill for p in seen] == [
        0.85,
        0.85,
        0.75,
    ]


def test_varied_render_style_keeps_layout_and_changes_colours_and_sensor() -> None:
    from armswatch.imagery.count_synth import STANDARD, VARIED

    bg = texture_background(128, 128, seed=2)
    std = composite(bg, "railcar", seed=4)
    assert std.noise == STANDARD.noise[0] and std.psf_px == STANDARD.psf_px[0]
    var = composite(bg, "railcar", seed=4, style=VARIED)
    assert VARIED.noise[0] <= var.noise <= VARIED.noise[1] and var.noise != std.noise
    assert var.yard == std.yard and len(var.objects) > 0
    assert not np.allclose(var.render()[0], std.render()[0])
