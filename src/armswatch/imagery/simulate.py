"""SIMULATED imagery for the demo: a textured landscape where buildings appear over time.

Nothing here is real imagery. Scenes are 4-band (red, green, blue, NIR) surface reflectance × 10000 as
uint16, with seasonal colour/brightness differences, a sub-pixel misregistration and, optionally, a cloud,
so that the demo exercises masking, co-registration and the illumination-robust change method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

Box = tuple[int, int, int, int]  # row, col, height, width in pixels


@dataclass(frozen=True)
class SimScene:
    date: str
    gain: float
    cast: tuple[float, float, float]
    shift: tuple[float, float]
    buildings: tuple[Box, ...]
    cloud: tuple[int, int, int] | None = None  # row, col, radius


def landscape(size: int, seed: int) -> npt.NDArray[np.float32]:
    """Reflectance (4, size, size): fields, tree clumps and a road."""
    rng = np.random.default_rng(seed)
    field = ndi.gaussian_filter(rng.normal(size=(size, size)), size / 60)
    field = (field - field.mean()) / (field.std() + 1e-9)
    r = 0.080 + 0.015 * field
    g = 0.095 + 0.015 * field
    b = 0.055 + 0.008 * field
    nir = 0.280 + 0.040 * field
    img = (np.stack([r, g, b, nir]) + rng.normal(0, 0.003, (4, size, size))).astype(np.float32)
    trees = ndi.gaussian_filter(rng.random((size, size)), 3) > 0.54
    img[:, trees] *= np.array([0.6, 0.75, 0.6, 1.1])[:, None]
    road = np.abs(np.arange(size)[:, None] - (0.3 * size + 0.2 * np.arange(size)[None, :])) < 4
    img[:, road] = np.array([0.12, 0.12, 0.115, 0.16])[:, None]
    return np.clip(img, 0, 1).astype(np.float32)


def with_buildings(
    img: npt.NDArray[np.float32], boxes: tuple[Box, ...], shadow: int = 3
) -> npt.NDArray[np.float32]:
    out = img.copy()
    for r, c, h, w in boxes:
        out[:, r + h : r + h + shadow, c + shadow : c + w + shadow] *= 0.4
        out[:, r : r + h, c + w : c + w + shadow] *= 0.4
        out[:, r : r + h, c : c + w] = np.array([0.16, 0.16, 0.155, 0.19], dtype=np.float32)[:, None, None]
        out[:, r + h // 2, c : c + w] = np.array([0.13, 0.13, 0.125, 0.16], dtype=np.float32)[:, None]
    return out


def render(base: npt.NDArray[np.float32], scene: SimScene, seed: int) -> npt.NDArray[np.uint16]:
    """One dated scene as uint16 reflectance × 10000."""
    img = with_buildings(base, scene.buildings)
    img = img * np.float32(scene.gain) * np.array([*scene.cast, 1.0], dtype=np.float32)[:, None, None]
    img = np.stack([ndi.shift(b, scene.shift, order=1, mode="nearest") for b in img])
    rng = np.random.default_rng(seed)
    img = (img + rng.normal(0, 0.002, img.shape)).astype(np.float32)
    if scene.cloud is not None:
        r0, c0, rad = scene.cloud
        yy, xx = np.mgrid[: img.shape[1], : img.shape[2]]
        blob = ndi.gaussian_filter(((yy - r0) ** 2 + (xx - c0) ** 2 < rad**2).astype(np.float32), rad / 4)
        img = img * (1 - blob) + blob * np.array([0.55, 0.56, 0.58, 0.6])[:, None, None]
    return np.asarray(np.clip(img * 10000, 0, 65535).astype(np.uint16))


DEMO_SERIES = (
    SimScene("2024-03-02", 0.95, (1.05, 1.0, 0.95), (0.0, 0.0), ((300, 420, 18, 30),)),
    SimScene("2024-06-15", 1.10, (0.95, 1.05, 1.0), (0.6, -0.4),
             ((300, 420, 18, 30), (520, 300, 10, 16), (520, 330, 10, 16)), cloud=(120, 760, 50)),
    SimScene("2024-10-11", 1.00, (1.0, 1.0, 1.05), (-0.5, 0.3),
             ((300, 420, 18, 30), (520, 300, 10, 16), (520, 330, 10, 16), (600, 560, 22, 38),
              (560, 620, 14, 20), (540, 300, 10, 16))),
)  # fmt: skip
"""Demo timeline: new assembly hall and worker housing appear between March and October (SIMULATED)."""
