"""A training-free detector of bright or dark rectangles of a given ground size (containers, rail wagons,
vehicles).

Pure: arrays in, detections out. The steps, all vectorised over pixels:

1. **Local contrast.** Each band's background is a median at a scale of about three object lengths
   (computed on a block-averaged copy, so it is cheap); the residual is divided by its robust spread
   (MAD) inside the search area. A pixel is *foreground* when its colour distance from the background
   exceeds ``contrast`` spreads; its sign (brighter or darker than the background) is kept.
2. **Oriented box matching.** For each of ``orientations`` angles, the bright and the dark foreground
   are correlated with the object's rectangle (``fill``: the share of the box that is foreground), and
   the gradient magnitude with the box's two long sides and its interior (``edge``: the weaker long side
   minus the interior, in units of the median gradient). With ``soft_fill`` (off by default) a pixel counts
   its colour distance as a fraction of ``contrast`` (at most 1) instead of 0 or 1, so a uniformly
   low-contrast object (a dark grey wagon on dark asphalt, every pixel at 80-100 % of the threshold) is
   nearly full while the ground's own noise (about one spread) counts under half. A box must be mostly
   foreground and have an
   edge on *both* long sides: a box slid along the edge of a big roof has only one, and a box inside a
   uniform roof has none. Seams between adjacent containers give the edges that separate them.
3. **Non-maximum suppression.** Candidates (local maxima of the score over a half-width window) are
   accepted greedily, best first, while they overlap already accepted boxes by at most
   ``max_overlap`` of their area. The greedy loop runs over candidates, not pixels.
4. **Shadows** (when ``min_spacing`` > 0, rail wagons): two parallel boxes closer than the objects' minimum
   side-by-side spacing are an object and its shadow; :mod:`armswatch.imagery.count_context` says which,
   the shadow's candidates are blanked and step 3 runs again.
5. **Coupled trains** (with ``chain``, rail wagons): fainter boxes — foreground when the brightness *or
   the hue* residual exceeds ``contrast`` spreads (:func:`chroma_distance`), fill at least 0.75 — are
   added where they lie in line with a found object at a coupling gap (:mod:`count_chain`).
   ``hue_contrast`` applies the hue test to every box instead (measured, not shipped: real roofs and
   field strips have a hue too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from armswatch.errors import InputError
from armswatch.imagery.feature import Array

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DetectParams:
    """Detector settings (see the module docstring). Chosen on LEVIR backgrounds, checked on DSIFN."""

    contrast: float = 2.5
    min_fill: float = 0.75
    min_edge: float = 0.3
    max_overlap: float = 0.25
    orientations: int = 12
    background_lengths: float = 3.0
    min_spacing: float = 0.0  # m between centre lines of side-by-side objects; 0: no shadow test
    min_sun_agreement: float = 0.6
    shadow_angle: float = 1.0  # degrees: a dark box this close to its ground's colour may be a shadow
    soft_fill: bool = False  # fill counts a pixel's colour distance / contrast (at most 1), not 0 or 1
    hue_contrast: float = 0.0  # > 0: foreground also when the hue residual exceeds this many hue spreads
    chain: bool = False  # also keep fainter boxes (hue test, fill 0.75) in line with found ones (count_chain)
    chain_gap: float = 0.0  # > 0: and only with a gap between them (its distance under this share of theirs)


CHAIN_FILL = 0.75
"""The fill of the chain's relaxed test (the shared default ``min_fill``)."""

CLASS_PARAMS: dict[str, DetectParams] = {
    # wagons: both leave-one-set-out folds of the joint grid (benchmarks/count.py --per-class --only
    # railcar --chain 0.5,1) chose contrast 2.5, the 3.5 m spacing (shadow) test and the coupled-train
    # test without the gap test; they disagreed on fill/edge (levir 0.75/0.6, dsifn 0.85/0.3): dsifn's
    # choice ships, the one that finds fewer boxes on real crops without wagons on both sets (36/55 vs
    # 43/86). Cars: both folds chose a fuller box. See docs/imagery-count.md (the graded fill, soft_fill,
    # and the global hue test, hue_contrast, are measured there but not shipped)
    "railcar": DetectParams(min_fill=0.85, min_edge=0.3, min_spacing=3.5, chain=True),
    "vehicle": DetectParams(min_fill=0.85),
}
"""Settings of a named object class where they differ from :class:`DetectParams`' defaults."""


