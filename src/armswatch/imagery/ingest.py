"""Ingest scenes for a site: one grid per site, windowed warped reads, masking, co-registration, storage.

The site grid is a UTM grid around the site (its polygon plus a margin, or a square around its point),
snapped to the pixel size. Each input (a GeoTIFF/COG or other GDAL raster, or a STAC item whose band
assets are COGs) is read through a GDAL warped VRT onto that grid, so only the blocks covering the site
are fetched. Clouds and shadows become NaN (SCL when present, else the heuristic in
:mod:`armswatch.imagery.prepare`), the scene is shifted onto the site's reference scene by phase
correlation, and stored as a float32 GeoTIFF artifact with acquisition time, cloud cover, source and
licence in its metadata.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.vrt import WarpedVRT
from shapely.geometry import Point

from armswatch.errors import InputError
from armswatch.imagery import prepare, quality, raster
from armswatch.imagery.band import S2_ORDER_L1C
from armswatch.imagery.feature import Array
from armswatch.imagery.stac import SceneItem, licence_for

SCENE_KIND = "imagery.scene"
BANDS = ("red", "green", "blue", "nir", "swir1")
POINT_HALF_WIDTH_M = 1000.0
POINT_FOOTPRINT_M = 100.0
"""A point site's footprint for the coverage check: the pixels within this distance of the point."""
MIN_SITE_COVERAGE = 0.5
"""A scene with data over less than this share of the site's footprint is refused at ingest."""
POLYGON_MARGIN_M = 200.0
MAX_GRID_PIXELS = 4096 * 4096


@dataclass(frozen=True)
class SiteGrid:
    """The raster grid all scenes of a site are resampled to."""

    crs: str
    transform: tuple[float, float, float, float, float, float]
    width: int
    height: int
    resolution: float

    @property
    def key(self) -> str:
        return f"{self.crs}/{self.resolution:g}m/{self.transform[2]:.0f},{self.transform[5]:.0f}/{self.width}x{self.height}"


def utm_crs(lon: float, lat: float) -> str:
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def site_grid(geometry: Any, resolution: float, half_width_m: float = POINT_HALF_WIDTH_M) -> SiteGrid:
    """Grid around a WGS84 site geometry at ``resolution`` metres."""
    if not resolution > 0:
        raise InputError(f"resolution must be positive, got {resolution}")
    c = geometry.centroid
    crs = utm_crs(c.x, c.y)
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    if isinstance(geometry, Point):
        x, y = tr.transform(c.x, c.y)
        x0, y0, x1, y1 = x - half_width_m, y - half_width_m, x + half_width_m, y + half_width_m
    else:
        xs, ys = tr.transform(*np.asarray(geometry.exterior.coords).T)
        x0, y0 = float(np.min(xs)) - POLYGON_MARGIN_M, float(np.min(ys)) - POLYGON_MARGIN_M
        x1, y1 = float(np.max(xs)) + POLYGON_MARGIN_M, float(np.max(ys)) + POLYGON_MARGIN_M
    x0 = math.floor(x0 / resolution) * resolution
    y1 = math.ceil(y1 / resolution) * resolution
    width = math.ceil((x1 - x0) / resolution)
    height = math.ceil((y1 - y0) / resolution)
    if width * height > MAX_GRID_PIXELS:
        raise InputError(
            f"site grid {width}x{height} px at {resolution:g} m is too large; use a coarser --resolution"
        )
    return SiteGrid(crs, (resolution, 0.0, x0, 0.0, -resolution, y1), width, height, resolution)


def _warp_band(href: str, band_index: int, grid: SiteGrid, resampling: Resampling) -> Array:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with raster.open_image(href) as src:
            if src.crs is None:
                raise InputError(
                    "image is not georeferenced, so it cannot be placed on the site grid", path=href
                )
            with WarpedVRT(
                src,
                crs=grid.crs,
                transform=rasterio.Affine(*grid.transform),
                width=grid.width,
                height=grid.height,
                resampling=resampling,
                src_nodata=src.nodata,
                nodata=np.nan if resampling != Resampling.nearest else 0,
                dtype="float32" if resampling != Resampling.nearest else src.dtypes[band_index - 1],
            ) as vrt:
                data = vrt.read(band_index)
    return np.asarray(data, dtype=np.float32)


