"""Candidates and their features for a trained counting model (:mod:`armswatch.imagery.count_model`).

The training-free detector (:mod:`armswatch.imagery.count_detect`) is run with relaxed settings
(:data:`PROPOSE`: a graded fill of at least 0.5 and no edge test) and every local maximum of its box score
inside the search area becomes a *candidate*: an oriented box of the object's size at a pixel, with its
polarity. Most candidates are ground, roofs, shadows or halves of objects; the model tells them apart.

Each candidate's features are read from the contrast images on a grid in the box's own frame (``u``
along the long axis, ``v`` across it, in object lengths and widths, reaching a width and a half past each
long side), one ``map_coordinates`` call per image for all candidates at once:

* fill at several contrasts (share of box pixels whose colour distance from the local background exceeds
  1.5, 2, 2.5, 3.5 spreads), graded fill, box-mean and quartile distances, mean signed contrast;
* edge strength across each long side and along each end (gradient in median-gradient units), the
  interior's gradient, interior uniformity (spread of the residual inside);
* context: signed contrast in strips just outside each long side (a shadow side is dark), farther out,
  and past the ends (an object longer than the box: a road, a roof), the local spread of the ground;
* colour relative to the ground: per-band residual of the box, spectral angle and brightness ratio
  between the box's mean colour and its local background's (a shadow keeps the ground's colour);
* the detector's own relaxed score, fill and edge, the polarity.

All units are robust spreads or ratios, so a model can carry across scenes of different brightness.
Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.imagery.count_detect import DetectParams, ScoreMaps, background_bands, score_maps
from armswatch.imagery.feature import Array

BoolArray = npt.NDArray[np.bool_]

PROPOSE = DetectParams(contrast=2.5, min_fill=0.5, min_edge=0.0, soft_fill=True)
"""Relaxed detector settings that propose candidates (high recall, low precision)."""

FILL_CONTRASTS = (1.5, 2.0, 2.5, 3.5)
U = np.linspace(-0.75, 0.75, 13)  # step 0.125: the ends at ±0.5 are on the grid
V = np.linspace(-2.0, 2.0, 17)  # step 0.25: the long sides at ±0.5 are on the grid

FEATURES: tuple[str, ...] = (
    "score", "fill", "edge", "dark",
    *(f"fill_{c:g}" for c in FILL_CONTRASTS),
    "fill_graded", "dist_mean", "dist_q25", "dist_q75", "signed_mean", "abs_signed_mean",
    "inner_spread", "inner_signed_spread",
    "side_edge_min", "side_edge_max", "end_edge_min", "end_edge_max", "inner_edge",
    "out_signed_min", "out_signed_max", "out_dist_mean", "far_signed_mean", "far_dist_mean",
    "beyond_dist_mean", "beyond_signed_mean", "box_minus_out", "ground_spread",
    "band_resid_0", "band_resid_1", "band_resid_2", "colour_angle", "brightness_ratio",
)  # fmt: skip
"""Feature names, in column order (a model file must list exactly these)."""


@dataclass(frozen=True)
class Candidates:
    """Candidate boxes (pixel centres as :class:`~armswatch.imagery.count_detect.Detection` has them:
    column + 0.5, row + 0.5) and their features ``(n, len(FEATURES))``; ``maps`` are the relaxed
    detector's, so the model's choice can go through the same suppression and shadow steps."""

    rows: npt.NDArray[np.intp]
    cols: npt.NDArray[np.intp]
    angle: npt.NDArray[np.float64]  # degrees
    features: Array
    maps: ScoreMaps | None

    @property
    def x(self) -> npt.NDArray[np.float64]:
        return np.asarray(self.cols + 0.5, dtype=np.float64)

    @property
    def y(self) -> npt.NDArray[np.float64]:
        return np.asarray(self.rows + 0.5, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.rows)


def propose(
    image: Array,
    pixel_size_m: float,
    length_m: float,
    width_m: float,
    area: BoolArray | None = None,
    params: DetectParams = PROPOSE,
) -> Candidates:
    """Candidates (local maxima of the relaxed box score inside ``area``) with their features."""
    from scipy import ndimage as ndi

    m = score_maps(image, pixel_size_m, length_m, width_m, area=area, params=params)
    if m is None:
        return _empty(None)
    finite = np.isfinite(m.best) & m.region
    win = max(1, round(m.wp / 2))
    peak = finite & (m.best >= ndi.maximum_filter(np.where(finite, m.best, -1e9), size=win))
    rows, cols = np.nonzero(peak)
    if len(rows) == 0:
        return _empty(m)
    k = m.best_k[rows, cols].astype(np.intp)
    angle = m.angles[k // 2].astype(np.float64)
    feats = features(image, m, rows, cols, angle, params)
    return Candidates(rows, cols, angle, feats, m)


def _empty(m: ScoreMaps | None) -> Candidates:
    z = np.zeros(0, dtype=np.intp)
    return Candidates(z, z, np.zeros(0), np.zeros((0, len(FEATURES)), dtype=np.float32), m)


def _sampler(
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    angle: npt.NDArray[np.float64],
    lp: float,
    wp: float,
) -> Any:
    """``sample(img) -> (n, len(U), len(V))``: bilinear samples on each candidate's box grid."""
    from scipy import ndimage as ndi

    t = np.radians(angle)[:, None, None]
    uu = (U * lp)[None, :, None]
    vv = (V * wp)[None, None, :]
    cc = cols[:, None, None] + uu * np.cos(t) + vv * np.sin(t)
    rr = rows[:, None, None] - uu * np.sin(t) + vv * np.cos(t)
    coords = [rr.ravel(), cc.ravel()]
    shape = (len(rows), len(U), len(V))

    def sample(img: Array) -> Array:
        vals = ndi.map_coordinates(img, coords, order=1, mode="nearest")
        return np.asarray(vals.reshape(shape), dtype=np.float32)

    return sample