def params_for(name: str) -> DetectParams:
    """Detector settings for an object class (``container``, ``railcar``…; the defaults for ``LxW``)."""
    return CLASS_PARAMS.get(name, DetectParams())


@dataclass(frozen=True)
class Detection:
    """One detected object: centre in pixel (column, row) coordinates, angle of its long axis in degrees
    counter-clockwise from the image x axis, and its scores."""

    x: float
    y: float
    angle: float
    score: float
    fill: float
    edge: float
    polarity: str  # "bright" or "dark"


def kernel_size(length_px: float, width_px: float) -> int:
    """Odd side of a square kernel that holds the rectangle (plus a pixel) at any angle."""
    return 2 * math.ceil(math.hypot(length_px, width_px + 1.0) / 2 + 1) + 1


def box_kernel(
    length_px: float, width_px: float, angle_deg: float, grow: float = 0.0, size: int | None = None
) -> Array:
    """Area coverage (0..1, 4×4 supersampled) of a rotated rectangle centred in an odd square kernel."""
    n = size or kernel_size(length_px + 2 * grow, width_px + 2 * grow)
    sub = (np.arange(4 * n) + 0.5) / 4 - n / 2
    yy, xx = np.meshgrid(sub, sub, indexing="ij")
    t = math.radians(angle_deg)
    u = xx * math.cos(t) - yy * math.sin(t)  # along the long axis (image rows grow downwards)
    v = xx * math.sin(t) + yy * math.cos(t)
    inside = (np.abs(u) <= length_px / 2 + grow) & (np.abs(v) <= width_px / 2 + grow)
    cov = inside.reshape(n, 4, n, 4).mean(axis=(1, 3))
    return np.asarray(cov, dtype=np.float32)


def side_kernels(length_px: float, width_px: float, angle_deg: float) -> tuple[Array, Array, Array]:
    """Kernels of the two long sides (a band one pixel wide on each long edge) and of the interior,
    each normalised to sum 1."""
    n = kernel_size(length_px, width_px)
    outer = box_kernel(length_px, width_px + 1.0, angle_deg, size=n)
    inner = box_kernel(max(length_px - 2.0, 1.0), max(width_px - 1.0, 0.5), angle_deg, size=n)
    core = box_kernel(max(length_px - 2.0, 1.0), max(width_px - 2.0, 0.25), angle_deg, size=n)
    band = np.clip(outer - inner, 0, 1)
    n = band.shape[0]
    t = math.radians(angle_deg)
    yy, xx = np.mgrid[0:n, 0:n] - n // 2
    v = xx * math.sin(t) + yy * math.cos(t)
    s1 = band * (v > 0)
    s2 = band * (v < 0)
    return (
        np.asarray(s1 / max(s1.sum(), 1e-6), dtype=np.float32),
        np.asarray(s2 / max(s2.sum(), 1e-6), dtype=np.float32),
        np.asarray(core / max(core.sum(), 1e-6), dtype=np.float32),
    )


