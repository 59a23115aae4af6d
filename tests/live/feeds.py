"""Recorded-style live AIS messages for the tests: type 1 NMEA sentences and aisstream.io JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta


def _armor(bits: str) -> str:
    out = []
    for i in range(0, len(bits), 6):
        v = int(bits[i : i + 6].ljust(6, "0"), 2)
        out.append(chr(v + 48 if v < 40 else v + 56))
    return "".join(out)


def _u(value: int, width: int) -> str:
    return format(value & ((1 << width) - 1), f"0{width}b")


def type1(mmsi: int, lat: float, lon: float, sog: float = 5.0, cog: float = 90.0) -> str:
    """A class A position report (message type 1) as one checksummed ``!AIVDM`` sentence."""
    bits = (
        _u(1, 6) + _u(0, 2) + _u(mmsi, 30) + _u(0, 4) + _u(-128, 8) + _u(round(sog * 10), 10) + _u(1, 1)
        + _u(round(lon * 600000), 28) + _u(round(lat * 600000), 27) + _u(round(cog * 10), 12) + _u(511, 9)
        + _u(0, 6) + _u(0, 2) + _u(0, 3) + _u(0, 1) + _u(0, 19)
    )  # fmt: skip
    body = f"AIVDM,1,1,,A,{_armor(bits)},0"
    cs = 0
    for ch in body:
        cs ^= ord(ch)
    return f"!{body}*{cs:02X}"


def nmea_lines(n: int, first_mmsi: int = 273000000) -> list[str]:
    """``n`` distinct position sentences (distinct vessels and positions)."""
    return [type1(first_mmsi + i, 42.0 + i * 1e-3, 131.0 + i * 1e-3) for i in range(n)]


T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def aisstream_messages(n: int, first_mmsi: int = 273100000) -> list[str]:
    """``n`` aisstream.io ``PositionReport`` messages, one second apart (as the server sends them)."""
    out = []
    for i in range(n):
        ts = T0 + timedelta(seconds=i)
        mmsi = first_mmsi + i % 7
        out.append(
            json.dumps(
                {
                    "MessageType": "PositionReport",
                    "MetaData": {
                        "MMSI": mmsi,
                        "ShipName": "SIM TEST",
                        "latitude": 42.0,
                        "longitude": 131.0,
                        "time_utc": ts.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC"),
                    },
                    "Message": {
                        "PositionReport": {
                            "MessageID": 1,
                            "UserID": mmsi,
                            "Latitude": 42.0 + i * 1e-4,
                            "Longitude": 131.0 + i * 1e-4,
                            "Sog": 4.5,
                            "Cog": 88.0,
                            "TrueHeading": 90,
                            "NavigationalStatus": 0,
                            "Valid": True,
                        }
                    },
                },
                indent=1 if i % 5 == 0 else None,  # some messages pretty-printed, as a proxy might
            )
        )
    return out
