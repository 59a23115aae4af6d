"""Per-pixel features of an image pair for the learned change classifier (analyst hints, own models).

Every feature is local (filters of at most ~8 m radius), illumination-robust and computed on arrays:

* the default method's quantities: the built-up index of each date and their gated difference — the classifier starts from what the training-free method knows;
* multiscale colour: R, G, B divided by the image's typical brightness, Gaussian-smoothed at 1 m and 4 m,
  for the after date and as after − before;
* multiscale texture: the local standard deviation of brightness at 1 m and 4 m, both dates;
* greenness (excess green of the after date), darkness (after brightness over the after image's typical
  brightness) and, with a NIR band, NDVI of both dates.

:func:`features_at` computes them only in blocks that hold the pixels asked for (the candidates of a large
scene are usually a small part of it), with the same values as :func:`pair_features`.

Feature names are stored in a model file; a model is refused by an image whose features differ.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.imagery.change import (
    BuiltupParams,
    PairStats,
    builtup_indices,
    gate,
    ndvi,
    pair_stats,
)
from armswatch.imagery.feature import Array

SCALES_M = (1.0, 4.0)

BASE_NAMES = ("index_before", "index_after", "index_difference")
COLOUR_NAMES = tuple(
    f"{kind}_{band}_{int(s)}m" for s in SCALES_M for kind in ("after", "delta") for band in ("r", "g", "b")
)
TEXTURE_NAMES = tuple(f"texture_{d}_{int(s)}m" for s in SCALES_M for d in ("before", "after"))
EXTRA_NAMES = ("greenness_after", "darkness_after")
NIR_NAMES = ("ndvi_before", "ndvi_after")


def names(with_nir: bool) -> tuple[str, ...]:
    """Feature names in the order :func:`pair_features` stacks them."""
    base = (*BASE_NAMES, *COLOUR_NAMES, *TEXTURE_NAMES, *EXTRA_NAMES)
    return (*base, *NIR_NAMES) if with_nir else base


def _local_std(x: Array, sigma: float) -> Array:
    m = ndi.gaussian_filter(x, sigma)
    m2 = ndi.gaussian_filter(x * x, sigma)
    return np.asarray(np.sqrt(np.maximum(m2 - m * m, 0.0)), dtype=np.float32)


def pair_features(
    before: Array,
    after: Array,
    pixel_size: float,
    *,
    params: BuiltupParams | None = None,
    norm: PairStats | None = None,
    with_nir: bool | None = None,
    indices: tuple[Array, Array] | None = None,
) -> Array:
    """Features shaped ``(n_features, rows, cols)`` of two co-registered float images (NaN-free).
    ``indices``: the built-up indices of both dates when the caller already has them."""
    params = params or BuiltupParams()
    norm = norm or pair_stats(before, after, params, pixel_size)
    nir = (before.shape[0] >= 4 and after.shape[0] >= 4) if with_nir is None else with_nir
    ia, ib = indices if indices is not None else builtup_indices(before, after, params, pixel_size, norm)
    out: list[Array] = [ia, ib, gate(ia, ib, before, after, params, norm.scale[1])]
    rgb = [img[:3] / np.float32(s) if img.shape[0] >= 3 else np.repeat(img[:1], 3, axis=0) / np.float32(s)
           for img, s in zip((before, after), norm.scale, strict=True)]  # fmt: skip
    for s_m in SCALES_M:
        sg = max(s_m / pixel_size, 0.5)
        smooth = [np.asarray(ndi.gaussian_filter(x, (0, sg, sg)), dtype=np.float32) for x in rgb]
        out.extend(smooth[1])
        out.extend(smooth[1] - smooth[0])
    light = [x.max(axis=0) for x in rgb]
    for s_m in SCALES_M:
        sg = max(s_m / pixel_size, 0.5)
        out.extend(_local_std(x, sg) for x in light)
    r, g, b = rgb[1]
    out.append((2 * g - r - b) / (r + g + b + np.float32(1e-3)))
    out.append(light[1])
    if nir:
        out.extend([ndvi(before), ndvi(after)])
    return np.stack([np.asarray(x, dtype=np.float32) for x in out])


def halo(pixel_size: float) -> int:
    """Pixels around a block that the filters of :func:`pair_features` reach (Gaussian truncated at 4σ)."""
    return int(np.ceil(4 * max(max(SCALES_M) / pixel_size, 0.5))) + 1


def features_at(
    before: Array,
    after: Array,
    select: npt.NDArray[np.bool_],
    pixel_size: float,
    *,
    params: BuiltupParams,
    norm: PairStats,
    indices: tuple[Array, Array],
    block: int | None = None,
) -> npt.NDArray[np.float32]:
    """Features of the ``select`` pixels, shaped ``(n_selected, n_features)`` in ``np.flatnonzero`` order,
    computed block by block (with a halo) only where a block holds a selected pixel. Blocks are 64 px or
    four halos, whichever is larger, so a scattered selection costs little more than its own pixels."""
    rows, cols = select.shape
    block = block or max(64, 4 * halo(pixel_size))
    nir = before.shape[0] >= 4 and after.shape[0] >= 4
    out = np.empty((int(np.count_nonzero(select)), len(names(nir))), dtype=np.float32)
    if out.shape[0] == 0:
        return out
    order = np.cumsum(select.ravel()).reshape(select.shape) - 1
    pad = halo(pixel_size)
    ia, ib = indices
    for r0 in range(0, rows, block):
        for c0 in range(0, cols, block):
            inner = select[r0 : r0 + block, c0 : c0 + block]
            if not inner.any():
                continue
            gr0, gc0 = max(0, r0 - pad), max(0, c0 - pad)
            gr1, gc1 = min(rows, r0 + block + pad), min(cols, c0 + block + pad)
            win = (slice(gr0, gr1), slice(gc0, gc1))
            feats = pair_features(
                before[(slice(None), *win)], after[(slice(None), *win)], pixel_size, params=params, norm=norm,
                with_nir=nir, indices=(ia[win], ib[win]),
            )  # fmt: skip
            sub = (slice(r0 - gr0, r0 - gr0 + inner.shape[0]), slice(c0 - gc0, c0 - gc0 + inner.shape[1]))
            out[order[r0 : r0 + block, c0 : c0 + block][inner]] = feats[(slice(None), *sub)][:, inner].T
    return out
