"""Change steered by the analyst: hints and own models applied to image files, tile by tile.

* :func:`train_on_hints` reads a window around each hint (the whole image when it is small), computes the
  default method and the per-pixel features there, and fits the forest (:mod:`armswatch.imagery.learn`).
* :func:`refine_tile` runs in the tile workers: the default method, then the forest on its candidate
  pixels, then the hints' own object edits (a no-change point removes its object, a change point adds
  its candidate region).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasterio.windows import Window

from armswatch.errors import InputError
from armswatch.imagery import forest, learn, pixelfeature, raster
from armswatch.imagery.change import BuiltupParams, ChangeResult, PairStats, decide, gated_difference
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import Forest
from armswatch.imagery.hints import Hint

HINT_WINDOW = 256


def check_model(model: Forest, with_nir: bool) -> None:
    """A model is refused by images whose feature set differs (e.g. trained with NIR, used on RGB)."""
    want = pixelfeature.names(with_nir)
    if tuple(model.feature_names) != want:
        extra = "with" if len(model.feature_names) > len(want) else "without"
        raise InputError(
            f"the model was trained on images {extra} a NIR band ({len(model.feature_names)} features); "
            f"these images give {len(want)}"
        )


def refine_arrays(
    a: Array, b: Array, px: float, params: BuiltupParams, norm: PairStats, model: Forest,
    hints: tuple[Hint, ...] = (),
) -> ChangeResult:  # fmt: skip
    """Default method, forest refinement and hint edits on two NaN-free arrays."""
    diff = gated_difference(a, b, params, px, norm)
    base = decide(diff, params, px)
    feats = pixelfeature.pair_features(a, b, px, params=params, norm=norm)
    res = learn.refine(feats, model, diff, base.mask, px, params)
    if hints:
        return ChangeResult(learn.apply_hints(res.mask, diff, hints, px), res.score, diff)
    return res


def window_hints(hints: tuple[Hint, ...], w: Window) -> tuple[Hint, ...]:
    c0, r0 = float(w.col_off), float(w.row_off)
    inside = [h for h in hints if c0 <= h.col < c0 + w.width and r0 <= h.row < r0 + w.height]
    return tuple(Hint(h.col - c0, h.row - r0, h.change) for h in inside)


def train_on_hints(
    paths: tuple[str, str],
    infos: tuple[raster.ImageInfo, raster.ImageInfo],
    params: BuiltupParams,
    px: float,
    norm: PairStats,
    hints: tuple[Hint, ...],
    *,
    whole: bool,
    seed: int = 0,
) -> Forest:
    """Fit the forest on the hints (windows around them, or the whole image when ``whole``)."""
    info = infos[0]
    if whole:
        wins = [Window(0, 0, info.width, info.height)]
    else:
        half = HINT_WINDOW // 2
        wins = [Window(int(h.col) - half, int(h.row) - half, HINT_WINDOW, HINT_WINDOW) for h in hints]
    xs: list[Any] = []
    ys: list[Any] = []
    ws: list[Any] = []
    with_nir = False
    with raster.open_image(paths[0]) as da, raster.open_image(paths[1]) as db:
        for k, w in enumerate(wins):
            a = raster.read_visible(da, infos[0], None if whole else w)
            b = raster.read_visible(db, infos[1], None if whole else w)
            a, b = np.nan_to_num(a), np.nan_to_num(b)
            with_nir = a.shape[0] >= 4 and b.shape[0] >= 4
            diff = gated_difference(a, b, params, px, norm)
            base = decide(diff, params, px).mask
            feats = pixelfeature.pair_features(a, b, px, params=params, norm=norm)
            local = window_hints(hints, w) if not whole else hints
            smp = learn.hint_samples(feats, diff, base, local, px, seed=seed + k)
            xs.append(smp.x)
            ys.append(smp.y)
            ws.append(smp.w)
    y = np.concatenate(ys)
    if len(np.unique(y)) < 2:
        raise InputError("the hints and the default method's result give only one class to learn from")
    return forest.fit(np.concatenate(xs), y, pixelfeature.names(with_nir), seed=seed,
                      sample_weight=np.concatenate(ws))  # fmt: skip