def _background(band: Array, length_px: float, scale: float) -> Array:
    """Median background at about ``scale`` object lengths, on a block-averaged copy."""
    from scipy import ndimage as ndi

    f = max(1, int(length_px // 4))
    rows, cols = band.shape
    pr, pc = (-rows) % f, (-cols) % f
    padded = np.pad(band, ((0, pr), (0, pc)), mode="edge")
    small = padded.reshape(padded.shape[0] // f, f, padded.shape[1] // f, f).mean(axis=(1, 3))
    size = max(3, math.ceil(scale * length_px / f) | 1)
    med = ndi.median_filter(small, size=size, mode="reflect")
    big = ndi.zoom(med, f, order=1, mode="nearest", grid_mode=True)[:rows, :cols]
    if big.shape != band.shape:  # zoom rounding on tiny images
        big = np.pad(big, ((0, rows - big.shape[0]), (0, cols - big.shape[1])), mode="edge")
    return np.asarray(big, dtype=np.float32)


def background_bands(
    image: Array, area: BoolArray, length_px: float, params: DetectParams
) -> tuple[Array, Array]:
    """The bands with the ground outside the search area set to the area's median (so the ground around
    the area, often different from a yard's paving, neither shifts the background nor draws edges), and
    each band's local median background."""
    bands = np.nan_to_num(image.astype(np.float32))
    if area.any():
        med = np.median(bands[:, area], axis=1).astype(np.float32)
        bands = np.where(area[None], bands, med[:, None, None])
    back = np.stack([_background(b, length_px, params.background_lengths) for b in bands])
    return bands, back


def contrast_images(
    image: Array, area: BoolArray, length_px: float, params: DetectParams
) -> tuple[Array, Array, Array]:
    """Signed brightness residual, colour distance (both in robust spreads) and the per-band gradient
    ``(2, bands, rows, cols)`` (x then y) divided by the median gradient magnitude."""
    signed, distance, grad, _ = _contrast(image, area, length_px, params)
    return signed, distance, grad


def _contrast(
    image: Array, area: BoolArray, length_px: float, params: DetectParams
) -> tuple[Array, Array, Array, Array | None]:
    """:func:`contrast_images` and, with ``chain``, the distance of the chain's relaxed test (brightness
    or hue beyond ``contrast`` spreads)."""
    from scipy import ndimage as ndi

    bands, back = background_bands(image, area, length_px, params)
    resid = np.empty_like(bands)
    for k in range(bands.shape[0]):
        floor = 1e-3 * (float(np.abs(bands[k]).max()) or 1.0)
        resid[k] = (bands[k] - back[k]) / _spread(bands[k] - back[k], area, floor)
    distance = np.sqrt((resid**2).mean(axis=0))
    relaxed = None
    if (params.hue_contrast > 0 or params.chain) and bands.shape[0] > 1:
        floor = 1e-3 * (float(np.abs(bands).max()) or 1.0)
        lum_d, hue_d = chroma_distance(bands - back, area, floor)
        if params.hue_contrast > 0:
            distance = np.maximum(lum_d, hue_d * (params.contrast / params.hue_contrast))
        relaxed = np.maximum(lum_d, hue_d) if params.chain else None
    signed = resid.mean(axis=0)
    smooth = ndi.gaussian_filter(resid, sigma=(0, 0.5, 0.5))
    gy = np.stack([ndi.sobel(s, axis=0) for s in smooth])
    gx = np.stack([ndi.sobel(s, axis=1) for s in smooth])
    mag = np.sqrt((gx**2 + gy**2).sum(axis=0))
    g_med = max(float(np.median(mag[area])) if area.any() else 1.0, 1e-6)
    return (
        np.asarray(signed, dtype=np.float32),
        np.asarray(distance, dtype=np.float32),
        np.asarray(np.stack([gx, gy]) / g_med, dtype=np.float32),
        relaxed,
    )


def _spread(r: Array, area: BoolArray, floor: float) -> float:
    """Robust spread (MAD × 1.4826) of ``r`` inside ``area``, at least ``floor``."""
    vals = r[area]
    mad = float(np.median(np.abs(vals - np.median(vals)))) * 1.4826 if vals.size else 1.0
    return max(mad, floor)


def chroma_distance(raw: Array, area: BoolArray, floor: float) -> tuple[Array, Array]:
    """Per pixel, the brightness residual (the bands' mean) and the hue residual (each band's departure
    from that mean, root mean square), each in its own robust spread inside ``area``.

    The ground's variation (texture, wear, shade) is mostly a change of brightness, with all bands
    moving together, so it sets a wide brightness spread; the hue residual's spread is the sensor noise
    and the ground's faint tints. A blue wagon on grey asphalt or a beige one on concrete differs from
    the ground by about as much as the texture in brightness, but by many hue spreads."""
    lum = raw.mean(axis=0)
    hue = raw - lum[None]
    lum_d = np.abs(lum) / _spread(lum, area, floor)
    hue_d = np.sqrt(
        np.mean([(hue[k] / _spread(hue[k], area, floor)) ** 2 for k in range(raw.shape[0])], axis=0)
    )
    return np.asarray(lum_d, dtype=np.float32), np.asarray(hue_d, dtype=np.float32)


def normal_gradient(grad: Array, angle_deg: float) -> Array:
    """Gradient magnitude across a long axis at ``angle_deg`` (summed over bands): edges parallel to the
    box's long sides count fully, others by the cosine of their angle."""
    t = math.radians(angle_deg)
    nx, ny = math.sin(t), math.cos(t)  # unit normal of the long axis (cos t, -sin t) in (col, row)
    return np.asarray(np.abs(grad[0] * nx + grad[1] * ny).sum(axis=0), dtype=np.float32)


def _corr(img: Array, kernel: Array) -> Array:
    from scipy.signal import oaconvolve

    return np.asarray(oaconvolve(img, kernel[::-1, ::-1], mode="same"), dtype=np.float32)


@dataclass(frozen=True)
class ScoreMaps:
    """Steps 1-2 of the detector: per pixel, the best oriented box's score (``-inf`` where no box passes),
    its angle index × 2 + polarity (1 = dark), fill and edge; with the contrast images they came from."""

    signed: Array
    distance: Array
    grad: Array
    best: Array
    best_k: npt.NDArray[np.int16]
    fills: Array
    edges: Array
    angles: npt.NDArray[np.floating[Any]]
    lp: float
    wp: float
    region: BoolArray
    relaxed: Array | None = None  # with ``chain``: the score map of the relaxed test (count_chain)
    relaxed_k: npt.NDArray[np.int16] | None = None
    relaxed_fe: tuple[Array, Array] | None = None  # its boxes' fill and edge
    relaxed_distance: Array | None = None  # its colour distance (brightness or hue, in spreads)


def score_maps(
    image: Array,
    pixel_size_m: float,
    length_m: float,
    width_m: float,
    *,
    area: BoolArray | None = None,
    params: DetectParams | None = None,
) -> ScoreMaps | None:
    """Contrast images and the oriented box scores (steps 1-2); None when the area is empty."""
    p = params or DetectParams()
    if image.ndim != 3:
        raise InputError(f"image must be (bands, rows, cols), got shape {image.shape}")
    if not (length_m > 0 and width_m > 0 and pixel_size_m > 0):
        raise InputError("object size and pixel size must be positive")
    length_m, width_m = max(length_m, width_m), min(length_m, width_m)
    lp, wp = length_m / pixel_size_m, width_m / pixel_size_m
    region = np.ones(image.shape[1:], dtype=bool) if area is None else area
    if not region.any():
        return None
    signed, distance, grad, loose = _contrast(image, region, lp, p)
    if p.soft_fill:  # graded: a pixel at 80 % of the threshold counts 0.8, not 0
        fg = np.clip(distance / p.contrast, 0.0, 1.0).astype(np.float32)
    else:
        fg = (distance > p.contrast).astype(np.float32)
    n_angles = p.orientations if lp / wp > 1.2 else max(2, p.orientations // 4)
    angles = np.arange(n_angles) * (180.0 / n_angles)
    best = np.full(signed.shape, -np.inf, dtype=np.float32)
    best_k = np.zeros(signed.shape, dtype=np.int16)  # angle index * 2 + polarity
    fills = np.zeros(signed.shape, dtype=np.float32)
    edges = np.zeros(signed.shape, dtype=np.float32)
    fg_r = None if loose is None else (loose > p.contrast).astype(np.float32)
    relaxed = None if fg_r is None else np.full(signed.shape, -np.inf, dtype=np.float32)
    relaxed_k = None if fg_r is None else np.zeros(signed.shape, dtype=np.int16)
    relaxed_fe = None if fg_r is None else (np.zeros_like(fills), np.zeros_like(edges))
    for i, ang in enumerate(angles):
        box = box_kernel(lp, wp, float(ang))
        box /= box.sum()
        s1, s2, core = side_kernels(lp, wp, float(ang))
        across = normal_gradient(grad, float(ang))
        edge = np.minimum(_corr(across, s1), _corr(across, s2)) - _corr(across, core)
        fill = _corr(fg, box)
        ok = (fill >= p.min_fill) & (edge >= p.min_edge)
        score = np.where(ok, fill + 0.25 * np.minimum(edge, 4.0), -np.inf).astype(np.float32)
        better = score > best
        best[better] = score[better]
        dark = _corr(signed, box) <= 0
        best_k[better] = i * 2 + dark[better]
        fills[better] = fill[better]
        edges[better] = edge[better]
        if fg_r is not None and relaxed is not None and relaxed_k is not None and relaxed_fe is not None:
            fill_r = _corr(fg_r, box)
            ok_r = (fill_r >= min(p.min_fill, CHAIN_FILL)) & (edge >= p.min_edge)
            score_r = np.where(ok_r, fill_r + 0.25 * np.minimum(edge, 4.0), -np.inf).astype(np.float32)
            up = score_r > relaxed
            relaxed[up] = score_r[up]
            relaxed_k[up] = i * 2 + dark[up]
            relaxed_fe[0][up], relaxed_fe[1][up] = fill_r[up], edge[up]
    return ScoreMaps(signed, distance, grad, best, best_k, fills, edges, angles, lp, wp, region,
                     relaxed, relaxed_k, relaxed_fe, loose)  # fmt: skip


def detect(
    image: Array,
    pixel_size_m: float,
    length_m: float,
    width_m: float,
    *,
    area: BoolArray | None = None,
    params: DetectParams | None = None,
) -> list[Detection]:
    """Objects of ``length_m`` × ``width_m`` in ``image`` (bands, rows, cols) whose centre is in ``area``."""
    p = params or DetectParams()
    m = score_maps(image, pixel_size_m, length_m, width_m, area=area, params=p)
    if m is None:
        return []
    return suppress_and_clean(m, m.best, image, pixel_size_m, p)


def suppress_and_clean(
    m: ScoreMaps, best: Array, image: Array, pixel_size_m: float, p: DetectParams
) -> list[Detection]:
    """Steps 3-4 on a score map ``best`` (the detector's own, or a trained model's candidate scores)."""
    dets = _suppress(best, m.best_k, m.fills, m.edges, m.angles, m.lp, m.wp, m.region, p)
    if p.min_spacing > 0 and len(dets) > 1:
        dets = _drop_shadows(dets, image, m.signed, best, m.best_k, m.fills, m.edges, m.angles, m.lp, m.wp,
                             m.region, p, p.min_spacing / pixel_size_m)  # fmt: skip
    if p.chain and dets and m.relaxed is not None and m.relaxed_k is not None and m.relaxed_fe is not None:
        from armswatch.imagery.count_chain import grow_chains

        assert m.relaxed_distance is not None  # computed with the relaxed map
        dets = grow_chains(dets, m.relaxed, m.relaxed_k, m.relaxed_fe, m.relaxed_distance, m.angles, m.lp,
                           m.wp, m.region, p, pixel_size_m)  # fmt: skip
    return dets


def _drop_shadows(
    dets: list[Detection],
    image: Array,
    signed: Array,
    best: Array,
    best_k: npt.NDArray[np.int16],
    fills: Array,
    edges: Array,
    angles: npt.NDArray[np.floating[Any]],
    lp: float,
    wp: float,
    region: BoolArray,
    p: DetectParams,
    spacing_px: float,
) -> list[Detection]:
    """Drop detections that are a neighbour's shadow or duplicate (:mod:`count_context`), blank the
    candidates inside them and suppress again, so an object its shadow had suppressed can be found."""
    from armswatch.imagery.count_context import ground_tinted, shadow_direction, shadow_pairs

    bands, back = background_bands(image, region, lp, p)
    tinted = ground_tinted(bands, back, dets, lp, wp, p.shadow_angle)
    sx, sy, agree = shadow_direction(signed, dets, lp, wp, spacing_px, tinted)
    sun = (sx, sy) if agree >= p.min_sun_agreement else (0.0, 0.0)
    best = best.copy()
    for _ in range(4):
        drop = shadow_pairs(dets, sun, lp, spacing_px, tinted)
        if not drop:
            return dets
        for k in drop:
            d = dets[k]
            t = math.radians(d.angle)
            r0, r1 = max(0, int(d.y - lp)), int(d.y + lp) + 1
            c0, c1 = max(0, int(d.x - lp)), int(d.x + lp) + 1
            dx = np.arange(c0, min(c1, best.shape[1]))[None, :] + 0.5 - d.x  # a window, not the image
            dy = np.arange(r0, min(r1, best.shape[0]))[:, None] + 0.5 - d.y
            u = np.abs(dx * math.cos(t) - dy * math.sin(t))
            v = np.abs(dx * math.sin(t) + dy * math.cos(t))
            best[r0:r1, c0:c1][(u <= lp / 2) & (v <= wp / 2)] = -np.inf
        dets = _suppress(best, best_k, fills, edges, angles, lp, wp, region, p)
        tinted = ground_tinted(bands, back, dets, lp, wp, p.shadow_angle)
    gone = set(shadow_pairs(dets, sun, lp, spacing_px, tinted))
    dets = [d for k, d in enumerate(dets) if k not in gone]
    return dets


def local_peaks(
    score: Array, region: BoolArray, wp: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows and columns of the finite local maxima of ``score`` in ``region`` (window of half a box
    width), best first."""
    from scipy import ndimage as ndi

    finite = np.isfinite(score) & region
    if not finite.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    win = max(1, round(wp / 2))
    peak = finite & (score >= ndi.maximum_filter(np.where(finite, score, -1e9), size=win))
    rows, cols = np.nonzero(peak)
    order = np.argsort(-score[rows, cols], kind="stable")
    return rows[order], cols[order]


def box_offsets(
    angles: npt.NDArray[np.floating[Any]], lp: float, wp: float
) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """Per orientation, the (row, column) offsets from a box's centre pixel of the pixels it covers."""
    offsets = []
    for ang in angles:
        cov = box_kernel(lp, wp, float(ang))
        dy, dx = np.nonzero(cov >= 0.5)
        offsets.append((dy - cov.shape[0] // 2, dx - cov.shape[1] // 2))
    return offsets


def _suppress(
    best: Array,
    best_k: npt.NDArray[np.int16],
    fills: Array,
    edges: Array,
    angles: npt.NDArray[np.floating[Any]],
    lp: float,
    wp: float,
    region: BoolArray,
    p: DetectParams,
) -> list[Detection]:
    rows, cols = local_peaks(best, region, wp)
    if not len(rows):
        return []
    offsets = box_offsets(angles, lp, wp)
    h, w = best.shape
    taken = np.zeros((h, w), dtype=bool)
    out: list[Detection] = []
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        k = int(best_k[r, c])
        dy, dx = offsets[k // 2]
        yy, xx = dy + r, dx + c
        inb = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        if taken[yy[inb], xx[inb]].sum() > p.max_overlap * len(dy):
            continue
        taken[yy[inb], xx[inb]] = True
        out.append(
            Detection(
                x=c + 0.5,
                y=r + 0.5,
                angle=float(angles[k // 2]),
                score=float(best[r, c]),
                fill=float(fills[r, c]),
                edge=float(edges[r, c]),
                polarity=("bright", "dark")[k % 2],
            )
        )
    return out
