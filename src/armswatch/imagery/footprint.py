"""Connected change regions as polygons with area, bounding box and direction.

Direction comes from the sign of the built-up index difference over the object (``new structure`` when
the index rises, ``cleared or demolished`` when it falls) and is ``unknown`` for methods without one.
Polygons are in the image CRS internally; GeoJSON output is WGS84 longitude/latitude (RFC 7946) when the
image is georeferenced and pixel (column, row) coordinates otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from rasterio import features
from rasterio.transform import Affine
from scipy import ndimage as ndi
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from armswatch.errors import InputError

NEW = "new structure"
CLEARED = "cleared or demolished"
UNKNOWN = "unknown"
MAX_OBJECTS = 200_000
"""Refuse to outline more objects than this (a noisy pair at a low threshold would exhaust memory)."""


@dataclass(frozen=True)
class Footprint:
    """One connected change region."""

    id: int
    geometry: Any  # shapely Polygon/MultiPolygon in output coordinates (WGS84 or pixels)
    area_m2: float | None
    pixels: int
    bbox: tuple[float, float, float, float]
    direction: str
    mean_score: float

    def feature(self) -> dict[str, Any]:
        """GeoJSON Feature."""
        return {
            "type": "Feature",
            "geometry": mapping(self.geometry),
            "properties": {
                "id": self.id,
                "area_m2": None if self.area_m2 is None else round(self.area_m2, 1),
                "pixels": self.pixels,
                "bbox": [round(v, 7) for v in self.bbox],
                "direction": self.direction,
                "mean_score": round(self.mean_score, 3),
            },
        }


def _to_wgs84(geoms: list[Any], crs: str) -> list[Any]:
    from pyproj import Transformer

    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def fn(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return [shapely.transform(g, fn) for g in geoms]


def _areas_m2(geoms: list[Any], crs: str | None, pixel_area: float | None) -> list[float | None]:
    if crs is None:
        return [None for _ in geoms] if pixel_area is None else [g.area * pixel_area for g in geoms]
    from pyproj import CRS, Geod

    c = CRS.from_user_input(crs)
    if c.is_geographic:
        geod = Geod(ellps="WGS84")
        return [abs(geod.geometry_area_perimeter(g)[0]) for g in geoms]
    factor = c.axis_info[0].unit_conversion_factor if c.axis_info else 1.0
    return [g.area * factor * factor for g in geoms]


def extract(
    mask: npt.NDArray[np.bool_],
    *,
    transform: tuple[float, ...] | None = None,
    crs: str | None = None,
    sign: npt.NDArray[np.int8] | None = None,
    score: npt.NDArray[np.float32] | npt.NDArray[np.uint8] | None = None,
    min_area_m2: float = 0.0,
    pixel_size_m: float | None = None,
    max_objects: int = MAX_OBJECTS,
    score_scale: float = 1.0,
) -> list[Footprint]:
    """Footprints of the connected regions (8-connected) of ``mask``.

    ``transform``/``crs`` georeference the mask; without them areas use ``pixel_size_m`` when given.
    ``sign`` (+1/-1 per pixel) gives the direction, ``score`` the mean change score per object (divided by
    ``score_scale``, e.g. 255 for a uint8 score, which saves a float copy of a whole scene)."""
    if mask.ndim != 2:
        raise InputError(f"mask must be 2-D, got shape {mask.shape}")
    labels, n = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n == 0:
        return []
    counts_all = np.bincount(labels.ravel(), minlength=n + 1)
    px_area = (abs(transform[0] * transform[4]) if transform is not None and crs is not None else None) or (
        pixel_size_m**2 if pixel_size_m else None
    )
    keep = counts_all > 0
    keep[0] = False
    if px_area and min_area_m2 > 0:  # drop small objects before polygonising (memory and time)
        keep &= counts_all * px_area >= 0.5 * min_area_m2
        if not keep[1:].all():
            labels[~keep[labels]] = 0
    idx = np.flatnonzero(keep)
    if len(idx) > max_objects:
        raise InputError(
            f"{len(idx):,} change objects is too many to outline (limit {max_objects:,}); "
            "raise --min-area or --threshold, or skip --footprints"
        )
    if len(idx) == 0:
        return []
    counts = counts_all[idx]
    inside = labels > 0  # per-object sums over changed pixels only (not the whole image in float64)
    lab_in = labels[inside]
    sgn = (
        np.bincount(lab_in, weights=sign[inside], minlength=n + 1)[idx]
        if sign is not None
        else np.zeros(len(idx))
    )
    mscore = (
        np.bincount(lab_in, weights=score[inside].astype(np.float64), minlength=n + 1)[idx]
        / counts
        / score_scale
        if score is not None
        else np.ones(len(idx))
    )
    aff = Affine(*transform[:6]) if transform is not None else Affine.identity()
    parts: dict[int, list[Any]] = {}
    lab32 = labels if labels.dtype == np.int32 else labels.astype(np.int32)
    for geom, value in features.shapes(lab32, mask=inside, transform=aff, connectivity=8):
        parts.setdefault(int(value), []).append(shape(geom))
    ids = [int(i) for i in idx]
    geoms = [unary_union(parts[i]) if len(parts[i]) > 1 else parts[i][0] for i in ids]
    pixel_area = None if crs is not None or pixel_size_m is None else pixel_size_m**2
    areas = _areas_m2(geoms, crs, pixel_area)
    out_geoms = _to_wgs84(geoms, crs) if crs is not None else geoms
    result: list[Footprint] = []
    for k, i in enumerate(ids):
        area = areas[k]
        if area is not None and area < min_area_m2:
            continue
        direction = NEW if sgn[k] > 0 else CLEARED if sgn[k] < 0 else UNKNOWN
        g = out_geoms[k]
        b = g.bounds
        bbox = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        result.append(Footprint(i, g, area, int(counts[k]), bbox, direction, float(mscore[k])))
    return result


def feature_collection(footprints: list[Footprint]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of footprints."""
    return {"type": "FeatureCollection", "features": [f.feature() for f in footprints]}
