"""Tiled change detection between two image files with bounded memory.

Both files are read window by window (with an overlap halo so tile seams do not show), the core method
runs on each tile in a small thread pool, and the interior of each tile is written to the output. The
per-image normalisation statistics come from the whole image when it is small, else from a sample of
tiles spread over the scene. Peak memory is a few tiles, independent of the scene size, except for PNG
output (GDAL's PNG driver cannot write windows, so the uint8 mask is assembled in memory: 1 byte/pixel).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import tempfile
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.windows import Window

from armswatch.errors import InputError
from armswatch.imagery import baseline, cloudmask, feature, footprint, guided, raster
from armswatch.imagery.change import (
    BuiltupParams,
    PairStats,
    decide,
    gated_difference,
    halo_pixels,
    image_scale,
    pixel_params,
)
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import Forest
from armswatch.imagery.hints import read_hints
from armswatch.imagery.segment import HintRegion
from armswatch.io.atomic import write_text_atomic
from armswatch.progress import NO_PROGRESS, Progress, steps

METHODS = ("builtup", "cva", "pca-kmeans")
TILE = 1024


@dataclass(frozen=True)
class ChangeRun:
    """Outcome of a file-level change run."""

    method: str
    width: int
    height: int
    pixel_size_m: float
    georeferenced: bool
    changed_pixels: int
    tiles: int
    crs: str | None
    transform: tuple[float, ...] | None
    objects: int | None = None
    usable_pixels: int | None = None
    cloud_mask: str | None = None
    hints: str | None = None

    @property
    def changed_fraction(self) -> float:
        return self.changed_pixels / max(1, self.width * self.height)

    @property
    def usable_fraction(self) -> float | None:
        """Share of pixels usable on both dates (None when cloud masking was off)."""
        return None if self.usable_pixels is None else self.usable_pixels / max(1, self.width * self.height)


def windows(width: int, height: int, tile: int) -> Iterator[Window]:
    """Tile windows covering the image row by row."""
    for r in range(0, height, tile):
        for c in range(0, width, tile):
            yield Window(c, r, min(tile, width - c), min(tile, height - r))


def _grow(w: Window, halo: int) -> Window:
    return Window(w.col_off - halo, w.row_off - halo, w.width + 2 * halo, w.height + 2 * halo)


def _same_grid(a: raster.ImageInfo, b: raster.ImageInfo) -> bool:
    if (a.width, a.height) != (b.width, b.height):
        return False
    if a.georeferenced and b.georeferenced:
        assert a.transform is not None and b.transform is not None
        px = abs(a.transform[0])
        return a.crs == b.crs and all(
            abs(x - y) <= 0.01 * px for x, y in zip(a.transform, b.transform, strict=True)
        )
    return True


def align_to(before: raster.ImageInfo, after: raster.ImageInfo, folder: Path) -> str:
    """A VRT of AFTER warped (bilinear) onto BEFORE's grid, so tiles can still be read by window. Pixels
    outside AFTER are nodata (0 for integer images without a declared nodata), never change."""
    import rasterio.shutil
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    if not (before.georeferenced and after.georeferenced):
        raise InputError(
            f"after image is {after.width}x{after.height} but before is {before.width}x{before.height} and they "
            "are not both georeferenced, so they cannot be aligned; resample them to one grid first",
            path=after.path,
        )
    assert before.transform is not None
    target = folder / "after_on_before_grid.vrt"
    with rasterio.open(after.path) as src, WarpedVRT(
        src, crs=before.crs, transform=rasterio.Affine(*before.transform), width=before.width,
        height=before.height, resampling=Resampling.bilinear,
        nodata=src.nodata if src.nodata is not None else (np.nan if src.dtypes[0].startswith("float") else 0),
    ) as vrt:  # fmt: skip
        rasterio.shutil.copy(vrt, target, driver="VRT")
    return str(target)


def sample_stats(
    paths: tuple[str, str],
    infos: tuple[raster.ImageInfo, raster.ImageInfo],
    params: BuiltupParams,
    px: float,
    clouds: tuple[cloudmask.Masker | None, cloudmask.Masker | None] = (None, None),
) -> PairStats:
    """Normalisation statistics of both images from up to 3×3 tiles spread over the scene."""
    info = infos[0]
    sizes = pixel_params(params, px)[0]
    n = 3 if info.width * info.height > (2 * TILE) ** 2 else 1
    tile = min(TILE // 2, info.width, info.height) if n > 1 else max(info.width, info.height)
    offs_c = np.linspace(0, max(0, info.width - tile), n).astype(int)
    offs_r = np.linspace(0, max(0, info.height - tile), n).astype(int)
    scales: list[float] = []
    stats: list[feature.FeatureStats] = []
    for p, inf, masker in zip(paths, infos, clouds, strict=True):
        with raster.open_image(p) as ds:
            wins = [Window(int(c), int(r), tile, tile) if n > 1 else None for r in offs_r for c in offs_c]
            tiles = [raster.read_visible(ds, inf, w) for w in wins]
            if masker is not None:
                for t, w in zip(tiles, wins, strict=True):
                    t[:, ~masker.usable(ds, t, w, px)] = np.nan
        valid = [np.isfinite(t).all(axis=0) for t in tiles]
        scale = image_scale(np.concatenate([t.reshape(t.shape[0], -1) for t in tiles], axis=1)[:, None, :])
        neutral, bindex = [], []
        for t, v in zip(tiles, valid, strict=True):
            nt, bt = feature.raw_features(np.nan_to_num(t, nan=0.0), sizes, scale)
            neutral.append(nt[v])
            bindex.append(bt[v])
        scales.append(scale)
        stats.append(feature.stats_of(np.concatenate(neutral), np.concatenate(bindex)))
    return PairStats((scales[0], scales[1]), (stats[0], stats[1]))


_OPEN: dict[str, Any] = {}


def _dataset(path: str) -> Any:
    """Per-process cache of open datasets (rasterio handles cannot be shared between threads/processes)."""
    ds = _OPEN.get(path)
    if ds is None or ds.closed:
        ds = _OPEN[path] = rasterio.open(path)
    return ds


def _close_all() -> None:
    for ds in _OPEN.values():
        ds.close()
    _OPEN.clear()


@dataclass(frozen=True)
class _Job:
    paths: tuple[str, str]
    infos: tuple[raster.ImageInfo, raster.ImageInfo]
    halo: int
    method: str
    params: BuiltupParams
    px: float
    norm: PairStats | None
    want_score: bool
    want_sign: bool
    clouds: tuple[cloudmask.Masker | None, cloudmask.Masker | None] = (None, None)
    model: Forest | None = None
    regions: tuple[HintRegion, ...] = ()
    hint_model: bool = False


def _work(
    job: _Job, w: Window
) -> tuple[Window, np.ndarray[Any, Any], Array | None, np.ndarray[Any, Any] | None, int]:
    """Process one tile: read with halo, mask clouds, detect, return the interior (in a worker process)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        grown = _grow(w, job.halo) if job.halo else w
        a = raster.read_visible(_dataset(job.paths[0]), job.infos[0], grown)
        b = raster.read_visible(_dataset(job.paths[1]), job.infos[1], grown)
        for img, masker, path in zip((a, b), job.clouds, job.paths, strict=True):
            if masker is not None:
                img[:, ~masker.usable(_dataset(path), img, grown, job.px)] = np.nan
    usable = np.asarray(np.isfinite(a).all(axis=0) & np.isfinite(b).all(axis=0))
    regions = guided.window_regions(job.regions, grown) if job.regions else ()
    origin = (int(grown.row_off), int(grown.col_off))
    mask, score, sign = _tile_result(
        a, b, job.method, job.params, job.px, job.norm, job.model, regions, origin, job.hint_model
    )
    h = job.halo
    inner = (slice(h, h + int(w.height)), slice(h, h + int(w.width)))
    return (
        w,
        (mask[inner] * np.uint8(255)).astype(np.uint8),
        score[inner] if job.want_score else None,
        sign[inner] if job.want_sign else None,
        int(usable[inner].sum()),
    )


