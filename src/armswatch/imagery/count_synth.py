"""SIMULATED objects composited into a background image, with their true positions: the counter's test
and benchmark material.

Containers, rail wagons and cars are drawn as rectangles of their real ground size in rows and blocks
(containers side by side with 0.2–0.6 m seams and end to end, wagons coupled in lines on parallel tracks,
cars in parking rows with empty bays), in varied colours and orientations, with a ribbed roof texture,
per-object brightness jitter and a cast shadow. Everything is drawn at a quarter of the output pixel
(anti-aliasing), then block-averaged to the output pixel size, blurred by a small point-spread function
and given sensor noise. The background is any RGB array (the benchmark uses real aerial crops; tests use
generated texture). Nothing here is real imagery of the objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from armswatch.imagery.feature import Array

PALETTES: dict[str, list[tuple[int, int, int]]] = {
    "container": [(40, 80, 160), (170, 40, 35), (220, 220, 215), (60, 120, 70), (200, 110, 30),
                  (120, 70, 40), (150, 150, 150), (30, 140, 170), (90, 90, 95), (230, 190, 40)],
    "railcar": [(90, 60, 45), (50, 50, 50), (120, 120, 115), (130, 80, 50), (60, 75, 90), (170, 160, 140)],
    "vehicle": [(235, 235, 235), (190, 190, 195), (30, 30, 35), (150, 30, 30), (40, 60, 130),
                (110, 110, 110), (215, 215, 205)],
}  # fmt: skip
SUPER = 4


@dataclass(frozen=True)
class Style:
    """How objects are rendered: colours (``standard``: :data:`PALETTES`; ``random``: a luminance
    uniform over 20-235 but at least 25 grey levels from the ground's, each channel tinted by 0.7-1.3,
    so dark, grey and bright objects are all common), per-object brightness, shadow darkness and length factors, and the sensor noise and PSF
    (ranges: one value drawn per composite). Training a model on one style and testing it on another
    checks that it did not learn the renderer's own colours and settings."""

    palette: str = "standard"
    brightness: tuple[float, float] = (0.85, 1.15)
    shadow: tuple[float, float] = (0.45, 0.65)  # ground brightness under a shadow
    shadow_length: tuple[float, float] = (0.6, 1.4)
    noise: tuple[float, float] = (2.5, 2.5)
    psf_px: tuple[float, float] = (0.5, 0.5)


STANDARD = Style()
VARIED = Style("random", (0.7, 1.3), (0.35, 0.75), (0.4, 1.8), (1.5, 4.5), (0.35, 0.8))
"""A different renderer for training sets: random colours, wider brightness, shadow, noise and blur
ranges (the benchmark tests on :data:`STANDARD`)."""


@dataclass(frozen=True)
class TrueObject:
    """A composited object: centre in output pixel (column, row) coordinates, long-axis angle (degrees,
    counter-clockwise on screen), size in metres."""

    x: float
    y: float
    angle: float
    length_m: float
    width_m: float


@dataclass(frozen=True)
class Composite:
    """The composite at a quarter of the background pixel, the true objects and the yard (row0, col0,
    row1, col1 in background pixels) they were placed in."""

    fine: Array  # (3, rows*SUPER, cols*SUPER) float32, 0..255
    objects: list[TrueObject]
    pixel_size_m: float
    yard: tuple[int, int, int, int]
    seed: int
    noise: float = 2.5
    psf_px: float = 0.5

    def render(self, pixel_size_m: float | None = None) -> tuple[Array, list[TrueObject], float]:
        """The image at ``pixel_size_m`` (a multiple of a quarter of the background pixel; default the
        background's), blurred and noisy, and the objects in its pixel grid."""
        px = pixel_size_m or self.pixel_size_m
        factor = max(1, round(px / (self.pixel_size_m / SUPER)))
        scale = SUPER / factor
        objs = [TrueObject(o.x * scale, o.y * scale, o.angle, o.length_m, o.width_m) for o in self.objects]
        img = degrade(self.fine, factor, seed=self.seed, psf_px=self.psf_px, noise=self.noise)
        return img, objs, self.pixel_size_m * factor / SUPER


