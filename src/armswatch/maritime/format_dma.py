"""Danish Maritime Authority (DMA) AIS CSV (``aisdata-YYYY-MM-DD.csv``).

Columns: ``# Timestamp`` (dd/mm/yyyy HH:MM:SS, UTC), ``Type of mobile``, ``MMSI``, ``Latitude``,
``Longitude``, ``Navigational status`` (text), ``ROT``, ``SOG``, ``COG``, ``Heading``, ``IMO``,
``Callsign``, ``Name``, ``Ship type`` (text), ``Cargo type``, ``Width``, ``Length``, ..., ``Draught``,
``Destination``, ``ETA``, ``Data source type``, ``A``, ``B``, ``C``, ``D``. ``Base Station`` rows go to
the base station table. Ship type text maps to the first ITU code of its class (e.g. Tanker -> 80).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import polars as pl

from armswatch.maritime.formats import Batch, csv_batches, read_header, require_columns, standardise
from armswatch.maritime.linechunk import CHUNK_BYTES

NAV_STATUS: Final[dict[str, int]] = {
    "under way using engine": 0, "at anchor": 1, "not under command": 2, "restricted manoeuverability": 3,
    "restricted maneuverability": 3, "constrained by her draught": 4, "moored": 5, "aground": 6,
    "engaged in fishing": 7, "under way sailing": 8, "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10, "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12, "reserved for future use": 13,
    "ais-sart": 14, "unknown value": 15, "unknown": 15,
}  # fmt: skip
SHIP_TYPE: Final[dict[str, int]] = {
    "wig": 20, "fishing": 30, "towing": 31, "towing long/wide": 32, "dredging": 33, "diving": 34,
    "military": 35, "sailing": 36, "pleasure": 37, "hsc": 40, "pilot": 50, "sar": 51, "tug": 52,
    "port tender": 53, "anti-pollution": 54, "law enforcement": 55, "medical": 58,
    "not party to conflict": 59, "passenger": 60, "cargo": 70, "tanker": 80, "other": 90,
}  # fmt: skip
COLUMNS: Final = {
    "ts": "# Timestamp", "mmsi": "MMSI", "lat": "Latitude", "lon": "Longitude", "sog": "SOG", "cog": "COG",
    "heading": "Heading", "imo": "IMO", "callsign": "Callsign", "name": "Name", "draught": "Draught",
    "destination": "Destination", "to_bow": "A", "to_stern": "B", "to_port": "C", "to_starboard": "D",
}  # fmt: skip


def read_dma(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Batch]:
    """DMA CSV in chunks of whole lines (bad lines, cells and bytes are bad records, see ``standardise``)."""
    header = read_header(path)
    mapping = {dst: src for dst, src in COLUMNS.items() if src in header}
    if "# Timestamp" not in header and "Timestamp" in header:
        mapping["ts"] = "Timestamp"
    require_columns(path, "DMA", [*header, *(["# Timestamp"] if "ts" in mapping else [])],
                    ("# Timestamp", "MMSI", "Latitude", "Longitude"))  # fmt: skip
    for frame, line, bad_utf8 in csv_batches(path, header, chunk_bytes=chunk_bytes):
        prepared = frame.with_columns(
            pl.col("Navigational status")
            .str.to_lowercase()
            .replace_strict(NAV_STATUS, default=None)
            .alias("_nav")
            if "Navigational status" in frame.columns
            else pl.lit(None).alias("_nav"),
            pl.col("Ship type").str.to_lowercase().replace_strict(SHIP_TYPE, default=None).alias("_type")
            if "Ship type" in frame.columns
            else pl.lit(None).alias("_type"),
        )
        batch = standardise(
            prepared, {**mapping, "nav_status": "_nav", "ship_type": "_type"}, line, check_encoding=bad_utf8
        )
        mobile = (
            pl.col("Type of mobile").str.to_lowercase() if "Type of mobile" in frame.columns else pl.lit("")
        )
        base_lines = (
            frame.select(
                pl.int_range(line, line + frame.height, dtype=pl.UInt64).alias("line"), mobile.alias("m")
            )
            .filter(pl.col("m") == "base station")["line"]
            .implode()
        )  # by line: standardise drops blank rows, so row positions no longer match
        positions = batch.positions.with_columns(pl.lit(0, pl.UInt8).alias("msg_type"))
        is_base = pl.col("line").is_in(base_lines)
        yield Batch(
            positions.filter(~is_base), positions.filter(is_base), batch.statics, batch.rejects, batch.counts,
            frame.height,
        )  # fmt: skip