def _init_worker() -> None:
    os.environ.setdefault("GDAL_CACHEMAX", "128")


def fill_gaps(a: Array, b: Array) -> None:
    """Fill unusable (NaN) pixels in place: with the other date's value where it has one (so a gap is never
    a difference and its outline never an edge), else with the band median of the tile (0 if none)."""
    for x, y in ((a, b), (b, a)):
        bad = np.isnan(x)
        if bad.any():
            x[bad] = y[bad]
    for x in (a, b):
        for k in range(x.shape[0]):
            bad = np.isnan(x[k])
            if bad.any():
                ok = x[k][~bad]
                x[k][bad] = np.float32(np.median(ok)) if ok.size else np.float32(0.0)


def _tile_result(
    a: Array,
    b: Array,
    method: str,
    params: BuiltupParams,
    px: float,
    norm: PairStats | None,
    model: Forest | None = None,
    regions: tuple[HintRegion, ...] = (),
    origin: tuple[int, int] = (0, 0),
    hint_model: bool = False,
) -> tuple[np.ndarray[Any, np.dtype[np.bool_]], Array, np.ndarray[Any, np.dtype[np.int8]]]:
    valid = ~(np.isnan(a).any(axis=0) | np.isnan(b).any(axis=0))
    fill_gaps(a, b)
    if method == "builtup":
        assert norm is not None
        res = (
            guided.refine_arrays(a, b, px, params, norm, model, regions, origin, rises=not hint_model)
            if model is not None
            else decide(gated_difference(a, b, params, px, norm), params, px)
        )
        mask, score = res.mask, res.score
        sign = np.sign(res.difference).astype(np.int8)
    elif method == "cva":
        mask, score = baseline.cva(a[:3], b[:3])
        sign = np.zeros(mask.shape, dtype=np.int8)
    else:
        mask, score = baseline.pca_kmeans(a[:3], b[:3])
        sign = np.zeros(mask.shape, dtype=np.int8)
    return mask & valid, np.where(valid, score, np.float32(0)).astype(np.float32), sign


