"""Simulated image pairs for imagery tests (generated in code; SIMULATED, not real imagery)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import rasterio
from scipy import ndimage as ndi

Image = npt.NDArray[np.float32]


def terrain(size: int = 192, seed: int = 0) -> Image:
    """Green/brown textured ground with a few tree clumps, 0..255 scale, shape (3, size, size)."""
    rng = np.random.default_rng(seed)
    field = ndi.gaussian_filter(rng.normal(size=(size, size)), 6)
    field = (field - field.mean()) / (field.std() + 1e-9)
    r = 95 + 18 * field + rng.normal(0, 4, (size, size))
    g = 120 + 22 * field + rng.normal(0, 4, (size, size))
    b = 70 + 10 * field + rng.normal(0, 4, (size, size))
    img = np.stack([r, g, b]).astype(np.float32)
    trees = ndi.gaussian_filter(rng.random((size, size)), 3) > 0.53
    img[:, trees] *= np.array([0.55, 0.75, 0.55], dtype=np.float32)[:, None]
    return np.clip(img, 0, 255).astype(np.float32)


def add_building(img: Image, row: int, col: int, h: int = 24, w: int = 30, shadow: int = 4) -> Image:
    """A grey roof with a dark shadow strip below/right (sun from the upper left)."""
    out = img.copy()
    out[:, row + h : row + h + shadow, col + shadow : col + w + shadow] *= 0.45
    out[:, row : row + h, col + w : col + w + shadow] *= 0.45
    out[:, row : row + h, col : col + w] = np.array([168, 166, 162], dtype=np.float32)[:, None, None]
    out[:, row + h // 2, col : col + w] = 140.0  # roof ridge
    return out


def building_mask(shape: tuple[int, int], boxes: list[tuple[int, int, int, int]]) -> npt.NDArray[np.bool_]:
    m = np.zeros(shape, dtype=bool)
    for r, c, h, w in boxes:
        m[r : r + h, c : c + w] = True
    return m


BOXES = [(30, 30, 24, 30), (110, 120, 28, 26), (40, 130, 20, 34)]


def construction_pair(size: int = 192, seed: int = 0) -> tuple[Image, Image, npt.NDArray[np.bool_]]:
    """(before, after, truth): three new buildings appear on otherwise identical ground."""
    before = terrain(size, seed)
    after = before.copy()
    for r, c, h, w in BOXES:
        after = add_building(after, r, c, h, w)
    rng = np.random.default_rng(seed + 1)
    after = np.clip(after + rng.normal(0, 3, after.shape), 0, 255).astype(np.float32)
    return before, after, building_mask((size, size), BOXES)


def write_tif(path: Path, img: Image, *, pixel: float = 0.5, crs: str | None = "EPSG:32652") -> Path:
    """Write a (bands, rows, cols) image as uint8 GeoTIFF (georeferenced when ``crs`` is given)."""
    prof: dict[str, object] = dict(
        driver="GTiff", width=img.shape[2], height=img.shape[1], count=img.shape[0], dtype="uint8"
    )
    if crs:
        prof.update(crs=crs, transform=rasterio.Affine(pixel, 0, 500000.0, 0, -pixel, 4300000.0))
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(np.clip(img, 0, 255).astype(np.uint8))
    return path


def write_png(path: Path, img: Image) -> Path:
    from PIL import Image as PILImage

    PILImage.fromarray(np.clip(img, 0, 255).astype(np.uint8).transpose(1, 2, 0)).save(path)
    return path
