"""Land mask that knows inland water: is a position on land, at least a margin away from any water?

The bundled mask (``data/landmask_1min.npz``, built by :mod:`armswatch.maritime.landmask_build`
from GSHHG 2.3.7 full resolution shorelines with all lake levels and the WDBII rivers and canals,
via GMT) is a 1-arcminute grid of *inland* cells: cells with no water in them or in any of their
eight neighbours at 30-arcsecond resolution, where water is the sea, lakes, river-lakes and ponds
(GSHHG levels 2 and 4, islands in lakes are land) and every WDBII river and canal line. A position
in such a cell is at least one cell from the nearest water: 1.85 km north–south, and
1.85 km × cos(latitude) east–west (≥ 0.9 km below 60°). Harbour basins, docks and canals narrower
than the shoreline data are covered by that margin; a GSHHG shoreline is accurate to a few hundred
metres at full resolution.

Storage: 1° tiles, each all-water/near-water, all-inland, or a packed 60×60 bit tile; the lookup is
vectorised (one gather per position). GSHHG is © the GMT team / P. Wessel & W. H. F. Smith,
LGPL-3.0-or-later; the derived mask is distributed under the same licence
(``data/LANDMASK-LGPL-3.txt``, ``data/SOURCE.txt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

CELLS_PER_DEG = 60  # 1 arcminute
TILE = CELLS_PER_DEG  # cells per tile side (1° tiles)
WATER, INLAND, MIXED = 0, 1, 2
MASK_FILE = "data/landmask_1min.npz"


@dataclass(frozen=True)
class LandMask:
    """Tiled bitmask of inland cells (see module docstring)."""

    tile_state: npt.NDArray[np.uint8]  # (180, 360): WATER, INLAND or MIXED
    tile_index: npt.NDArray[np.int32]  # (180, 360): row of ``bits`` for MIXED tiles
    bits: npt.NDArray[np.uint8]  # (n_mixed, TILE * TILE / 8): packed, row-major, south row first

    def inland(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """True where a position lies in an inland cell (False for water, near water, NaN)."""
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        ok = np.isfinite(la) & np.isfinite(lo)
        iy = np.clip(np.floor((np.where(ok, la, 0.0) + 90.0) * CELLS_PER_DEG), 0, 180 * CELLS_PER_DEG - 1)
        ix = np.floor((np.where(ok, lo, 0.0) + 180.0) * CELLS_PER_DEG) % (360 * CELLS_PER_DEG)
        iy, ix = iy.astype(np.int64), ix.astype(np.int64)
        ty, tx = iy // TILE, ix // TILE
        state = self.tile_state[ty, tx]
        out = state == INLAND
        mixed = np.flatnonzero(state == MIXED)
        if mixed.size:
            k = self.tile_index[ty[mixed], tx[mixed]]
            bit = (iy[mixed] % TILE) * TILE + (ix[mixed] % TILE)
            byte = self.bits[k, bit >> 3]
            out[mixed] = ((byte >> (7 - (bit & 7))) & 1).astype(bool)
        result: npt.NDArray[np.bool_] = out & ok
        return result

    @classmethod
    def from_cells(cls, inland: npt.NDArray[np.bool_]) -> LandMask:
        """Tile a (180·60, 360·60) boolean grid of inland cells (row 0 = the southernmost row)."""
        ny, nx = 180, 360
        tiles = inland.reshape(ny, TILE, nx, TILE).transpose(0, 2, 1, 3)
        count = tiles.sum(axis=(2, 3))
        state = np.where(count == 0, WATER, np.where(count == TILE * TILE, INLAND, MIXED)).astype(np.uint8)
        idx = np.full((ny, nx), -1, dtype=np.int32)
        ys, xs = np.nonzero(state == MIXED)
        idx[ys, xs] = np.arange(ys.size, dtype=np.int32)
        bits = np.packbits(tiles[ys, xs].reshape(ys.size, TILE * TILE), axis=1)
        return cls(state, idx, bits)


@lru_cache(maxsize=1)
def bundled() -> LandMask | None:
    """The bundled mask, or None when the data file is missing (callers report "unknown")."""
    ref = resources.files("armswatch.maritime").joinpath(MASK_FILE)
    try:
        with resources.as_file(ref) as path, np.load(path) as data:
            return LandMask(
                data["tile_state"].astype(np.uint8),
                data["tile_index"].astype(np.int32),
                data["bits"].astype(np.uint8),
            )
    except (OSError, KeyError, ValueError):
        return None


def inland(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Positions on land at least the mask's margin from any water (all False without the mask)."""
    mask = bundled()
    if mask is None:
        return np.zeros(np.asarray(lat).shape, dtype=bool)
    return mask.inland(lat, lon)