def _profile(info: raster.ImageInfo, dtype: str, driver: str) -> dict[str, Any]:
    prof: dict[str, Any] = {
        "driver": driver,
        "width": info.width,
        "height": info.height,
        "count": 1,
        "dtype": dtype,
    }
    if driver == "GTiff":
        prof.update(tiled=True, blockxsize=256, blockysize=256, compress="deflate", BIGTIFF="IF_SAFER")
    if info.georeferenced and info.transform is not None:
        prof.update(crs=info.crs, transform=rasterio.Affine(*info.transform))
    return prof


def _driver(path: str) -> str:
    ext = Path(path).suffix.lower()
    if ext in (".tif", ".tiff"):
        return "GTiff"
    if ext == ".png":
        return "PNG"
    raise InputError("output must end in .tif, .tiff or .png", path=path)


def run_change(*args: Any, **kwargs: Any) -> ChangeRun:
    """Detect change between two files; see :func:`_run_change`. PNG/JPEG inputs and outputs have no
    georeferencing, which is expected here, so rasterio's warning about it is silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.Env(GDAL_CACHEMAX=256):
            return _run_change(*args, **kwargs)


def _run_change(
    before: str,
    after: str,
    out: str,
    *,
    probability: str | None = None,
    method: str = "builtup",
    params: BuiltupParams | None = None,
    pixel_size_m: float | None = None,
    bands: str | None = None,
    footprints: str | None = None,
    min_area_m2: float | None = None,
    tile: int = TILE,
    workers: int = 2,
    cloud_mask: bool = True,
    hints: Path | None = None,
    model: Forest | None = None,
    strict_hints: bool = False,
    progress: Progress = NO_PROGRESS,
) -> ChangeRun:
    """Detect change between two files and write the 0/255 mask (and optionally the 0..1 score).
    With ``cloud_mask`` each date's cloud, haze and cloud-shadow pixels (see :mod:`armswatch.imagery.quality`)
    are left out: they are never change, and the usable share is reported."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    params = params or BuiltupParams()
    infos = (raster.image_info(before, bands), raster.image_info(after, bands))
    aligned = None
    try:
        if not _same_grid(*infos):
            aligned = tempfile.TemporaryDirectory(prefix="armswatch-align-")
            after = align_to(infos[0], infos[1], Path(aligned.name))
            infos = (infos[0], raster.image_info(after, bands))
        return _detect_files(
            before,
            after,
            infos,
            out,
            probability,
            method,
            params,
            pixel_size_m,
            footprints,
            min_area_m2,
            tile,
            workers,
            cloud_mask,
            hints,
            model,
            strict_hints,
            progress,
        )
    finally:
        if aligned is not None:
            aligned.cleanup()


