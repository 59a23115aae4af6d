"""Shared Parquet schemas of the AIS tables (positions, static/voyage data, base stations).

These constants are the contract between AIS ingest (writer) and the AIS events code (reader).
Units: ``lat``/``lon`` WGS84 degrees, ``sog`` knots, ``cog`` and ``heading`` degrees true, dimensions
and ``draught`` metres. Unavailable values (AIS "not available" codes such as sog 102.3, cog 360,
heading 511, lat 91, lon 181) are stored as null, never as the sentinel number.

Layout in a workspace (see :mod:`armswatch.maritime.store`)::

    <ws.tables_dir>/ais_positions/day=YYYY-MM-DD/bucket=NN/<part>.parquet     (NN = mmsi % 16)
    <ws.tables_dir>/ais_statics/day=YYYY-MM-DD/bucket=NN/<part>.parquet
    <ws.tables_dir>/ais_base_stations/day=YYYY-MM-DD/bucket=NN/<part>.parquet

Positions are deduplicated on :data:`POSITION_KEY`, statics on :data:`STATIC_KEY`. Base station
reports (message type 4) are kept in their own table with the position schema, so vessel analytics
never see fixed shore stations.
"""

from __future__ import annotations

from typing import Final

import polars as pl

UTC_TS: Final = pl.Datetime("us", "UTC")

POSITION_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mmsi": pl.UInt32(),
    "ts": UTC_TS,
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "sog": pl.Float32(),  # knots, null if unavailable
    "cog": pl.Float32(),  # degrees true, null if unavailable
    "heading": pl.Float32(),  # degrees true, null if unavailable
    "nav_status": pl.UInt8(),  # ITU-R M.1371 navigational status 0..15, null for class B
    "msg_type": pl.UInt8(),  # AIS message type (1,2,3,18,19,27; 4 in base stations); 0 = not from NMEA
    "source": pl.Utf8(),  # artifact id of the ingested file ("sha256:...")
    "line": pl.UInt64(),  # 1-based record (line) number in the source, for provenance
}

STATIC_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mmsi": pl.UInt32(),
    "ts": UTC_TS,
    "imo": pl.Utf8(),  # seven digits with a valid check digit, else null
    "name": pl.Utf8(),
    "callsign": pl.Utf8(),
    "ship_type": pl.UInt8(),  # ITU ship and cargo type 0..99
    "to_bow": pl.UInt16(),  # metres from the reference point
    "to_stern": pl.UInt16(),
    "to_port": pl.UInt16(),
    "to_starboard": pl.UInt16(),
    "draught": pl.Float32(),  # metres
    "destination": pl.Utf8(),
    "source": pl.Utf8(),
    "line": pl.UInt64(),
}

TIME_SOURCE: Final = "time_source"
"""Extra stored column (not part of the frames above, read with ``scan_positions(..., time_source=True)``):
null when the time came from the record itself, ``"assumed <ISO time>"`` when the user gave the time
of an untimed NMEA file (``--assume-time ISO``) and ``"file-mtime <ISO time>"`` when it was the
file's modification time (``--assume-time file-mtime``). Files written before the column existed
read as null."""
STORED_EXTRA: Final[dict[str, pl.DataType]] = {TIME_SOURCE: pl.Utf8()}

POSITION_KEY: Final[tuple[str, ...]] = ("mmsi", "ts", "lat", "lon")
STATIC_KEY: Final[tuple[str, ...]] = (
    "mmsi",
    "ts",
    "imo",
    "name",
    "callsign",
    "ship_type",
    "destination",
)

POSITIONS_TABLE: Final = "ais_positions"
STATICS_TABLE: Final = "ais_statics"
BASE_STATIONS_TABLE: Final = "ais_base_stations"

BUCKETS: Final = 16
"""Vessel bucket of a row: ``mmsi % BUCKETS``."""

POSITION_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
BASE_STATION_TYPES: Final = frozenset({4})
STATIC_TYPES: Final = frozenset({5, 19, 24})


def empty_positions() -> pl.DataFrame:
    """An empty frame with :data:`POSITION_SCHEMA`."""
    return pl.DataFrame(schema=POSITION_SCHEMA)


def empty_statics() -> pl.DataFrame:
    """An empty frame with :data:`STATIC_SCHEMA`."""
    return pl.DataFrame(schema=STATIC_SCHEMA)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast ``frame`` to ``schema`` (missing columns become null, extra ones dropped; a value
    the column type cannot hold becomes null, never an exception)."""
    cols = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype, strict=False).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(cols)