@dataclass(frozen=True)
class Scene:
    """A scene on a site grid, ready to store: bands by role (NaN where unusable) and metadata."""

    bands: dict[str, Array]
    captured_at: datetime
    metadata: dict[str, Any]
    quality: quality.Quality | None = None
    nodata: npt.NDArray[np.bool_] | None = None


def _s2_scale(data: Array) -> float:
    finite = data[np.isfinite(data)]
    return 10000.0 if finite.size and float(np.nanmax(finite)) > 1.5 else 1.0


def scene_quality(
    bands: dict[str, Array], s2: dict[str, Array] | None, grid: SiteGrid, scale: float, eight_bit: bool
) -> quality.Quality:
    """s2cloudless when all L1C bands are there, else the classical test on R, G, B."""
    if s2 is not None:
        return quality.sentinel2(
            {k: v / np.float32(scale) for k, v in s2.items()}, pixel_size_m=grid.resolution
        )
    return quality.classical(
        bands["red"], bands["green"], bands["blue"], pixel_size_m=grid.resolution, scale=scale,
        eight_bit=eight_bit,
    )  # fmt: skip


def scene_from_item(item: SceneItem, grid: SiteGrid) -> Scene:
    """Read a STAC item's band assets onto the grid; usable mask by s2cloudless (L1C items), SCL (L2A) or
    the classical test."""
    bands = {r: _warp_band(item.bands[r], 1, grid, Resampling.bilinear) for r in BANDS if r in item.bands}
    scale = _s2_scale(bands["red"])
    s2 = None
    if all(f"s2:{b}" in item.bands for b in (*quality.S2CLOUDLESS_BANDS, "B03")):
        s2 = {b: _warp_band(item.bands[f"s2:{b}"], 1, grid, Resampling.bilinear)
              for b in (*quality.S2CLOUDLESS_BANDS, "B03")}  # fmt: skip
    if s2 is None and "scl" in item.bands:
        classes = _warp_band(item.bands["scl"], 1, grid, Resampling.nearest).astype(np.uint8)
        q = quality.scl(classes, ~np.isfinite(bands["red"]))
    else:
        q = scene_quality(bands, s2, grid, scale, eight_bit=False)
    meta = {
        "item_id": item.id, "collection": item.collection, "platform": item.platform,
        "cloud_cover": item.cloud_cover, "licence": item.licence, "input": item.self_href,
        "cloud_mask": q.method, "quality": q.as_dict(), "reflectance_scale": scale,
    }  # fmt: skip
    return Scene(quality.apply(bands, q.usable), item.datetime, meta, q, ~np.isfinite(bands["red"]))


def _s2_file_bands(info: raster.ImageInfo) -> dict[str, int] | None:
    """Zero-based indexes of the Sentinel-2 L1C bands s2cloudless needs, when the file has them all."""
    with raster.open_image(info.path) as ds:
        names = [(d or "").strip().upper() for d in ds.descriptions]
    wanted = (*quality.S2CLOUDLESS_BANDS, "B03")
    found = {n: i for i, n in enumerate(names) if n in wanted}
    if len(found) == len(wanted):
        return found
    if info.count == 13 and not any(names):
        return {b: S2_ORDER_L1C.index(b) for b in wanted}
    return None


def scene_from_file(
    path: str, grid: SiteGrid, captured_at: datetime | None, bands_option: str | None
) -> Scene:
    """Read a georeferenced raster file onto the grid (bands by role); usable mask by s2cloudless for
    13-band Sentinel-2 L1C files, else the classical test (8-bit images: fitted clear-sky line)."""
    info = raster.image_info(path, bands_option)
    when = captured_at or _file_datetime(path)
    if when is None:
        raise InputError("acquisition date unknown: pass --date YYYY-MM-DD", path=path)
    roles = {r: i for r, i in info.roles.items() if r in BANDS}
    if not {"red", "green", "blue"} <= roles.keys():
        raise InputError("need red, green and blue bands (see --bands)", path=path)
    bands = {r: _warp_band(path, i + 1, grid, Resampling.bilinear) for r, i in roles.items()}
    eight_bit = info.dtype == "uint8"
    scale = 255.0 if eight_bit else prepare.reflectance_scale(info.dtype, bands["red"])
    s2_idx = None if eight_bit else _s2_file_bands(info)
    s2 = (
        {b: _warp_band(path, i + 1, grid, Resampling.bilinear) for b, i in s2_idx.items()} if s2_idx else None
    )
    q = scene_quality(bands, s2, grid, scale, eight_bit)
    meta = {"input": str(path), "cloud_mask": q.method, "quality": q.as_dict(), "reflectance_scale": scale,
            "cloud_cover": None}  # fmt: skip
    return Scene(
        quality.apply(bands, q.usable),
        when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC),
        meta,
        q,
        ~np.isfinite(bands["red"]),
    )


