"""Scene quality: a per-pixel usable mask (cloud, haze, cloud shadow, no data) for every scene.

Two detectors, chosen by what the image holds:

* **Sentinel-2 L1C (all of B01, B02, B04, B05, B08, B8A, B09, B10, B11, B12)**: *s2cloudless*
  (Zupanc et al., Sentinel Hub), the LightGBM pixel classifier whose model file ships inside the
  ``s2cloudless`` wheel. The model is loaded from that file with LightGBM directly (offline; the
  ``s2cloudless`` package itself is not imported, so its Sentinel Hub client is never loaded). The
  probability is averaged over a disk and thresholded at 0.4, then dilated, as s2cloudless does, with the
  disk sizes given in metres. L2A products lack B10 (cirrus), so s2cloudless cannot run on them: their
  SCL band is used when present, else the classical test below.
* **Everything else (RGB, RGB+NIR, L2A without SCL, VHR)**: a classical test.
  - *Haze-optimised transform* (HOT; Zhang, Guindon & Cihlar 2002). Haze and cloud raise blue more than
    red. For reflectance data the fixed form of Fmask's HOT test is used
    (blue − 0.5·red − 0.08 > 0, Zhu & Woodcock 2012). For 8-bit display images, which have no absolute
    radiometry, the clear-sky line blue = a·red + c is fitted on the image's darker half and a pixel is hazy
    when it lies more than 8 % of full scale above it (so a scene that is hazy all over cannot be told).
  - *Whiteness* (Fmask): Σ|band − mean| / mean over R, G, B below 0.7: clouds are grey-white.
  - *Brightness*: mean visible reflectance above 0.20 (8-bit: above 60 % of full scale) makes a hazy
    pixel a cloud; less bright, it is haze.
  - Clouds and haze smaller than 1 ha are ignored (bright white roofs are small; clouds are not), clouds
    are widened by 60 m for translucent edges, and dark pixels (mean visible reflectance below 0.04; 8-bit:
    below 8 % of full scale) within 600 m of a cloud are cloud shadow.

Limits of the classical test: snow, salt flats and very large flat white roofs (over 1 ha) can pass for
cloud (pixels lost, not false change); thin haze over a scene that is hazy everywhere is only caught for
reflectance data; clouds smaller than 1 ha are missed. Building shadows are never masked: they are part of
the scene.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from armswatch.imagery.feature import Array

Mask = npt.NDArray[np.bool_]

S2CLOUDLESS_BANDS = ("B01", "B02", "B04", "B05", "B08", "B8A", "B09", "B10", "B11", "B12")
"""The ten L1C bands the s2cloudless model takes, in its order."""
S2CLOUDLESS_MODEL = "pixel_s2_cloud_detector_lightGBM_v0.1.txt"
S2_THRESHOLD = 0.4
S2_AVERAGE_M = 40.0
"""s2cloudless averages the probability over a disk (its ``average_over`` = 4 px at 10 m)."""
S2_DILATION_M = 20.0

HOT_OFFSET = 0.08
HOT_RED_WEIGHT = 0.5
HOT_RELATIVE = 0.08
WHITENESS_MAX = 0.7
CLOUD_BRIGHTNESS = 0.20
CLOUD_BRIGHTNESS_8BIT = 0.60
SHADOW_DARKNESS = 0.04
SHADOW_DARKNESS_8BIT = 0.08
MIN_CLOUD_M2 = 10_000.0
CLOUD_MARGIN_M = 60.0
SHADOW_SEARCH_M = 600.0


USABLE, NODATA, CLOUD, SHADOW, HAZE = range(5)
"""Per-pixel cause codes of :attr:`Quality.cause` (causes are exclusive in the order no data, cloud, shadow,
haze)."""


@dataclass(frozen=True)
class Quality:
    """Per-pixel usable mask of a scene with the share of pixels lost to each cause.

    The shares are over ``region`` (the watched area: a polygon site's outline) when one is set, else over
    the whole grid: a scene clipped to a polygon site is fully usable even though the grid's margin around
    the site has no data."""

    usable: Mask
    method: str
    cloud: float
    haze: float
    shadow: float
    nodata: float
    cause: npt.NDArray[np.uint8] | None = None
    region: Mask | None = None

    @property
    def usable_fraction(self) -> float:
        if self.region is not None:
            n = int(self.region.sum())
            return float((self.usable & self.region).sum() / n) if n else 0.0
        return float(self.usable.mean()) if self.usable.size else 0.0

    @property
    def coverage(self) -> float:
        """Share of the region (or grid) where the scene has data."""
        return 1.0 - self.nodata

    @property
    def clear_fraction(self) -> float:
        """Share of what the scene shows (its pixels with data) that is usable: 1 − cloud cover. A clear
        scene that covers a quarter of the site is clear, not three-quarters cloudy."""
        return min(1.0, self.usable_fraction / self.coverage) if self.coverage > 0 else 0.0

    def within(self, region: Mask) -> Quality:
        """The same mask with its shares counted over ``region`` only (e.g. the site outline)."""
        if self.cause is None or region.shape != self.usable.shape:
            raise ValueError("a region needs the per-pixel causes and the grid's shape")
        inside = self.cause[region]
        n = max(1, inside.size)
        share = np.bincount(inside, minlength=5) / n
        return replace(self, cloud=float(share[CLOUD]), haze=float(share[HAZE]), shadow=float(share[SHADOW]),
                       nodata=float(share[NODATA]), region=np.asarray(region, dtype=bool))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "usable_fraction": round(self.usable_fraction, 4),
            "cloud": round(self.cloud, 4), "haze": round(self.haze, 4), "shadow": round(self.shadow, 4),
            "nodata": round(self.nodata, 4), "over": "grid" if self.region is None else "site",
            "clear_fraction": round(self.clear_fraction, 4),
            "grid_usable_fraction": round(float(self.usable.mean()) if self.usable.size else 0.0, 4),
        }  # fmt: skip

    def reason(self) -> str:
        """One line: usable share and what took the rest."""
        parts = [f"{k} {v:.0%}" for k, v in (("cloud", self.cloud), ("haze", self.haze),
                 ("shadow", self.shadow), ("no data", self.nodata)) if v >= 0.005]  # fmt: skip
        return f"{self.usable_fraction:.0%} usable" + (f" ({', '.join(parts)})" if parts else "")


def _px(metres: float, pixel_size_m: float, least: int = 1) -> int:
    return max(least, round(metres / pixel_size_m))


def _disk(radius: int) -> Mask:
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return np.asarray(xx * xx + yy * yy <= radius * radius)


def _drop_small(mask: Mask, min_px: int) -> Mask:
    if not mask.any() or min_px <= 1:
        return mask
    labels, _ = ndi.label(mask)
    sizes = np.bincount(labels.ravel())
    keep = sizes >= min_px
    keep[0] = False
    return np.asarray(keep[labels])


def _compose(cloud: Mask, haze: Mask, shadow: Mask, nodata: Mask, method: str) -> Quality:
    """Causes are exclusive in the order no data, cloud, shadow, haze."""
    cloud = cloud & ~nodata
    shadow = shadow & ~nodata & ~cloud
    haze = haze & ~nodata & ~cloud & ~shadow
    usable = ~(cloud | haze | shadow | nodata)
    n = max(1, usable.size)
    cause = np.full(usable.shape, USABLE, dtype=np.uint8)
    for code, where in ((NODATA, nodata), (CLOUD, cloud), (SHADOW, shadow), (HAZE, haze)):
        cause[where] = code
    return Quality(
        np.asarray(usable), method, float(cloud.sum() / n), float(haze.sum() / n), float(shadow.sum() / n),
        float(nodata.sum() / n), cause,
    )  # fmt: skip


def widen(mask: Mask, metres: float, pixel_size_m: float) -> Mask:
    """Pixels within ``metres`` of the mask (Euclidean distance, cost independent of the distance)."""
    if not mask.any():
        return mask
    return np.asarray(ndi.distance_transform_edt(~mask) * pixel_size_m <= metres)


def cloud_shadow(dark: Mask, cloud: Mask, pixel_size_m: float) -> Mask:
    """Dark pixels within ``SHADOW_SEARCH_M`` of a cloud."""
    if not cloud.any():
        return np.zeros_like(cloud)
    return np.asarray(widen(cloud, SHADOW_SEARCH_M, pixel_size_m) & dark)


def classical(
    red: Array, green: Array, blue: Array, *, pixel_size_m: float, scale: float, eight_bit: bool
) -> Quality:
    """The classical cloud/haze/shadow test (see the module docstring) on R, G, B.

    ``scale`` turns stored values into reflectance (10000 for integer Sentinel-2/Landsat, 1 for float),
    or into a fraction of full scale for 8-bit images (255)."""
    nodata = ~(np.isfinite(red) & np.isfinite(green) & np.isfinite(blue))
    r = np.nan_to_num(red / np.float32(scale))
    g = np.nan_to_num(green / np.float32(scale))
    b = np.nan_to_num(blue / np.float32(scale))
    mean = (r + g + b) / np.float32(3)
    white = (np.abs(r - mean) + np.abs(g - mean) + np.abs(b - mean)) / (mean + np.float32(1e-6))
    if eight_bit:
        hot = b - _clear_line(r, b, ~nodata)
        hazy = hot > HOT_RELATIVE
        bright, dark_level = CLOUD_BRIGHTNESS_8BIT, SHADOW_DARKNESS_8BIT
    else:
        hazy = b - np.float32(HOT_RED_WEIGHT) * r - np.float32(HOT_OFFSET) > 0
        bright, dark_level = CLOUD_BRIGHTNESS, SHADOW_DARKNESS
    hazy &= (white < WHITENESS_MAX) & ~nodata
    min_px = _px(MIN_CLOUD_M2, pixel_size_m**2)
    cloud = _drop_small(hazy & (mean > bright), min_px)
    haze = _drop_small(hazy & ~cloud, min_px)
    cloud = widen(cloud, max(CLOUD_MARGIN_M, 2 * pixel_size_m), pixel_size_m)
    shadow = cloud_shadow(mean < dark_level, cloud, pixel_size_m)
    method = "classical hot (8-bit, fitted clear line)" if eight_bit else "classical hot (reflectance)"
    return _compose(np.asarray(cloud), np.asarray(haze), shadow, nodata, method)


def _clear_line(red: Array, blue: Array, valid: Mask) -> Array:
    """Blue predicted by the clear-sky line fitted on the darker half of the valid pixels."""
    r, b = red[valid], blue[valid]
    if r.size < 100:
        return np.asarray(red, dtype=np.float32)
    step = max(1, r.size // 200_000)
    r, b = r[::step], b[::step]
    light = r + b
    sel = light <= np.median(light)
    slope, icpt = np.polyfit(r[sel].astype(np.float64), b[sel].astype(np.float64), 1)
    if not 0.2 <= slope <= 3.0:  # a degenerate fit (flat or saturated image): assume blue tracks red
        slope, icpt = 1.0, float(np.median(b[sel] - r[sel]))
    return np.asarray(np.float32(slope) * red + np.float32(icpt), dtype=np.float32)


@lru_cache(maxsize=1)
def _booster() -> Any:
    """The s2cloudless LightGBM model, loaded from the file inside the installed wheel (no network)."""
    from lightgbm import Booster

    spec = importlib.util.find_spec("s2cloudless")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("s2cloudless is not installed (pip install 'armswatch[imagery]')")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / S2CLOUDLESS_MODEL
    return Booster(model_file=str(path))


def s2cloudless_available() -> bool:
    try:
        _booster()
    except (ModuleNotFoundError, OSError, ImportError):
        return False
    return True


def s2_cloud_probability(bands: dict[str, Array]) -> Array:
    """s2cloudless cloud probability (0..1) from L1C top-of-atmosphere reflectance (0..1) by band name."""
    stack = np.stack([np.nan_to_num(bands[b]) for b in S2CLOUDLESS_BANDS], axis=-1).astype(np.float32)
    flat = stack.reshape(-1, len(S2CLOUDLESS_BANDS))
    prob = np.asarray(_booster().predict(flat), dtype=np.float32)
    return prob.reshape(stack.shape[:2])


def sentinel2(bands: dict[str, Array], *, pixel_size_m: float) -> Quality:
    """Usable mask of a Sentinel-2 L1C scene: s2cloudless clouds, classical haze and cloud shadows.

    ``bands`` holds reflectance (0..1) by Sentinel-2 band name, at least the ten s2cloudless bands and B03."""
    nodata = ~np.all([np.isfinite(bands[b]) for b in (*S2CLOUDLESS_BANDS, "B03")], axis=0)
    prob = s2_cloud_probability(bands)
    avg = _disk(_px(S2_AVERAGE_M, pixel_size_m))
    smooth = ndi.convolve(prob, (avg / avg.sum()).astype(np.float32), mode="reflect")
    cloud = (smooth > S2_THRESHOLD) & ~nodata
    if cloud.any():
        cloud = ndi.binary_dilation(cloud, structure=_disk(_px(S2_DILATION_M, pixel_size_m)))
    rgb = classical(bands["B04"], bands["B03"], bands["B02"], pixel_size_m=pixel_size_m, scale=1.0,
                    eight_bit=False)  # fmt: skip
    haze = ~rgb.usable & ~cloud & ~nodata
    mean = (np.nan_to_num(bands["B02"]) + np.nan_to_num(bands["B03"]) + np.nan_to_num(bands["B04"])) / 3
    shadow = cloud_shadow(np.asarray(mean < SHADOW_DARKNESS), np.asarray(cloud), pixel_size_m)
    return _compose(np.asarray(cloud), np.asarray(haze), shadow, nodata, "s2cloudless")


def scl(classes: npt.NDArray[np.integer], nodata_extra: Mask | None = None) -> Quality:
    """Usable mask from the Sentinel-2 L2A scene classification (SCL)."""
    c = np.asarray(classes)
    nodata = c == 0
    if nodata_extra is not None:
        nodata = nodata | nodata_extra
    cloud = np.isin(c, (8, 9, 10)) | (c == 1)
    shadow = c == 3
    return _compose(cloud, np.zeros_like(cloud), shadow, nodata, "sentinel-2 scl")


def apply(bands: dict[str, Array], usable: Mask) -> dict[str, Array]:
    """Bands with unusable pixels set to NaN."""
    return {k: np.where(usable, v, np.float32(np.nan)).astype(np.float32) for k, v in bands.items()}