def _detect_files(
    before: str,
    after: str,
    infos: tuple[raster.ImageInfo, raster.ImageInfo],
    out: str,
    probability: str | None,
    method: str,
    params: BuiltupParams,
    pixel_size_m: float | None,
    footprints: str | None,
    min_area_m2: float | None,
    tile: int,
    workers: int,
    cloud_mask: bool = True,
    hints_path: Path | None = None,
    model: Forest | None = None,
    strict_hints: bool = False,
    progress: Progress = NO_PROGRESS,
) -> ChangeRun:
    info = infos[0]
    clouds = (cloudmask.masker(infos[0]), cloudmask.masker(infos[1])) if cloud_mask else (None, None)
    px = raster.pixel_size(info, pixel_size_m)
    whole = method != "builtup" or info.width * info.height <= (2 * tile) ** 2
    tile_size = max(info.width, info.height) if whole else tile
    halo = 0 if whole else halo_pixels(params, px)
    norm = sample_stats((before, after), infos, params, px, clouds) if method == "builtup" else None
    hint_set = None
    regions: tuple[HintRegion, ...] = ()
    if (hints_path is not None or model is not None) and method != "builtup":
        raise InputError("--hints and --model refine the default method; use --method builtup")
    if model is not None:
        guided.check_model(model, "nir" in info.roles and "nir" in infos[1].roles)
    hint_model = hints_path is not None and model is None
    if hints_path is not None:
        assert norm is not None
        progress.phase("learning from the hints", None)
        hint_set = read_hints(hints_path, width=info.width, height=info.height, to_pixel=_to_pixel(info),
                              strict=strict_hints)  # fmt: skip
        model, regions = guided.train_on_hints(
            (before, after), infos, params, px, norm, hint_set.hints, whole=whole, model=model
        )
    drv = _driver(out)
    prob_drv = _driver(probability) if probability else None
    in_memory: dict[str, np.ndarray[Any, Any]] = {}
    if drv == "PNG" or footprints:
        in_memory["mask"] = np.zeros((info.height, info.width), dtype=np.uint8)
    if prob_drv == "PNG":
        in_memory["prob"] = np.zeros((info.height, info.width), dtype=np.uint8)
    if footprints:
        in_memory["sign"] = np.zeros((info.height, info.width), dtype=np.int8)
        in_memory["score8"] = np.zeros((info.height, info.width), dtype=np.uint8)
    sinks: dict[str, Any] = {}
    if drv == "GTiff":
        sinks["mask"] = rasterio.open(out, "w", **_profile(info, "uint8", "GTiff"))
    if probability and prob_drv == "GTiff":
        sinks["prob"] = rasterio.open(probability, "w", **_profile(info, "float32", "GTiff"))
    tiles = list(windows(info.width, info.height, tile_size))
    job = _Job(
        (before, after), infos, halo, method, params, px, norm,
        want_score=bool(probability) or bool(footprints), want_sign=bool(footprints), clouds=clouds,
        model=model, regions=regions, hint_model=hint_model,
    )  # fmt: skip
    changed = usable_px = 0
    n_workers = max(1, min(workers, len(tiles)))
    pool: ProcessPoolExecutor | None = None
    try:
        if n_workers > 1:
            ctx = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_init_worker)
            results: Iterator[Any] = pool.map(_work, [job] * len(tiles), tiles, chunksize=1)
        else:
            results = (_work(job, w) for w in tiles)
        for w, m8, sc, sg, n_ok in steps(progress, "tiles", results, total=len(tiles)):
            changed += int(np.count_nonzero(m8))
            usable_px += n_ok
            r0, c0 = int(w.row_off), int(w.col_off)
            sl = (slice(r0, r0 + int(w.height)), slice(c0, c0 + int(w.width)))
            if "mask" in sinks:
                sinks["mask"].write(m8, 1, window=w)
            if "mask" in in_memory:
                in_memory["mask"][sl] = m8
            if sc is not None and "prob" in sinks:
                sinks["prob"].write(sc, 1, window=w)
            elif sc is not None and "prob" in in_memory:
                in_memory["prob"][sl] = np.round(sc * 255).astype(np.uint8)
            if sg is not None and sc is not None:
                in_memory["sign"][sl] = sg
                in_memory["score8"][sl] = np.round(sc * 255).astype(np.uint8)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _close_all()
        for s in sinks.values():
            s.close()
    for key, path in (("mask", out), ("prob", probability)):
        if key in in_memory and path and _driver(path) == "PNG":
            with rasterio.open(path, "w", **_profile(info, "uint8", "PNG")) as dst:
                dst.write(in_memory[key], 1)
    objects = None
    if footprints:
        found = footprint.extract(
            in_memory["mask"] > 0,
            transform=info.transform,
            crs=info.crs,
            sign=in_memory["sign"],
            score=in_memory["score8"],
            score_scale=255.0,
            min_area_m2=params.min_area_m2 if min_area_m2 is None else min_area_m2,
            pixel_size_m=px,
        )
        write_text_atomic(Path(footprints), json.dumps(footprint.feature_collection(found)) + "\n")
        objects = len(found)
    return ChangeRun(
        method,
        info.width,
        info.height,
        px,
        info.georeferenced,
        changed,
        len(tiles),
        info.crs,
        info.transform,
        objects,
        usable_px if cloud_mask else None,
        " / ".join(sorted({c.method for c in clouds if c is not None})) if cloud_mask else None,
        hint_set.summary() if hint_set else None,
    )


def _to_pixel(info: raster.ImageInfo) -> Any:
    """(lon, lat) -> (col, row) for a georeferenced image, else None."""
    if not info.georeferenced or info.transform is None:
        return None
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", info.crs, always_xy=True)
    inv = ~rasterio.Affine(*info.transform[:6])

    def convert(lon: Any, lat: Any) -> tuple[Any, Any]:
        x, y = (np.asarray(v, dtype=np.float64) for v in tr.transform(lon, lat))
        return inv.a * x + inv.b * y + inv.c, inv.d * x + inv.e * y + inv.f

    return convert


def tile_count(width: int, height: int, tile: int = TILE) -> int:
    """Number of tiles a scene is cut into."""
    return math.ceil(width / tile) * math.ceil(height / tile)
