"""Reading imagery with rasterio/GDAL: GeoTIFF/COG, ENVI and other GDAL formats, and plain PNG/JPEG
(not georeferenced: pixel units). Only the edges of the package open files; the core gets arrays."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.windows import Window

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery import band
from armswatch.imagery.change import DEFAULT_PIXEL_SIZE_M
from armswatch.imagery.feature import Array


@dataclass(frozen=True)
class ImageInfo:
    """What the package needs to know about an image file."""

    path: str
    width: int
    height: int
    count: int
    dtype: str
    crs: str | None
    transform: tuple[float, ...] | None
    pixel_size_m: float | None
    roles: dict[str, int]
    nodata: float | None

    @property
    def georeferenced(self) -> bool:
        return self.crs is not None and self.transform is not None


@contextmanager
def open_image(path: str | Path) -> Iterator[Any]:
    """Open a raster quietly (no NotGeoreferencedWarning for PNG/JPEG), mapping errors to armswatch ones."""
    p = str(path)
    if not p.startswith(("/vsi", "http://", "https://", "s3://")) and not Path(p).exists():
        raise MissingFileError("no such image file", path=p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            ds = rasterio.open(p)
        except RasterioIOError as exc:
            raise InputError(f"not a readable image: {exc}", path=p) from exc
        try:
            yield ds
        finally:
            ds.close()


def _wavelength(tags: dict[str, str]) -> float | None:
    raw = tags.get("wavelength") or tags.get("WAVELENGTH") or tags.get("CENTRAL_WAVELENGTH_UM")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    units = (tags.get("wavelength_units") or "micrometers").lower()
    return value / 1000.0 if units.startswith("nano") else value


def _pixel_size_m(ds: Any) -> float | None:
    if ds.crs is None or ds.transform.is_identity:
        return None
    res = float(abs(ds.transform.a))
    if ds.crs.is_geographic:
        lat = float(ds.transform.f + ds.transform.e * ds.height / 2)
        return res * 111_320.0 * max(float(np.cos(np.radians(lat))), 0.01)
    factor = ds.crs.linear_units_factor[1] if ds.crs.linear_units_factor else 1.0
    return res * float(factor)


def describe(ds: Any, bands_option: str | None = None) -> ImageInfo:
    """ImageInfo of an open dataset."""
    descriptions = list(ds.descriptions)
    wavelengths = [_wavelength(ds.tags(i + 1)) for i in range(ds.count)]
    try:
        roles = band.resolve(descriptions, wavelengths, bands_option)
    except InputError as exc:
        raise InputError(exc.message, path=ds.name) from exc
    geo = ds.crs is not None and not ds.transform.is_identity
    return ImageInfo(
        path=str(ds.name),
        width=int(ds.width),
        height=int(ds.height),
        count=int(ds.count),
        dtype=str(ds.dtypes[0]),
        crs=ds.crs.to_string() if geo else None,
        transform=tuple(ds.transform)[:6] if geo else None,
        pixel_size_m=_pixel_size_m(ds) if geo else None,
        roles=roles,
        nodata=None if ds.nodata is None else float(ds.nodata),
    )


def image_info(path: str | Path, bands_option: str | None = None) -> ImageInfo:
    """ImageInfo of a file."""
    with open_image(path) as ds:
        return describe(ds, bands_option)


def pixel_size(info: ImageInfo, override: float | None = None) -> float:
    """Ground pixel size in metres: the override, the georeferencing, or the VHR default (0.5 m)."""
    if override is not None:
        if override <= 0:
            raise InputError(f"--pixel-size must be positive, got {override}")
        return override
    return info.pixel_size_m or DEFAULT_PIXEL_SIZE_M


def read_visible(ds: Any, info: ImageInfo, window: Window | None = None) -> Array:
    """Red, green, blue (+ nir when known; or the single grey band) of a window as float32
    ``(bands, rows, cols)``; nodata
    and non-finite values become NaN."""
    idx = [i + 1 for i in band.visible_indexes(info.roles, info.count)]
    data = ds.read(idx).astype(np.float32) if window is None else _read_padded(ds, idx, window)
    if info.nodata is not None and not np.isnan(info.nodata):
        data[data == np.float32(info.nodata)] = np.nan
    data[~np.isfinite(data)] = np.nan
    return np.asarray(data, dtype=np.float32)


def read_bands(ds: Any, idx: list[int], window: Window | None = None) -> Array:
    """Bands ``idx`` (one-based) of a window, which may extend past the edges (mirrored), as float32."""
    return np.asarray(ds.read(idx), dtype=np.float32) if window is None else _read_padded(ds, idx, window)


def _read_padded(ds: Any, idx: list[int], window: Window) -> Array:
    """Read a window that may extend past the image edges; outside pixels mirror the inside ones."""
    r0, c0 = int(window.row_off), int(window.col_off)
    r1, c1 = r0 + int(window.height), c0 + int(window.width)
    rr0, cc0 = max(r0, 0), max(c0, 0)
    rr1, cc1 = min(r1, ds.height), min(c1, ds.width)
    inner = ds.read(idx, window=Window(cc0, rr0, cc1 - cc0, rr1 - rr0)).astype(np.float32)
    pads = ((0, 0), (rr0 - r0, r1 - rr1), (cc0 - c0, c1 - cc1))
    if any(p for pair in pads for p in pair):
        if min(inner.shape[1:]) > max(max(p) for p in pads):
            inner = np.pad(inner, pads, mode="reflect")
        else:
            inner = np.pad(inner, pads, mode="edge")
    return np.asarray(inner, dtype=np.float32)


def read_roles(path: str | Path, roles: tuple[str, ...], bands_option: str | None = None) -> dict[str, Array]:
    """Whole bands by role (for small scenes and chips)."""
    with open_image(path) as ds:
        info = describe(ds, bands_option)
        out: dict[str, Array] = {}
        for r in roles:
            if r in info.roles:
                out[r] = np.asarray(ds.read(info.roles[r] + 1).astype(np.float32), dtype=np.float32)
        return out
