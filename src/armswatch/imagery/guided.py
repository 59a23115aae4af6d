"""Change steered by the analyst: hints and own models applied to image files, tile by tile.

* :func:`train_on_hints` reads a window around each hint (the whole image when it is small), finds the
  hint's region (the after image's segment under it, :mod:`armswatch.imagery.segment`), computes the
  default method and the features of the training pixels there, and fits the forest
  (:mod:`armswatch.imagery.learn`).
* :func:`refine_arrays` runs in the tile workers: the default method, then the forest on its candidate
  pixels and in the reach of the change points (features computed only in blocks that hold them), the
  completion of large change areas (:func:`armswatch.imagery.learn.complete_areas`; not of an area whose
  hull holds a no-change point), then the hint regions' own edits (a change region is added, a no-change
  region cut out). A change area larger than a tile is completed piece by piece (each tile's part in its
  own hull).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasterio.windows import Window

from armswatch.errors import InputError
from armswatch.imagery import forest, learn, pixelfeature, raster, segment
from armswatch.imagery.change import BuiltupParams, ChangeResult, PairStats, builtup_indices, decide, gate
from armswatch.imagery.feature import Array
from armswatch.imagery.forest import Forest
from armswatch.imagery.hints import Hint
from armswatch.imagery.learn import Mask
from armswatch.imagery.segment import HintRegion


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
    regions: tuple[HintRegion, ...] = (), origin: tuple[int, int] = (0, 0), rises: bool = True,
) -> ChangeResult:  # fmt: skip
    """Default method, forest refinement and the hint regions' edits on two NaN-free arrays (a window whose
    top-left pixel is ``origin`` on the grid of the regions). Features are computed only around the
    candidate pixels the forest decides on (and, for a forest trained on hints, ``rises`` False, in the
    hulls of the large change areas it completes)."""
    indices = builtup_indices(a, b, params, px, norm)
    diff = gate(*indices, a, b, params, norm.scale[1])
    base = decide(diff, params, px)
    pos, neg = segment.paint(regions, base.mask.shape, origin)
    reach = segment.reach_candidates(
        segment.paint_reach(regions, base.mask.shape, origin), a, b, norm.scale, px
    )

    def features_of(select: Mask) -> Any:
        return pixelfeature.features_at(a, b, select, px, params=params, norm=norm, indices=indices)

    complete = (0.0, 0.0) if rises else (learn.COMPLETE_AREA_M2, learn.COMPLETE_MIN_PROB)
    veto = segment.paint_points(regions, base.mask.shape, origin)
    res = learn.refine(features_of, model, diff, base.mask, px, params, extra=pos | reach, rises=rises,
                       complete=complete, veto=veto)  # fmt: skip
    if regions:
        return ChangeResult(learn.apply_regions(res.mask, pos, neg, px, params), res.score, diff)
    return res


def window_regions(regions: tuple[HintRegion, ...], w: Window) -> tuple[HintRegion, ...]:
    """The regions that reach into window ``w``."""
    r0, c0 = int(w.row_off), int(w.col_off)
    r1, c1 = r0 + int(w.height), c0 + int(w.width)
    return tuple(
        g for g in regions
        if g.row < r1 and g.row + g.mask.shape[0] > r0 and g.col < c1 and g.col + g.mask.shape[1] > c0
    )  # fmt: skip


def _windows(info: raster.ImageInfo, hints: tuple[Hint, ...], px: float, whole: bool) -> list[Window]:
    if whole:
        return [Window(0, 0, info.width, info.height)]
    half = segment.window_half(px)
    out = []
    for h in hints:
        r0, c0 = max(0, int(h.row) - half), max(0, int(h.col) - half)
        r1, c1 = min(info.height, int(h.row) + half + 1), min(info.width, int(h.col) + half + 1)
        out.append(Window(c0, r0, c1 - c0, r1 - r0))
    return out


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
    model: Forest | None = None,
) -> tuple[Forest, tuple[HintRegion, ...]]:
    """The hints' regions (each hint's segment, in a window around it or on the whole image when
    ``whole``, plus the reach of each change point) and the forest fitted on them plus pseudo-labels
    from the default in the same windows (with ``model``, that model instead of a new fit, and no
    reach)."""
    wins = _windows(infos[0], hints, px, whole)
    with raster.open_image(paths[0]) as da, raster.open_image(paths[1]) as db:
        pairs = [(w, np.nan_to_num(raster.read_visible(da, infos[0], w)),
                  np.nan_to_num(raster.read_visible(db, infos[1], w))) for w in wins]  # fmt: skip
    regions: list[HintRegion] = []
    for k, (w, _, b) in enumerate(pairs):
        mine = hints if whole else (hints[k],)
        regions.extend(
            segment.hint_regions(b, norm.scale[1], mine, px, origin=(int(w.row_off), int(w.col_off)))
        )
    if model is None:  # an own model decides on its own candidates only
        regions.extend(segment.reach_regions(hints, px, (infos[0].height, infos[0].width)))
        regions.extend(segment.point_regions(hints))
    found = tuple(regions)
    if model is not None:
        return model, found
    xs: list[Any] = []
    ys: list[Any] = []
    ws: list[Any] = []
    with_nir = False
    for k, (w, a, b) in enumerate(pairs):
        with_nir = a.shape[0] >= 4 and b.shape[0] >= 4
        indices = builtup_indices(a, b, params, px, norm)
        diff = gate(*indices, a, b, params, norm.scale[1])
        base = decide(diff, params, px).mask
        pos, neg = segment.paint(window_regions(found, w), base.shape, (int(w.row_off), int(w.col_off)))
        select, y, weight = learn.hint_selection(
            pos, neg, base, learn.candidates(diff, base, px, rises=False), seed=seed + k
        )
        xs.append(pixelfeature.features_at(a, b, select, px, params=params, norm=norm, indices=indices))
        ys.append(y)
        ws.append(weight)
    y_all = np.concatenate(ys)
    if len(np.unique(y_all)) < 2:
        raise InputError("the hints and the default method's result give only one class to learn from")
    model = forest.fit(np.concatenate(xs), y_all, pixelfeature.names(with_nir), seed=seed,
                       sample_weight=np.concatenate(ws))  # fmt: skip
    return model, found