def _mean(a: Array, mask: BoolArray) -> Array:
    return np.asarray(a[:, mask].mean(axis=1), dtype=np.float32)


CHUNK = 8192
"""Candidates whose features are computed at once (bounds the sample grids' memory on large windows)."""


def features(
    image: Array,
    m: ScoreMaps,
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    angle: npt.NDArray[np.float64],
    params: DetectParams = PROPOSE,
) -> Array:
    """Feature matrix ``(n, len(FEATURES))`` of the candidate boxes (see the module docstring)."""
    bands, back = background_bands(image, m.region, m.lp, params)
    # per-band residuals in spreads, rebuilt as contrast_images builds the signed image
    resid = []
    for k in range(bands.shape[0]):
        r = bands[k] - back[k]
        vals = r[m.region]
        mad = float(np.median(np.abs(vals - np.median(vals)))) * 1.4826 if vals.size else 1.0
        resid.append(
            np.asarray(r / max(mad, 1e-3 * (float(np.abs(bands[k]).max()) or 1.0)), dtype=np.float32)
        )
    parts = [
        _features(
            m, (resid, bands, back), rows[s : s + CHUNK], cols[s : s + CHUNK], angle[s : s + CHUNK], params
        )
        for s in range(0, len(rows), CHUNK)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, len(FEATURES)), dtype=np.float32)


def _features(
    m: ScoreMaps,
    layers: tuple[list[Array], Array, Array],
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    angle: npt.NDArray[np.float64],
    params: DetectParams,
) -> Array:
    n = len(rows)
    resid_img, bands, back = layers
    sample = _sampler(rows, cols, angle, m.lp, m.wp)
    au, av = np.abs(U)[:, None], np.abs(V)[None, :]
    box = (au <= 0.5) & (av <= 0.5)
    inner = (au <= 0.4) & (av <= 0.25)
    side_p = (au <= 0.4) & (V[None, :] == 0.5)
    side_n = (au <= 0.4) & (V[None, :] == -0.5)
    end_p = (U[:, None] == 0.5) & (av <= 0.25)
    end_n = (U[:, None] == -0.5) & (av <= 0.25)
    out_p = (au <= 0.4) & (V[None, :] > 0.5) & (V[None, :] <= 1.0)
    out_n = (au <= 0.4) & (V[None, :] < -0.5) & (V[None, :] >= -1.0)
    far = (au <= 0.4) & (av >= 1.5)
    beyond = (au > 0.55) & (av <= 0.25)

    resid = [sample(r) for r in resid_img]
    dist = sample(m.distance)
    signed = sample(m.signed)
    t = np.radians(angle)[:, None, None]
    nx, ny = np.sin(t), np.cos(t)  # normal of the long axis in (column, row)
    ax, ay = np.cos(t), -np.sin(t)  # the long axis
    across = np.zeros_like(dist)
    along = np.zeros_like(dist)
    for b in range(m.grad.shape[1]):
        gx, gy = sample(m.grad[0, b]), sample(m.grad[1, b])
        across += np.abs(gx * nx + gy * ny)
        along += np.abs(gx * ax + gy * ay)

    def fill_at(c: float) -> Array:
        return _mean((dist > c).astype(np.float32), box)

    box_d = dist[:, box]
    side = np.stack([_mean(across, side_p), _mean(across, side_n)], axis=1)
    ends = np.stack([_mean(along, end_p), _mean(along, end_n)], axis=1)
    out = np.stack([_mean(signed, out_p), _mean(signed, out_n)], axis=1)
    out_d = (_mean(dist, out_p) + _mean(dist, out_n)) / 2
    inner_r = np.stack([r[:, inner] for r in resid])  # (bands, n, samples)
    colour = np.stack([_mean(sample(b), inner) for b in bands], axis=1)  # (n, bands)
    ground = np.stack([_mean(sample(b), inner) for b in back], axis=1)
    cos = (colour * ground).sum(axis=1) / np.maximum(
        np.linalg.norm(colour, axis=1) * np.linalg.norm(ground, axis=1), 1e-9
    )
    band_res = np.stack(
        [_mean(r, inner) for r in resid[:3]] + [np.zeros(n, np.float32)] * (3 - len(resid[:3])), axis=1
    )
    pol = m.best_k[rows, cols] % 2
    cols_out = [
        m.best[rows, cols], m.fills[rows, cols], m.edges[rows, cols], pol.astype(np.float32),
        *(fill_at(c) for c in FILL_CONTRASTS),
        _mean(np.clip(dist / params.contrast, 0, 1), box), box_d.mean(axis=1),
        np.quantile(box_d, 0.25, axis=1), np.quantile(box_d, 0.75, axis=1),
        _mean(signed, box), np.abs(_mean(signed, box)),
        inner_r.std(axis=2).mean(axis=0), signed[:, inner].std(axis=1),
        side.min(axis=1), side.max(axis=1), ends.min(axis=1), ends.max(axis=1), _mean(across, inner),
        out.min(axis=1), out.max(axis=1), out_d, _mean(signed, far), _mean(dist, far),
        _mean(dist, beyond), _mean(signed, beyond), box_d.mean(axis=1) - out_d,
        signed[:, far].std(axis=1),
        band_res[:, 0], band_res[:, 1], band_res[:, 2],
        np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))),
        colour.mean(axis=1) / np.maximum(ground.mean(axis=1), 1e-3),
    ]  # fmt: skip
    feats = np.stack([np.asarray(c, dtype=np.float32) for c in cols_out], axis=1)
    return np.asarray(np.nan_to_num(feats, nan=0.0, posinf=1e6, neginf=-1e6), dtype=np.float32)
