"""Small AIS feeds for the monitor tests, ingested through the normal ais.ingest path."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from armswatch.maritime.ingest import ingest_file
from armswatch.workspace import Workspace

T0 = datetime(2024, 3, 1, tzinfo=UTC)

Row = tuple[int, datetime, float, float, float]  # mmsi, ts, lat, lon, sog


def track(mmsi: int, start: datetime, hours: float, lat: float, lon: float, *, every_min: float = 10,
          dlat: float = 0.0, dlon: float = 0.0, sog: float = 10.0) -> list[Row]:  # fmt: skip
    n = int(hours * 60 / every_min) + 1
    return [
        (mmsi, start + timedelta(minutes=i * every_min), lat + i * dlat, lon + i * dlon, sog)
        for i in range(n)
    ]


def ingest(ws: Workspace, rows: Iterable[Row], name: str, folder: Path) -> str:
    lines = []
    for mmsi, ts, lat, lon, sog in rows:
        lines.append(json.dumps({
            "MessageType": "PositionReport",
            "MetaData": {"MMSI": mmsi, "time_utc": ts.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")},
            "Message": {"PositionReport": {"MessageID": 1, "UserID": mmsi, "Latitude": lat, "Longitude": lon,
                                           "Sog": sog, "Cog": 90.0, "TrueHeading": 90, "NavigationalStatus": 0}},
        }))  # fmt: skip
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_id, _ = ingest_file(ws, path, fmt="aisstream", simulated=True)
    return run_id