def _layout(kind: str, rng: np.random.Generator) -> tuple[float, float, list[tuple[float, float]]]:
    """One group: object length, width and centres (metres, group frame: u along the long axis)."""
    if kind == "container":
        length, width = 12.2, 2.4
        n_side, n_end = int(rng.integers(1, 6)), int(rng.integers(1, 3))
        seam, gap = float(rng.uniform(0.2, 0.6)), float(rng.uniform(0.8, 2.0))
        pts = [(j * (length + gap), i * (width + seam)) for i in range(n_side) for j in range(n_end)]
    elif kind == "railcar":
        length, width = float(rng.uniform(14.0, 16.0)), 3.0
        n_line, n_track = int(rng.integers(2, 6)), int(rng.integers(1, 3))
        gap = float(rng.uniform(1.0, 1.6))
        pts = [(j * (length + gap), i * 4.5) for i in range(n_track) for j in range(n_line)]
    else:
        length, width = 4.5, 1.8
        n_bays, n_rows, pitch = int(rng.integers(3, 9)), int(rng.integers(1, 3)), float(rng.uniform(2.5, 3.0))
        pts = [(i * 6.0, j * pitch) for i in range(n_rows) for j in range(n_bays) if rng.random() > 0.25]
    return length, width, pts


def _draw_rect(
    canvas: Array, cx: float, cy: float, ang: float, length: float, width: float
) -> tuple[npt.NDArray[np.bool_], slice, slice, Array]:
    """Mask of a rotated rectangle (canvas pixels) in its bounding window, and the along-axis coordinate."""
    t = math.radians(ang)
    r = math.hypot(length, width) / 2 + 1
    r0, r1 = max(0, int(cy - r)), min(canvas.shape[1], int(cy + r) + 2)
    c0, c1 = max(0, int(cx - r)), min(canvas.shape[2], int(cx + r) + 2)
    r1, c1 = max(r0, r1), max(c0, c1)
    yy, xx = np.mgrid[r0:r1, c0:c1] + 0.5
    u = (xx - cx) * math.cos(t) - (yy - cy) * math.sin(t)
    v = (xx - cx) * math.sin(t) + (yy - cy) * math.cos(t)
    inside = (np.abs(u) <= length / 2) & (np.abs(v) <= width / 2)
    return inside, slice(r0, r1), slice(c0, c1), np.asarray(u, dtype=np.float32)


def composite(
    background: Array,
    kind: str,
    *,
    seed: int,
    pixel_size_m: float = 0.5,
    groups: int = 4,
    yard_share: float = 0.6,
    paved: bool = True,
    style: Style = STANDARD,
) -> Composite:
    """Composite ``groups`` groups of ``kind`` objects into ``background`` (3, rows, cols at
    ``pixel_size_m``) in ``style``; positions are returned in that background's pixel grid."""
    rng = np.random.default_rng(seed)
    _, rows, cols = background.shape
    fine_px = pixel_size_m / SUPER
    canvas = np.repeat(np.repeat(background.astype(np.float32), SUPER, axis=1), SUPER, axis=2)
    occupied = np.zeros(canvas.shape[1:], dtype=bool)
    yr, yc = int(rows * yard_share), int(cols * yard_share)
    y0, x0 = int(rng.integers(0, rows - yr + 1)), int(rng.integers(0, cols - yc + 1))
    yard = (y0, x0, y0 + yr, x0 + yc)
    ground = _pave(canvas, yard, rng) if paved else float(background.mean())
    sun = float(rng.uniform(0, 360))
    shadow_len = {"container": 2.0, "railcar": 2.5, "vehicle": 1.0}[kind] * float(
        rng.uniform(*style.shadow_length)
    )
    sdx, sdy = (
        math.cos(math.radians(sun)) * shadow_len / fine_px,
        math.sin(math.radians(sun)) * shadow_len / fine_px,
    )
    truth: list[TrueObject] = []
    placed = 0
    for _attempt in range(groups * 30):
        if placed >= groups:
            break
        length, width, pts = _layout(kind, rng)
        ang = float(rng.uniform(0, 180))
        t = math.radians(ang)
        ext = np.array(pts) if pts else np.zeros((0, 2))
        if len(ext) == 0:
            continue
        ext = ext - ext.mean(axis=0)
        gx = float(rng.uniform(yard[1] + 10, yard[3] - 10)) * SUPER
        gy = float(rng.uniform(yard[0] + 10, yard[2] - 10)) * SUPER
        centres = [
            (
                gx + (u * math.cos(t) + v * math.sin(t)) / fine_px,
                gy + (-u * math.sin(t) + v * math.cos(t)) / fine_px,
            )
            for u, v in ext
        ]
        masks = [_draw_rect(canvas, cx, cy, ang, length / fine_px, width / fine_px) for cx, cy in centres]
        half = math.hypot(length, width) / 2 / fine_px + SUPER  # every object wholly inside the yard
        if any(
            cx < yard[1] * SUPER + half or cy < yard[0] * SUPER + half
            or cx > yard[3] * SUPER - half or cy > yard[2] * SUPER - half
            for cx, cy in centres
        ) or any(occupied[rs, cs][m].any() for m, rs, cs, _ in masks):  # fmt: skip
            continue
        for (cx, cy), (_m, _rs, _cs, _u) in zip(centres, masks, strict=True):  # shadows first
            sm, srs, scs, _ = _draw_rect(canvas, cx + sdx, cy + sdy, ang, length / fine_px, width / fine_px)
            canvas[:, srs, scs][:, sm] *= float(rng.uniform(*style.shadow))
        for (cx, cy), (m, rs, cs, u) in zip(centres, masks, strict=True):
            if style.palette == "random":  # a colour an analyst can see: 25+ grey levels from the ground
                lum = float(rng.uniform(20.0, 235.0))
                while abs(lum - ground) < 25.0:
                    lum = float(rng.uniform(20.0, 235.0))
                base = (lum * rng.uniform(0.7, 1.3, 3)).astype(np.float32)
            else:
                base = np.array(PALETTES[kind][int(rng.integers(len(PALETTES[kind])))], dtype=np.float32)
            base = np.clip(base * float(rng.uniform(*style.brightness)), 0, 255)
            rib = 1.0 + 0.05 * np.sin(u[m] * fine_px * 2 * math.pi / 0.6) if kind != "vehicle" else 1.0
            canvas[:, rs, cs][:, m] = base[:, None] * rib
            occupied[rs, cs] |= m
            truth.append(TrueObject(cx / SUPER, cy / SUPER, ang, length, width))
        placed += 1
    sensor = np.random.default_rng(seed + 31337)  # not the layout's generator: STANDARD stays as it was
    noise, psf = (float(sensor.uniform(*r)) if r[0] != r[1] else r[0] for r in (style.noise, style.psf_px))
    return Composite(canvas, truth, pixel_size_m, yard, seed, noise, psf)


