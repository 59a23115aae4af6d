"""Scene quality in the workspace: coverage at ingest, clearest reference, exclusions and confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from typer.testing import CliRunner

from armswatch.cli.main import app as root
from armswatch.errors import InputError
from armswatch.imagery import archive, simulate
from armswatch.imagery.monitor import confidence, run_monitor
from armswatch.workspace import Workspace

from .stacfix import CRS, LAT, LON, RES, SIZE, _origin
from .test_workspace_flow import SITE, make_site


@pytest.fixture()
def site_ws(ws: Workspace) -> Workspace:
    ws.save_sites([make_site(SITE, LON, LAT)])
    return ws


def write_scene(path: Path, *, cloud: float = 0.0, seed: int = 4, x_offset: float = 0.0) -> Path:
    """A SIMULATED 4-band uint16 reflectance scene around the site; ``cloud`` = share of rows under a cloud."""
    img = simulate.landscape(SIZE, seed=seed) * 10000
    rows = int(cloud * SIZE)
    if rows:
        img[:, :rows] = np.array([5200, 5300, 5600, 5800], dtype=np.float32)[:, None, None]
    x0, y1 = _origin()
    prof = dict(
        driver="GTiff", width=SIZE, height=SIZE, count=4, dtype="uint16", crs=CRS,
        transform=rasterio.Affine(RES, 0, x0 + x_offset, 0, -RES, y1),
    )  # fmt: skip
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(np.clip(img, 0, 65535).astype(np.uint16))
        dst.update_tags(ACQUISITION_DATETIME="2024-05-01T02:00:00Z")
    return path


def test_a_scene_that_misses_the_site_is_refused_and_nothing_is_stored(
    site_ws: Workspace, tmp_path: Path
) -> None:
    far = write_scene(tmp_path / "far.tif", x_offset=50_000.0)
    near = write_scene(tmp_path / "near.tif")
    before = len(site_ws.list_artifacts())
    with pytest.raises(InputError, match="does not cover site") as err:
        archive.ingest_inputs(site_ws, SITE, [str(near), str(far)])
    assert "far.tif" in str(err.value)
    assert len(site_ws.list_artifacts()) == before  # the good input was not stored either
    res = CliRunner().invoke(root, ["imagery", "ingest", SITE, str(far), "--workspace", str(site_ws.root)])
    assert res.exit_code == 2 and "does not cover" in res.output


def test_cloudy_scene_is_masked_excluded_and_not_the_reference(site_ws: Workspace, tmp_path: Path) -> None:
    paths = [write_scene(tmp_path / f"s{k}.tif", cloud=c, seed=4) for k, c in enumerate((0.9, 0.0, 0.0))]
    done = []
    for k, p in enumerate(paths):
        from datetime import UTC, datetime

        done += archive.ingest_inputs(
            site_ws, SITE, [str(p)], captured_at=datetime(2024, 3 + k, 1, tzinfo=UTC)
        )
    assert done[0].quality is not None and done[0].quality.cloud > 0.8
    assert done[0].valid_fraction < 0.2 and done[1].valid_fraction > 0.95
    scenes = archive.site_scenes(site_ws, SITE)
    # the first (cloudy) scene could not serve as a reference: the clear one ingested next was not shifted
    assert scenes[0].metadata["registration"]["reference"] is True
    assert scenes[1].metadata["quality"]["usable_fraction"] > 0.95

    res = run_monitor(site_ws, SITE)
    assert [e.date for e in res.excluded] == ["2024-03-01"]
    assert "cloud" in res.excluded[0].reason and "--max-cloud 50" in res.excluded[0].reason
    assert len(res.intervals) == 1
    run = site_ws.get_run(res.run_id)
    assert run.summary["excluded"][0]["date"] == "2024-03-01"

    res = run_monitor(site_ws, SITE, max_cloud=100.0, exclude=["2024-05-01"])
    assert [e.reason for e in res.excluded] == ["excluded by the analyst"]
    assert len(res.intervals) == 1 and res.intervals[0].valid_share < 0.2
    with pytest.raises(InputError, match="matches no scene"):
        run_monitor(site_ws, SITE, exclude=["2023-01-01"])
    with pytest.raises(InputError, match="left after exclusions"):
        run_monitor(site_ws, SITE, exclude=["2024-04-01"])

    cli = CliRunner().invoke(
        root,
        [
            "imagery",
            "monitor",
            SITE,
            "--max-cloud",
            "20",
            "--exclude",
            "2024-04-01",
            "--workspace",
            str(site_ws.root),
        ],
    )
    assert cli.exit_code == 2 and "left after exclusions" in cli.output


@pytest.mark.parametrize(
    ("usable", "score", "expected"),
    [
        ((1.0, 1.0, 1.0), 0.95, "likely"),
        ((0.95, 0.9, 0.85), 0.95, "likely"),
        ((1.0, 0.7, 0.7), 0.95, "roughly even chance"),
        ((1.0, 0.3, 0.3), 0.99, "unlikely"),
        ((0.4, 1.0, 0.4), 0.99, "unlikely"),
        ((1.0, 1.0, 1.0), 0.55, "unlikely"),
    ],
)
def test_confidence_accounts_for_usable_share_and_score(
    usable: tuple[float, float, float], score: float, expected: str
) -> None:
    assert confidence(10_000.0, score, 1000.0, usable) == expected


def test_a_mostly_cloudy_pair_is_never_likely() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        u = tuple(float(x) for x in rng.uniform(0, 1, 3))
        if min(u) < 0.5:
            assert confidence(float(rng.uniform(0, 1e6)), float(rng.uniform(0, 1)), 1000.0, u) in (  # type: ignore[arg-type]
                "unlikely",
                "very unlikely",
                "almost no chance",
            )


def test_monitor_with_own_model_records_it_and_checks_its_bands(site_ws: Workspace, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from .test_train import make_labelset

    for k in range(2):
        p = write_scene(tmp_path / f"s{k}.tif", seed=4)
        archive.ingest_inputs(site_ws, SITE, [str(p)], captured_at=datetime(2024, 3 + k, 1, tzinfo=UTC))
    rgb_model = tmp_path / "rgb.npz"
    res = CliRunner().invoke(
        root, ["imagery", "train", str(make_labelset(tmp_path / "ls", 1)), "-o", str(rgb_model)]
    )
    assert res.exit_code == 0, res.output
    with pytest.raises(InputError, match="NIR"):  # the scenes have a NIR band, the model was trained without
        run_monitor(site_ws, SITE, model=rgb_model)
