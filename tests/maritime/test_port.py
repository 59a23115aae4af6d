"""Port gazetteer: bundled World Port Index extract, user port files, workspace sites."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from shapely.geometry import Point, Polygon

from armswatch.errors import InputError, MissingFileError
from armswatch.maritime.port import (
    PortIndex,
    combine,
    ports_from_sites,
    read_ports_file,
    watched_ports_frame,
    world_port_index,
)
from armswatch.sites.model import Site


def test_bundled_wpi_extract_has_known_ports() -> None:
    wpi = world_port_index()
    assert wpi.height > 3600
    assert set(wpi.columns) >= {"name", "country", "locode", "lat", "lon"}
    najin = wpi.filter(pl.col("name") == "Najin").row(0, named=True)
    assert najin["country"] == "North Korea"
    assert najin["lat"] == pytest.approx(42.233, abs=0.01)


def test_nearest_port_distance_is_haversine() -> None:
    idx = PortIndex.build(watched_ports_frame([("a", "A", "", 0.0, 0.0), ("b", "B", "", 0.0, 1.0)]))
    rows, dist = idx.nearest([0.0, 0.0], [0.1, 0.9])
    assert rows.tolist() == [0, 1]
    assert dist[0] == pytest.approx(11_119.5, rel=1e-3)  # 0.1° of longitude at the equator


def test_watched_port_wins_over_nearer_gazetteer_port() -> None:
    ports = combine(
        world_port_index().filter(pl.col("name") == "Najin"),
        watched_ports_frame([("site:x", "Watched", "KP", 42.25, 130.3)]),
    )
    idx = PortIndex.build(ports)
    frame = idx.annotate(pl.DataFrame({"lat": [42.2335], "lon": [130.3005]}))
    assert idx.ports["name"][int(frame["port_idx"][0])] == "Watched"


def test_ports_from_sites_uses_ports_only_and_polygon_radius() -> None:
    poly = Polygon([(130.0, 42.0), (130.1, 42.0), (130.1, 42.1), (130.0, 42.1)])
    sites = [
        Site(id="p1", name="Poly Port", country="KP", kind="port", precision="facility", geometry=poly,
             sources=(), notes=""),
        Site(id="f1", name="Factory", country="KP", kind="production", precision="facility",
             geometry=Point(127.5, 39.9), sources=(), notes=""),
    ]  # fmt: skip
    frame = ports_from_sites(sites)
    assert frame["port_id"].to_list() == ["site:p1"]
    assert 5_000 < frame["radius_m"][0] < 8_000  # centre to corner of a 0.1° square


def test_read_ports_file(tmp_path: Path) -> None:
    good = tmp_path / "ports.csv"
    good.write_text("name,lat,lon,radius_m\nHarbour,40.0,130.0,5000\n")
    frame = read_ports_file(good)
    assert frame.row(0, named=True)["radius_m"] == 5000.0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nNowhere,95.0,130.0\n")
    with pytest.raises(InputError, match="Nowhere"):
        read_ports_file(bad)
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("name,latitude,lon\nX,1,2\n")
    with pytest.raises(InputError, match="lat"):
        read_ports_file(nocol)
    with pytest.raises(MissingFileError):
        read_ports_file(tmp_path / "missing.csv")


def test_annotate_matches_brute_force_nearest_port_within_reach() -> None:
    import numpy as np

    from armswatch.maritime.event import haversine_m_np
    from armswatch.maritime.port import NEAR_M

    rng = np.random.default_rng(0)
    wpi = world_port_index()
    idx = PortIndex.build(wpi)
    # points scattered around random ports (0–30 km) plus open ocean
    pick = rng.integers(0, wpi.height, 400)
    lat = wpi["lat"].to_numpy()[pick] + rng.normal(0, 0.12, pick.size)
    lon = wpi["lon"].to_numpy()[pick] + rng.normal(0, 0.12, pick.size)
    lat = np.clip(np.concatenate([lat, rng.uniform(-60, 60, 100)]), -89.9, 89.9)
    lon = np.concatenate([lon, rng.uniform(-180, 180, 100)])
    got = idx.annotate(pl.DataFrame({"lat": lat, "lon": lon}), prefer_watched_m=0.0)
    brute = haversine_m_np(
        lat[:, None], lon[:, None], wpi["lat"].to_numpy()[None, :], wpi["lon"].to_numpy()[None, :]
    )
    best = brute.min(axis=1)
    near = best <= NEAR_M
    assert near.sum() > 200
    np.testing.assert_allclose(got["port_dist_m"].to_numpy()[near], best[near], rtol=1e-6, atol=0.01)
    assert np.all(got["port_dist_m"].to_numpy()[~near] > NEAR_M - 1e-6)


@pytest.mark.parametrize(
    ("rows", "line"),
    [
        ("A,40,130\nB,abc,130\n", 3),  # not a number: was a polars cast traceback
        ("A,40,130,-5\n", 2),  # negative radius: was accepted
        ("A,40,\n", 2),  # missing longitude
    ],
)
def test_read_ports_file_names_the_bad_line(tmp_path: Path, rows: str, line: int) -> None:
    path = tmp_path / "ports.csv"
    header = "name,lat,lon,radius_m\n" if rows.count(",") > rows.count("\n") * 2 else "name,lat,lon\n"
    path.write_text(header + rows)
    with pytest.raises(InputError) as err:
        read_ports_file(path)
    assert err.value.path == str(path) and err.value.record == line


def test_read_ports_file_refuses_binary(tmp_path: Path) -> None:
    path = tmp_path / "ports.csv"
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(InputError):
        read_ports_file(path)
