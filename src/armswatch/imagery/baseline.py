"""Classical training-free change baselines, kept for comparison in benchmarks and as ``--method``.

* ``cva``: change-vector analysis on per-image standardised bands, Otsu threshold on the magnitude.
* ``pca-kmeans``: Celik (2009): PCA of non-overlapping h×h difference blocks, k-means (k=2) on the
  per-pixel projections of the difference neighbourhoods; the cluster with the larger mean difference
  is change.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.cluster.vq import kmeans2
from skimage.filters import threshold_otsu

from armswatch.imagery.feature import Array

Mask = npt.NDArray[np.bool_]


def standardise(image: Array) -> Array:
    """Per-band zero mean, unit variance over the image."""
    mean = image.mean(axis=(1, 2), keepdims=True)
    std = image.std(axis=(1, 2), keepdims=True) + np.float32(1e-6)
    return np.asarray((image - mean) / std, dtype=np.float32)


def cva_magnitude(before: Array, after: Array) -> Array:
    """Change-vector magnitude of per-image standardised bands."""
    d = standardise(after) - standardise(before)
    return np.asarray(np.sqrt((d * d).sum(axis=0)), dtype=np.float32)


def cva(before: Array, after: Array) -> tuple[Mask, Array]:
    """CVA + Otsu. Returns the mask and the magnitude."""
    mag = cva_magnitude(before, after)
    if float(mag.max()) == float(mag.min()):
        return np.zeros(mag.shape, dtype=bool), mag
    return np.asarray(mag > threshold_otsu(mag)), mag  # type: ignore[no-untyped-call]


def pca_kmeans(
    before: Array, after: Array, block: int = 4, dims: int = 3, seed: int = 0
) -> tuple[Mask, Array]:
    """PCA-k-means (Celik 2009) on the absolute difference of the band means. Returns mask and score."""
    diff = np.abs(before.mean(axis=0) - after.mean(axis=0)).astype(np.float32)
    h = block
    pad = np.pad(diff, ((h // 2, h - 1 - h // 2), (h // 2, h - 1 - h // 2)), mode="reflect")
    windows = sliding_window_view(pad, (h, h)).reshape(diff.shape[0] * diff.shape[1], h * h)
    rows, cols = diff.shape[0] // h * h, diff.shape[1] // h * h
    blocks = diff[:rows, :cols].reshape(rows // h, h, cols // h, h).swapaxes(1, 2).reshape(-1, h * h)
    mean = blocks.mean(axis=0)
    _, _, vt = np.linalg.svd(blocks - mean, full_matrices=False)
    proj = (windows - mean) @ vt[:dims].T
    sample = np.asarray(proj[:: max(1, len(proj) // 100_000)], dtype=np.float64)
    centres, _ = kmeans2(sample, 2, minit="++", seed=seed)
    dist = ((proj[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    lab = dist.argmin(axis=1).reshape(diff.shape)
    means = [float(diff[lab == k].mean()) if (lab == k).any() else 0.0 for k in (0, 1)]
    change = int(np.argmax(means))
    score = np.asarray(diff / (diff.max() + 1e-6), dtype=np.float32)
    return np.asarray(lab == change), score