def site_coverage(scene: Scene, footprint: npt.NDArray[np.bool_]) -> float:
    """Share of the site's footprint pixels where the scene has data (clouds count as covered)."""
    if scene.nodata is None or not footprint.any():
        return 1.0
    return float(1.0 - (scene.nodata & footprint).sum() / footprint.sum())


def site_footprint(geometry: Any, grid: SiteGrid) -> npt.NDArray[np.bool_]:
    """Grid pixels inside the site polygon, or within ``POINT_FOOTPRINT_M`` of a point site."""
    import shapely
    from rasterio.features import geometry_mask

    tr = Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True)
    geom = shapely.transform(geometry, tr.transform, interleaved=False)
    if isinstance(geometry, Point):
        geom = geom.buffer(POINT_FOOTPRINT_M)
    inside = geometry_mask([geom], out_shape=(grid.height, grid.width),
                           transform=rasterio.Affine(*grid.transform), invert=True, all_touched=True)  # fmt: skip
    return np.asarray(inside, dtype=bool)


def watched_area(geometry: Any, grid: SiteGrid) -> npt.NDArray[np.bool_]:
    """The grid pixels a site's scene quality and change findings are about: a polygon site's outline; the
    whole grid around a point site (a point marks a place only roughly, the grid is the area watched)."""
    if isinstance(geometry, Point):
        return np.ones((grid.height, grid.width), dtype=bool)
    return site_footprint(geometry, grid)


def _file_datetime(path: str) -> datetime | None:
    with raster.open_image(path) as ds:
        tags = ds.tags()
    for key in ("ACQUISITION_DATETIME", "DATETIME", "TIFFTAG_DATETIME", "datetime", "acquisition_date"):
        raw = tags.get(key)
        if raw:
            for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
                try:
                    return datetime.strptime(raw.strip(), fmt)
                except ValueError:
                    continue
    return None


def coregister_scene(scene: Scene, reference: dict[str, Array] | None) -> Scene:
    """Shift the scene onto the reference scene (no-op for the first scene of a site)."""
    if reference is None:
        return replace(scene, metadata={**scene.metadata, "registration": {"reference": True}})
    roles = ("red", "green", "blue")
    ref = np.stack([reference[r] for r in roles])
    img = np.stack([scene.bands[r] for r in roles])
    _moved, reg = prepare.coregister(ref, img)
    if reg.applied:
        from scipy import ndimage as ndi

        out = {r: ndi.shift(np.nan_to_num(b, nan=0.0), reg.shift, order=1, mode="nearest").astype(np.float32)
               for r, b in scene.bands.items()}  # fmt: skip
        nan = (
            ndi.shift(np.isnan(scene.bands["red"]).astype(np.float32), reg.shift, order=0, mode="nearest") > 0
        )
        out = {r: np.where(nan, np.float32(np.nan), b) for r, b in out.items()}
    else:
        out = scene.bands
    return replace(scene, bands=out, metadata={**scene.metadata, "registration": asdict(reg)})


def scene_tiff(scene: Scene, grid: SiteGrid) -> bytes:
    """The scene as float32 GeoTIFF bytes (band descriptions are the roles, NaN = unusable)."""
    roles = [r for r in BANDS if r in scene.bands]
    prof = dict(
        driver="GTiff", width=grid.width, height=grid.height, count=len(roles), dtype="float32",
        crs=grid.crs, transform=rasterio.Affine(*grid.transform), nodata=np.nan, compress="deflate",
        predictor=3, tiled=True, blockxsize=256, blockysize=256,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scene.tif"
        with rasterio.open(path, "w", **prof) as dst:
            for i, r in enumerate(roles, start=1):
                dst.write(scene.bands[r], i)
                dst.set_band_description(i, r)
            dst.update_tags(ACQUISITION_DATETIME=scene.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return path.read_bytes()


def read_scene(path: Path) -> dict[str, Array]:
    """Bands by role of a stored scene."""
    with raster.open_image(path) as ds:
        return {d: np.asarray(ds.read(i + 1), dtype=np.float32) for i, d in enumerate(ds.descriptions) if d}


def default_licence(collection: str | None) -> str:
    return licence_for(collection, None)
