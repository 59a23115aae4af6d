"""The read model: hourly track aggregation with dark legs, the thinned vessel track, the cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from armswatch.maritime import store
from armswatch.web.query import tracks as tq
from armswatch.web.query import vessels as vq
from armswatch.workspace import Workspace

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _write(ws: Workspace, mmsi: int, minutes: list[int]) -> None:
    n = len(minutes)
    store.write_positions(
        ws,
        pl.DataFrame(
            {
                "mmsi": [mmsi] * n,
                "ts": [T0 + timedelta(minutes=m) for m in minutes],
                "lat": [40.0 + i * 0.01 for i in range(n)],
                "lon": [130.0 + i * 0.01 for i in range(n)],
                "source": ["simulated"] * n,
                "line": list(range(1, n + 1)),
            }
        ),
    )


def test_hourly_tracks_cut_dark_legs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tq, "RECHECK_S", 0.0)  # the server re-lists position files at most every 10 s
    ws = Workspace.init(tmp_path / "c")
    # three hours of fixes every 5 minutes, 10 hours of silence, two more hours
    _write(ws, 273000001, [*range(0, 180, 5), *range(780, 900, 5)])
    doc = tq.tracks(ws)
    kinds = [(f["properties"]["kind"], len(f["geometry"]["coordinates"])) for f in doc["features"]]
    assert kinds == [("track", 3), ("dark", 2), ("track", 2)]
    assert doc["properties"]["resolution"] == "1 point per vessel and 1 h"
    dark = doc["features"][1]["properties"]
    assert dark["start"].startswith("2024-05-01T02:00") and dark["end"].startswith("2024-05-01T13:00")
    assert tq.tracks(ws, bbox=(0.0, 0.0, 1.0, 1.0))["features"] == []
    # the hourly table is kept beside the positions and rebuilt when positions change
    assert (ws.tables_dir / "web_tracks" / "hourly.parquet").exists()
    _write(ws, 273000002, [0, 5])
    assert {f["properties"]["mmsi"] for f in tq.tracks(ws)["features"]} == {273000001, 273000002}
    ws.close()


def test_vessel_track_is_thinned_to_a_bound(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = Workspace.init(tmp_path / "c")
    _write(ws, 273000001, list(range(0, 3000)))
    monkeypatch.setattr(vq, "MAX_TRACK_POINTS", 100)
    t = vq.track(ws, 273000001)
    assert t["properties"]["positions"] == 3000
    (line,) = t["geometry"]["coordinates"]  # one piece: a fix every minute, never 6 h of silence
    assert t["properties"]["shown"] <= 101 and len(line) == t["properties"]["shown"]
    assert t["properties"]["end"] == (T0 + timedelta(minutes=2999)).isoformat()  # the last fix is kept
    ws.close()


def test_long_windows_get_coarser_points(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "c")
    _write(ws, 273000001, list(range(0, 10 * 24 * 60, 30)))  # ten days, a fix every 30 minutes
    doc = tq.tracks(ws)
    assert doc["properties"]["resolution"] == "1 point per vessel and 5 h"
    assert [f["properties"]["kind"] for f in doc["features"]] == ["track"]  # 5-hour steps are not dark legs
    assert len(doc["features"][0]["geometry"]["coordinates"]) <= tq.POINTS_PER_VESSEL + 1
    ws.close()


def test_a_months_long_hole_does_not_thin_the_week_that_was_heard(tmp_path: Path) -> None:
    """The real NOAA files: one hour on 2020-06-30, then a week in December. Spreading 48 points over the
    five months left a week of harbour traffic as two or three points per vessel (81 h apart)."""
    ws = Workspace.init(tmp_path / "c")
    june = [-(154 * 24 * 60) + m for m in (0, 30)]  # T0 is 2024-05-01: 154 days earlier is late November
    _write(ws, 273000001, [*june, *range(0, 7 * 24 * 60, 30)])
    doc = tq.tracks(ws)
    assert doc["properties"]["resolution"] == "1 point per vessel and 4 h"  # 169 heard hours / 48
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds == ["track", "dark", "track"]  # the hole is a dark leg, the 4-hour steps are not
    week = doc["features"][2]["geometry"]["coordinates"]
    assert 40 <= len(week) <= tq.POINTS_PER_VESSEL + 2
    ws.close()
