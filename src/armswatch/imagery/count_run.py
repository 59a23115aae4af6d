"""Counting on an image file (the I/O edge of the counter): read the search area's window, detect, apply
corrections, convert positions to output coordinates, and write positions as GeoJSON or CSV."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from armswatch.errors import InputError
from armswatch.imagery import outline, raster
from armswatch.imagery.count import Corrections, Count, apply_corrections, object_size
from armswatch.imagery.count_detect import DetectParams, detect, params_for
from armswatch.imagery.feature import Array
from armswatch.imagery.outline import Coords

if TYPE_CHECKING:
    from armswatch.imagery.count_model import CountModel

MAX_WINDOW_PX = 64_000_000
"""Largest search window read at once (8000 x 8000 px); draw a smaller --area for bigger scenes."""


@dataclass(frozen=True)
class CountRun:
    """A count with what is needed to draw and record it."""

    count: Count
    info: raster.ImageInfo
    rgb: Array  # the window's visible bands
    window: tuple[int, int, int, int]  # row0, col0, row1, col1 in image pixels
    area_rings: list[list[tuple[float, float]]]  # exterior rings in image pixel coordinates
    area_wgs84: Any  # shapely geometry or None
    model: CountModel | None = None  # the trained model used, if any

    @property
    def georeferenced(self) -> bool:
        return self.info.georeferenced


def _area(info: raster.ImageInfo, area_path: str | None, coords: Coords) -> tuple[Any, Any]:
    """Search area in pixel coordinates (shapely) and in WGS84 (or None)."""
    from shapely.geometry import box
    from shapely.ops import unary_union

    if area_path is None:
        px = box(0, 0, info.width, info.height)
        return px, outline.pixel_to_wgs84(px, info) if info.georeferenced else None
    items = outline.read_outlines(area_path)
    system = outline.resolve_coords(info, coords)
    geoms = [o.geometry for o in items]
    if system == "wgs84":
        wgs = unary_union(geoms)
        px = outline.wgs84_to_pixel(wgs, info)
    else:
        px = unary_union(geoms)
        wgs = outline.pixel_to_wgs84(px, info) if info.georeferenced else None
    px = px.intersection(outline.image_box(info))
    if px.is_empty:
        raise InputError("the search area does not overlap the image", path=area_path)
    return px, wgs


def _mask(geom: Any, window: tuple[int, int, int, int]) -> npt.NDArray[np.bool_]:
    from rasterio import features
    from rasterio.transform import Affine

    r0, c0, r1, c1 = window
    return np.asarray(
        features.geometry_mask([geom], out_shape=(r1 - r0, c1 - c0), transform=Affine.translation(c0, r0),
                               invert=True, all_touched=False),
        dtype=bool,
    )  # fmt: skip


@dataclass(frozen=True)
class SearchWindow:
    """The search area's window of an image, read: visible bands, the area mask, the ground pixel size."""

    info: raster.ImageInfo
    pixel_size_m: float
    window: tuple[int, int, int, int]  # row0, col0, row1, col1 in image pixels
    rgb: Array
    mask: npt.NDArray[np.bool_]
    area_px: Any  # shapely geometry in image pixel coordinates
    area_wgs84: Any


def read_window(
    path: str | Path,
    length_m: float,
    *,
    area_path: str | None = None,
    coords: Coords = "auto",
    pixel_size_m: float | None = None,
    bands: str | None = None,
) -> SearchWindow:
    """Read the window around the search area (with a margin of two object lengths) of the image."""
    info = raster.image_info(path, bands)
    px_size = raster.pixel_size(
        info, pixel_size_m if pixel_size_m is not None else outline.ground_pixel_size(info)
    )
    area_px, area_wgs = _area(info, area_path, coords)
    margin = int(np.ceil(2 * length_m / px_size))
    minx, miny, maxx, maxy = area_px.bounds
    window = (max(0, int(miny) - margin), max(0, int(minx) - margin),
              min(info.height, int(np.ceil(maxy)) + margin), min(info.width, int(np.ceil(maxx)) + margin))  # fmt: skip
    r0, c0, r1, c1 = window
    if (r1 - r0) * (c1 - c0) > MAX_WINDOW_PX:
        raise InputError(
            f"search window {c1 - c0}x{r1 - r0} px is too large; draw a smaller --area", path=str(path)
        )
    from rasterio.windows import Window

    with raster.open_image(path) as ds:
        rgb = raster.read_visible(ds, info, Window(c0, r0, c1 - c0, r1 - r0))[:3]
    mask = _mask(area_px, window) & np.isfinite(rgb).all(axis=0)
    return SearchWindow(info, px_size, window, rgb, mask, area_px, area_wgs)


