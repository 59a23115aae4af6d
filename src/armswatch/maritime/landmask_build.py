"""Rebuild the bundled land mask (``data/landmask_1min.npz``) from GSHHG + WDBII with GMT.

Needs the Debian packages ``gmt`` and ``gmt-gshhg-full`` (GSHHG 2.3.7) and about 3 GB of memory;
the shoreline rasterisation takes several CPU-minutes::

    apt-get install gmt gmt-gshhg-full
    python -m armswatch.maritime.landmask_build WORKDIR

Steps: ``gmt grdlandmask -Rd -I30s -r -Df -N0/1/0/1/0`` (30-arcsecond cells; ocean, lakes and ponds
0, land and islands in lakes 1), ``gmt coast -Rd -Df -Ia -M`` (every WDBII river and canal line),
which is burnt in as water (points every 0.002°); then 2×2 blocks with any water are water at
1 arcminute, water is dilated by one cell (3×3, wrapping in longitude) and the rest is *inland*.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from armswatch.maritime.landmask import CELLS_PER_DEG, LandMask

FINE = 120  # 30-arcsecond cells per degree
GMT_HEADER = 892  # bytes before the data of a GMT native binary grid


def shoreline_grid(work: Path) -> npt.NDArray[np.uint8]:
    """(180·120, 360·120) grid, row 0 = southernmost: 1 land, 0 water (GSHHG levels 1–4)."""
    nc = work / "land30s.nc"
    raw = work / "land30s.bin"
    if not nc.exists():
        subprocess.run(
            ["gmt", "grdlandmask", "-Rd", "-I30s", "-r", "-Df", "-N0/1/0/1/0", f"-G{nc}=nb"], check=True
        )
    subprocess.run(["gmt", "grdconvert", str(nc), f"-G{raw}=bb"], check=True)
    data = np.fromfile(raw, dtype=np.uint8, offset=GMT_HEADER)
    grid = data.reshape(180 * FINE, 360 * FINE)[::-1]  # GMT stores the northern row first
    return np.ascontiguousarray(grid)


def river_lines(work: Path) -> list[npt.NDArray[np.float64]]:
    """WDBII river and canal polylines (lon, lat) from ``gmt coast -Ia -M``."""
    txt = work / "rivers.txt"
    if not txt.exists():
        with txt.open("w") as fh:
            subprocess.run(["gmt", "coast", "-Rd", "-Df", "-Ia", "-M"], check=True, stdout=fh)
    lines: list[npt.NDArray[np.float64]] = []
    current: list[tuple[float, float]] = []
    with txt.open() as fh:
        for row in fh:
            if row.startswith(">"):
                if len(current) >= 2:
                    lines.append(np.asarray(current))
                current = []
                continue
            parts = row.split()
            if len(parts) >= 2:
                current.append((float(parts[0]), float(parts[1])))
    if len(current) >= 2:
        lines.append(np.asarray(current))
    return lines


def burn_rivers(
    grid: npt.NDArray[np.uint8], lines: list[npt.NDArray[np.float64]], step: float = 0.002
) -> None:
    """Set the 30-arcsecond cells that river lines pass through to water (in place)."""
    for line in lines:
        seg = np.diff(line, axis=0)
        n = np.maximum(np.ceil(np.abs(seg).max(axis=1) / step).astype(np.int64), 1)
        frac = np.concatenate([np.arange(k) / k for k in n])
        start = np.repeat(line[:-1], n, axis=0)
        pts = start + np.repeat(seg, n, axis=0) * frac[:, None]
        pts = np.vstack([pts, line[-1:]])
        iy = np.clip(np.floor((pts[:, 1] + 90.0) * FINE).astype(np.int64), 0, grid.shape[0] - 1)
        ix = np.floor((pts[:, 0] + 180.0) * FINE).astype(np.int64) % grid.shape[1]
        grid[iy, ix] = 0


def inland_cells(grid: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """1-arcminute inland cells: no water in the cell or its 8 neighbours."""
    f = FINE // CELLS_PER_DEG
    ny, nx = grid.shape[0] // f, grid.shape[1] // f
    water = (grid.reshape(ny, f, nx, f) == 0).any(axis=(1, 3))
    near = water.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0:
                continue
            shifted = np.roll(water, dx, axis=1)  # longitude wraps
            if dy:
                shifted = np.roll(shifted, dy, axis=0)
                edge = 0 if dy > 0 else -1
                shifted[edge, :] = True  # beyond the poles: treat as water (never inland)
            near |= shifted
    inland: npt.NDArray[np.bool_] = ~near
    return inland


def build(work: Path, out: Path) -> LandMask:
    work.mkdir(parents=True, exist_ok=True)
    grid = shoreline_grid(work)
    burn_rivers(grid, river_lines(work))
    mask = LandMask.from_cells(inland_cells(grid))
    np.savez_compressed(out, tile_state=mask.tile_state, tile_index=mask.tile_index, bits=mask.bits)
    return mask


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    work = Path(args[0] if args else "landmask-work")
    out = Path(__file__).with_name("data") / "landmask_1min.npz"
    mask = build(work, out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes, {mask.bits.shape[0]} mixed tiles)")


if __name__ == "__main__":
    main()
