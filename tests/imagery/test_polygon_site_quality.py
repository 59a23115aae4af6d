"""A polygon site's scene quality and change are counted inside its outline, not over the grid's margin.

Providers deliver scenes clipped to the site (Planet, Sentinel Hub). Before, such a scene was read as
about a third usable (the grid's 200 m margin had no data), so clear scenes were left out of monitoring
and a finding's confidence was capped as if the pair were cloudy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from shapely.geometry import Point, box

from armswatch.imagery import archive, ingest, simulate
from armswatch.imagery.monitor import on_site, run_monitor
from armswatch.imagery.quality import Quality
from armswatch.sites.model import Site
from armswatch.workspace import Workspace

from .stacfix import CRS, LAT, LON

SITE = "clipped-site"
HALF = 300.0  # m: the site is a 600 m square
RES = 10.0


def _square() -> tuple[float, float, float, float]:
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(LON, LAT)
    x, y = round(x / RES) * RES, round(y / RES) * RES
    return x - HALF, y - HALF, x + HALF, y + HALF


def _polygon_site() -> Site:
    x0, y0, x1, y1 = _square()
    tr = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = tr.transform([x0, x1], [y0, y1])
    return Site(
        id=SITE, name="Clipped Site", country="KP", kind="production", precision="facility",
        geometry=box(lon0, lat0, lon1, lat1), sources=("https://example.org/source",), notes="test site",
    )  # fmt: skip


def _clipped_scene(path: Path, *, hall: bool, seed: int = 3) -> Path:
    """A SIMULATED 4-band scene covering exactly the site square (as a provider clips it)."""
    x0, _y0, x1, y1 = _square()
    n = int((x1 - x0) / RES)
    img = simulate.landscape(n, seed=seed) * 10000
    if hall:  # a bright 100 x 80 m roof in the middle of the site
        img[:, 25:35, 26:34] = np.array([3400, 3500, 3600, 3300], dtype=np.float32)[:, None, None]
    prof = dict(
        driver="GTiff", width=n, height=n, count=4, dtype="uint16", crs=CRS,
        transform=rasterio.Affine(RES, 0, x0, 0, -RES, y1),
    )  # fmt: skip
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(np.clip(img, 0, 65535).astype(np.uint16))
    return path


def test_a_scene_clipped_to_a_polygon_site_is_fully_usable(ws: Workspace, tmp_path: Path) -> None:
    ws.save_sites([_polygon_site()])
    done = archive.ingest_inputs(
        ws, SITE, [str(_clipped_scene(tmp_path / "a.tif", hall=False))],
        captured_at=datetime(2024, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    q = done[0].quality
    assert q is not None and q.usable_fraction > 0.95 and q.nodata < 0.05
    assert done[0].valid_fraction > 0.95
    stored = archive.site_scenes(ws, SITE)[0].metadata["quality"]
    assert stored["over"] == "site" and stored["usable_fraction"] > 0.95
    # the grid around the site is mostly margin without data: that is what used to be reported
    assert stored["grid_usable_fraction"] < 0.6


def test_monitoring_clipped_scenes_keeps_them_and_reports_the_site_share(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.save_sites([_polygon_site()])
    for k, hall in enumerate((False, True)):
        archive.ingest_inputs(
            ws, SITE, [str(_clipped_scene(tmp_path / f"s{k}.tif", hall=hall))],
            captured_at=datetime(2024, 3 + k, 1, tzinfo=UTC),
        )  # fmt: skip
    res = run_monitor(ws, SITE, min_finding_m2=1000.0)
    assert res.excluded == []
    (interval,) = res.intervals
    assert interval.valid_share > 0.9
    assert interval.finding_id is not None
    finding = ws.get_finding(interval.finding_id)
    assert finding.details["usable_before"] > 0.95 and finding.details["usable_after"] > 0.95
    assert "of the site usable in both" in finding.summary


def test_only_objects_touching_the_site_count() -> None:
    watched = np.zeros((40, 40), dtype=bool)
    watched[10:30, 10:30] = True
    mask = np.zeros_like(watched)
    mask[2:6, 2:6] = True  # only in the margin
    mask[8:14, 8:14] = True  # reaches into the site: counts whole
    mask[20:24, 20:24] = True  # inside
    kept = on_site(mask, watched)
    assert kept[8:14, 8:14].all() and kept[20:24, 20:24].all()
    assert not kept[2:6, 2:6].any()
    assert on_site(mask, np.ones_like(watched)) is mask  # a point site watches its whole grid


def test_quality_within_a_region_counts_causes_there() -> None:
    site = _polygon_site()
    grid = ingest.site_grid(site.geometry, RES)
    watched = ingest.watched_area(site.geometry, grid)
    assert 0.2 < watched.mean() < 0.6  # the outline is well inside the grid's margin
    from armswatch.imagery.quality import _compose

    nodata = ~watched
    cloud = np.zeros_like(watched)
    rows = np.flatnonzero(watched.any(axis=1))
    cloud[rows[: len(rows) // 4]] = True  # the top quarter of the site under cloud
    q: Quality = _compose(cloud, np.zeros_like(cloud), np.zeros_like(cloud), nodata, "test")
    assert q.nodata > 0.4  # over the grid
    inside = q.within(watched)
    assert inside.nodata == 0.0
    assert abs(inside.cloud - 0.25) < 0.05 and abs(inside.usable_fraction - 0.75) < 0.05
    assert inside.as_dict()["over"] == "site" and q.as_dict()["over"] == "grid"


def _point_site() -> Site:
    return Site(
        id="point-site", name="Point Site", country="KP", kind="production", precision="approximate",
        geometry=Point(LON, LAT), sources=("https://example.org/source",), notes="test site",
    )  # fmt: skip


def test_a_small_clear_scene_of_a_point_site_is_not_taken_for_cloud(ws: Workspace, tmp_path: Path) -> None:
    """A point site watches 2 x 2 km; a scene clipped to 600 m around it covers a tenth of that. Its missing
    coverage is not cloud: it is kept, and its findings are not capped as if the pair were cloudy."""
    ws.save_sites([_point_site()])
    for k, hall in enumerate((False, True)):
        done = archive.ingest_inputs(
            ws, "point-site", [str(_clipped_scene(tmp_path / f"p{k}.tif", hall=hall))],
            captured_at=datetime(2024, 3 + k, 1, tzinfo=UTC),
        )  # fmt: skip
        q = done[0].quality
        assert q is not None and q.usable_fraction < 0.15 and q.clear_fraction > 0.95
    overcast = _clipped_scene(tmp_path / "o.tif", hall=True)
    with rasterio.open(overcast, "r+") as dst:
        dst.write(np.full((4, dst.height, dst.width), 6000, dtype=np.uint16))
    archive.ingest_inputs(ws, "point-site", [str(overcast)], captured_at=datetime(2024, 6, 1, tzinfo=UTC))
    res = run_monitor(ws, "point-site", min_finding_m2=1000.0)
    assert [e.date for e in res.excluded] == ["2024-06-01"]
    assert "clear of the" in res.excluded[0].reason and "cloud" in res.excluded[0].reason
    (interval,) = res.intervals
    assert interval.valid_share < 0.15  # of the grid, usable in both
    # the statistics that standardise each date come from the usable pixels, not the filled-in 90 %: the
    # 8,000 m² hall is new (with the fill in the statistics it read as 22,800 m² cleared)
    assert 6000 < interval.new_m2 < 14000 and interval.cleared_m2 < 2000
    assert interval.finding_id is not None
    finding = ws.get_finding(interval.finding_id)
    assert finding.details["clear_share"] > 0.95 and finding.details["usable_before"] > 0.95
    assert "cover" in finding.summary  # the summary says how much of the site the scenes show


def test_a_stored_scene_as_clear_as_a_new_one_stays_the_reference(ws: Workspace, tmp_path: Path) -> None:
    """Stored shares are rounded; the unrounded share of an equally clear new scene must not win the tie."""
    ws.save_sites([_point_site()])
    for k in range(2):
        archive.ingest_inputs(
            ws, "point-site", [str(_clipped_scene(tmp_path / f"r{k}.tif", hall=False))],
            captured_at=datetime(2024, 3 + k, 1, tzinfo=UTC),
        )  # fmt: skip
    first, second = archive.site_scenes(ws, "point-site")
    assert first.metadata["registration"] == {"reference": True}
    assert "reference" not in second.metadata["registration"]  # co-registered onto the first