def count_image(
    path: str | Path,
    object_spec: str,
    *,
    area_path: str | None = None,
    coords: Coords = "auto",
    pixel_size_m: float | None = None,
    bands: str | None = None,
    corrections: Corrections | None = None,
    params: DetectParams | None = None,
    model: CountModel | None = None,
) -> CountRun:
    """Count ``object_spec`` objects in the image at ``path`` inside the search area (with a trained
    ``model`` if given, else the training-free detector)."""
    name, length, width = object_size(object_spec)
    if model is not None:
        model.check_object(name, length, width)
    sw = read_window(path, length, area_path=area_path, coords=coords, pixel_size_m=pixel_size_m, bands=bands)
    r0, c0 = sw.window[:2]
    if model is not None:
        dets = model.detect(sw.rgb, sw.pixel_size_m, area=sw.mask)
    else:
        dets = detect(sw.rgb, sw.pixel_size_m, length, width, area=sw.mask, params=params or params_for(name))
    dets = [type(d)(d.x + c0, d.y + r0, d.angle, d.score, d.fill, d.edge, d.polarity) for d in dets]
    to_out, to_px = converters(sw.info)
    corr = corrections or Corrections()
    kept, removed = apply_corrections(dets, to_out, to_px, corr)
    count = Count(name, length, width, sw.pixel_size_m, len(dets), tuple(kept), tuple(removed), corr)
    geoms = list(getattr(sw.area_px, "geoms", [sw.area_px]))
    rings = [[(float(x), float(y)) for x, y in g.exterior.coords] for g in geoms if hasattr(g, "exterior")]
    return CountRun(count, sw.info, sw.rgb, sw.window, rings, sw.area_wgs84, model)


def converters(info: raster.ImageInfo) -> tuple[Any, Any]:
    if not info.georeferenced:
        return (lambda c, r: (c, r)), (lambda x, y: (x, y))
    from pyproj import Transformer

    aff = info.transform or ()
    inv_aff = outline.invert_affine(aff)
    fwd = Transformer.from_crs(info.crs, "EPSG:4326", always_xy=True)
    inv = Transformer.from_crs("EPSG:4326", info.crs, always_xy=True)

    def to_out(col: float, row: float) -> tuple[float, float]:
        x, y = outline.apply_affine(aff, col, row)
        lon, lat = fwd.transform(x, y)
        return float(lon), float(lat)

    def to_px(lon: float, lat: float) -> tuple[float, float]:
        x, y = inv.transform(lon, lat)
        col, row = outline.apply_affine(inv_aff, x, y)
        return float(col), float(row)

    return to_out, to_px


def positions_geojson(run: CountRun) -> str:
    """Kept and added objects as GeoJSON points (WGS84, or pixel coordinates without georeferencing)."""
    feats = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [o.x, o.y]},
         "properties": {k: v for k, v in o.row_dict().items() if k not in ("x", "y")}}
        for o in run.count.objects
    ]  # fmt: skip
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": feats, "properties": {
        **run.count.summary(), "coordinates": "WGS84" if run.georeferenced else "pixel (column, row)",
        "corrections": run.count.corrections.as_dict()}}  # fmt: skip
    if run.model is not None:
        doc["properties"]["model_sha256"] = run.model.sha256
    return json.dumps(doc, indent=2) + "\n"