def _pave(canvas: Array, yard: tuple[int, int, int, int], rng: np.random.Generator) -> float:
    """Lay a paved surface (asphalt or concrete) over the yard; the real background's own texture shows
    through at a third of its contrast (wear, stains), plus painted lines."""
    from scipy import ndimage as ndi

    r0, c0, r1, c1 = (v * SUPER for v in yard)
    patch = canvas[:, r0:r1, c0:c1]
    lum = patch.mean(axis=0)
    detail = lum - ndi.uniform_filter(lum, size=8 * SUPER)
    base = float(rng.choice([80.0, 105.0, 150.0, 175.0]))
    tint = np.array([1.0, 1.0, 0.97 if base > 120 else 1.03], dtype=np.float32)[:, None, None]
    paved = base * tint + 0.35 * detail[None]
    for _ in range(int(rng.integers(0, 4))):  # painted lane lines
        if rng.random() < 0.5:
            row = int(rng.integers(0, paved.shape[1] - SUPER))
            paved[:, row : row + SUPER // 2, :] = 210.0
        else:
            col = int(rng.integers(0, paved.shape[2] - SUPER))
            paved[:, :, col : col + SUPER // 2] = 210.0
    canvas[:, r0:r1, c0:c1] = np.clip(paved, 0, 255)
    return base


def degrade(fine: Array, factor: int, *, seed: int, psf_px: float = 0.5, noise: float = 2.5) -> Array:
    """Block-average a fine canvas by ``factor``, blur by a Gaussian PSF (output pixels) and add noise."""
    from scipy import ndimage as ndi

    b, h, w = fine.shape
    h2, w2 = h // factor, w // factor
    small = fine[:, : h2 * factor, : w2 * factor].reshape(b, h2, factor, w2, factor).mean(axis=(2, 4))
    small = ndi.gaussian_filter(small, sigma=(0, psf_px, psf_px))
    rng = np.random.default_rng(seed + 7919)
    return np.asarray(np.clip(small + rng.normal(0, noise, small.shape), 0, 255), dtype=np.float32)


def texture_background(rows: int, cols: int, seed: int) -> Array:
    """A generated grey-brown ground texture (for tests without real imagery)."""
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    base = ndi.gaussian_filter(rng.normal(0, 1, (rows, cols)), 6) * 60
    fine = rng.normal(0, 4, (3, rows, cols))
    tint = np.array([120.0, 115.0, 105.0])[:, None, None]
    return np.asarray(np.clip(tint + base[None] + fine, 0, 255), dtype=np.float32)
