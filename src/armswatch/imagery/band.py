"""Band roles (blue, green, red, nir, swir1, swir2) from names, wavelengths, band counts or the user.

Resolution order for a file: an explicit ``--bands`` list; band descriptions naming Sentinel-2
(``B02``, ``B8A``…), Landsat (``SR_B4``, ``B5``…) or colour words; ``wavelength`` band metadata (ENVI,
STAC ``eo:bands``); finally the band count (1 grey, 3 RGB, 4 RGB+NIR, 12 Sentinel-2 L2A order without
B10, 13 Sentinel-2 L1C order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from armswatch.errors import InputError

ROLES = ("blue", "green", "red", "nir", "swir1", "swir2")

SENTINEL2 = {
    "B02": "blue", "B03": "green", "B04": "red", "B08": "nir", "B11": "swir1", "B12": "swir2",
}  # fmt: skip
"""Sentinel-2 MSI (L1C/L2A) band names; B8A is the narrow NIR, used when B08 is absent."""
S2_ORDER_L1C = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
S2_ORDER_L2A = tuple(b for b in S2_ORDER_L1C if b != "B10")
LANDSAT_OLI = {"B2": "blue", "B3": "green", "B4": "red", "B5": "nir", "B6": "swir1", "B7": "swir2"}
LANDSAT_TM = {"B1": "blue", "B2": "green", "B3": "red", "B4": "nir", "B5": "swir1", "B7": "swir2"}
WORDS = {
    "blue": "blue", "green": "green", "red": "red", "nir": "nir", "nir08": "nir", "near infrared": "nir",
    "swir16": "swir1", "swir1": "swir1", "swir22": "swir2", "swir2": "swir2", "coastal": "coastal",
}  # fmt: skip
WAVELENGTHS_UM = {
    "blue": (0.44, 0.52), "green": (0.52, 0.60), "red": (0.62, 0.70), "nir": (0.76, 0.90),
    "swir1": (1.55, 1.75), "swir2": (2.05, 2.35),
}  # fmt: skip

BandRoles = Mapping[str, int]
"""Role name -> zero-based band index."""


def parse_bands_option(text: str, count: int) -> dict[str, int]:
    """``--bands red,green,blue,nir`` (roles in file order, ``-`` to skip a band) or ``red=3,green=2,blue=1``
    (one-based indexes)."""
    roles: dict[str, int] = {}
    items = [t.strip().lower() for t in text.split(",") if t.strip()]
    for pos, item in enumerate(items):
        if "=" in item:
            role, _, idx = item.partition("=")
            if not (idx.isascii() and idx.isdigit()) or len(idx) > 4:
                raise InputError(f"--bands: {item!r} is not role=index")
            index = int(idx) - 1
        else:
            role, index = item, pos
        if role == "-":
            continue
        if role not in ROLES:
            raise InputError(f"--bands: unknown role {role!r}; use {', '.join(ROLES)}")
        if not 0 <= index < count:
            raise InputError(f"--bands: band {index + 1} for {role} but the image has {count} bands")
        roles[role] = index
    return roles


def _role_of_name(name: str, landsat_tm: bool) -> str | None:
    n = name.strip()
    up = n.upper()
    m = re.search(r"\bB(\d{1,2}A?)\b", up.replace("_", " "))
    s2 = re.fullmatch(r"B(\d{1,2}A?)", up)
    if s2:
        key = "B" + s2.group(1).zfill(2) if not s2.group(1).endswith("A") else "B8A"
        if key in SENTINEL2:
            return SENTINEL2[key]
        return "nir" if key == "B8A" else None
    if m and ("SR_" in up or "LANDSAT" in up or "ETM" in up or "TM" in up or "OLI" in up):
        key = "B" + m.group(1).lstrip("0")
        return (LANDSAT_TM if landsat_tm else LANDSAT_OLI).get(key)
    return WORDS.get(n.lower())


def _role_of_wavelength(um: float) -> str | None:
    for role, (lo, hi) in WAVELENGTHS_UM.items():
        if lo <= um < hi:
            return role
    return None


def resolve(
    descriptions: Sequence[str | None],
    wavelengths_um: Sequence[float | None] = (),
    bands_option: str | None = None,
) -> dict[str, int]:
    """Band roles for an image with the given band descriptions and centre wavelengths."""
    count = len(descriptions)
    if bands_option:
        return parse_bands_option(bands_option, count)
    roles: dict[str, int] = {}
    landsat_tm = any(d is not None and ("ETM" in d or " TM" in d) for d in descriptions)
    for i, d in enumerate(descriptions):
        role = _role_of_name(d, landsat_tm) if d else None
        if role is None and i < len(wavelengths_um) and wavelengths_um[i] is not None:
            role = _role_of_wavelength(float(wavelengths_um[i] or 0.0))
        if role in ROLES and role not in roles:
            roles[role] = i
    if {"red", "green", "blue"} <= roles.keys():
        return roles
    if count in (3, 4):
        return dict(zip(("red", "green", "blue", "nir"), range(count), strict=False))
    if count in (12, 13):
        order = S2_ORDER_L1C if count == 13 else S2_ORDER_L2A
        return {SENTINEL2[b]: i for i, b in enumerate(order) if b in SENTINEL2}
    if count == 1:
        return {}
    raise InputError(
        f"cannot tell which of the {count} bands are red, green and blue; pass --bands (e.g. red=3,green=2,blue=1)"
    )


def visible_indexes(roles: Mapping[str, int], count: int) -> list[int]:
    """Zero-based indexes of red, green, blue and nir when known (a single band for grey images)."""
    if {"red", "green", "blue"} <= roles.keys():
        rgb = [roles["red"], roles["green"], roles["blue"]]
        return [*rgb, roles["nir"]] if "nir" in roles else rgb
    if count >= 1:
        return [0]
    raise InputError("image has no bands")
