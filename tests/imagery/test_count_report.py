"""Counts over time at a site are a time series in the report (containers, vehicles…; wagons go to rail)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.imagery.report import report_section
from armswatch.workspace import Workspace

from .test_count import boxes_image

runner = CliRunner()


def test_report_shows_each_sites_counts_over_time_without_rejected_ones(tmp_path: Path) -> None:
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
    base = ["imagery", "count", str(png), "--area", str(area), "--object", "container", "-q",
            "-w", str(tmp_path / "case"), "--site", "rajin-port", "--finding"]  # fmt: skip
    for day, extra in (
        ("2024-01-05", ["--add", "150,150"]),
        ("2024-02-05", []),
        ("2024-03-05", ["--remove", "1"]),
    ):
        res = runner.invoke(app, [*base, "--date", day, *extra])
        assert res.exit_code == 0, res.output
    with Workspace.open(tmp_path / "case") as ws:
        counts = sorted(ws.list_findings(kind="imagery.count"), key=lambda f: f.start or 0)
        ws.review_finding(counts[-1].id, "rejected", note="a cloud over the quay")
        section = report_section(ws)
    assert section is not None and "counts" in section.title
    html = section.html
    assert "Counted: container at Rajin Port" in html and "<svg" in html
    assert "<td>2024-01-05</td><td>4</td><td>3</td><td>−0 / +1</td>" in html
    assert "<td>2024-02-05</td><td>3</td>" in html
    assert "2024-03-05" not in html  # the rejected count is left out


def test_only_a_count_the_analyst_checked_is_likely(tmp_path: Path) -> None:
    """On real cars the counter found 1 in 5 (benchmarks/count_real.py): a count nobody checked is roughly
    even chance, with or without a drawn area, and its summary says why; a corrected count, or one the
    analyst confirmed with --checked, is very likely."""
    ws = Workspace.init(tmp_path / "case", analyst="tester")
    ws.save_sites([make_site()])
    ws.close()
    png = tmp_path / "yard.png"
    Image.fromarray(boxes_image([(40, 40, 0.0), (110, 50, 60.0)]).astype(np.uint8).transpose(1, 2, 0)).save(
        png
    )
    area = tmp_path / "area.geojson"
    area.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [150, 0], [150, 150], [0, 150], [0, 0]]]})
    )
    base = ["imagery", "count", str(png), "--object", "container", "-q", "-w", str(tmp_path / "case"),
            "--site", "rajin-port", "--finding"]  # fmt: skip
    for day, extra in (
        ("2024-01-05", []),
        ("2024-02-05", ["--area", str(area)]),
        ("2024-03-05", ["--add", "5,5"]),
        ("2024-04-05", ["--area", str(area), "--checked"]),
    ):
        res = runner.invoke(app, [*base, "--date", day, *extra])
        assert res.exit_code == 0, res.output
    with Workspace.open(tmp_path / "case") as ws:
        found = sorted(ws.list_findings(kind="imagery.count"), key=lambda f: f.start or 0)
    assert [f.confidence for f in found] == ["roughly even chance", "roughly even chance", "very likely",
                                             "very likely"]  # fmt: skip
    assert "whole image was searched" in found[0].summary and "whole image" not in found[1].summary
    assert "nobody has checked it" in found[1].summary and "nobody" not in found[0].summary
    assert "nobody" not in found[2].summary and "checked by the analyst" in found[3].summary
    assert found[2].summary.endswith("by the analyst, on 0.50 m imagery.")  # corrected: nothing to add
    assert [f.details["checked"] for f in found] == [False, False, False, True]
