"""Training an own change model on a labelled set (``A/``, ``B/``, ``label/`` with the same file names).

The model is the forest of :mod:`armswatch.imagery.learn` trained on balanced candidate pixels of every
pair. Its file header names the training data (every file's SHA-256), the parameters and the armswatch
version, so a model can always be traced to what it learned from. Models trained on research-only data
(LEVIR-CD, DSIFN-CD) must not be redistributed; armswatch ships none.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from armswatch import __version__
from armswatch.errors import InputError
from armswatch.imagery import forest, labelset, learn, pixelfeature, raster
from armswatch.imagery.change import DEFAULT_PIXEL_SIZE_M, BuiltupParams, decide, gated_difference, pair_stats
from armswatch.imagery.forest import Forest
from armswatch.progress import NO_PROGRESS, Progress, steps

MIN_PAIRS = 1


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read(path: Path, bands: str | None) -> tuple[np.ndarray, float | None]:
    info = raster.image_info(path, bands)
    with raster.open_image(path) as ds:
        return np.nan_to_num(raster.read_visible(ds, info)), info.pixel_size_m


def train_labelset(
    folder: Path,
    *,
    bands: str | None = None,
    pixel_size_m: float | None = None,
    seed: int = 0,
    n_trees: int = 40,
    max_depth: int = 10,
    progress: Progress = NO_PROGRESS,
) -> tuple[Forest, dict[str, Any]]:
    """Train on every labelled pair of ``folder``; returns the forest and its provenance."""
    for sub in ("A", "B", "label"):
        if not (folder / sub).is_dir():
            raise InputError(
                f"a label set needs A/, B/ and label/ folders ({sub}/ is missing)", path=str(folder)
            )
    labels = labelset.image_files(folder / "label")
    if len(labels) < MIN_PAIRS:
        raise InputError("no labelled pairs found", path=str(folder / "label"))
    params = BuiltupParams()
    rng = np.random.default_rng(seed)
    xs, ys, files, nir = [], [], [], set()
    for stem, lab_path in steps(progress, "reading labelled pairs", sorted(labels.items())):
        pa, pb = folder / "A" / lab_path.name, folder / "B" / lab_path.name
        for p in (pa, pb):
            if not p.is_file():
                raise InputError(f"label {lab_path.name} has no matching image", path=str(p))
        a, px_a = _read(pa, bands)
        b, _ = _read(pb, bands)
        label = labelset.read_mask(lab_path)
        if a.shape[1:] != b.shape[1:] or a.shape[1:] != label.shape:
            raise InputError(f"{stem}: A, B and label differ in size", path=str(lab_path))
        px = pixel_size_m or px_a or DEFAULT_PIXEL_SIZE_M
        nir.add(a.shape[0] >= 4 and b.shape[0] >= 4)
        norm = pair_stats(a, b, params, px)
        diff = gated_difference(a, b, params, px, norm)
        base = decide(diff, params, px).mask
        feats = pixelfeature.pair_features(a, b, px, params=params, norm=norm)
        smp = learn.pair_samples(feats, diff, base, label, px, rng)
        xs.append(smp.x)
        ys.append(smp.y)
        files.append({"pair": stem, "before_sha256": _sha256(pa), "after_sha256": _sha256(pb),
                      "label_sha256": _sha256(lab_path), "pixel_size_m": px})  # fmt: skip
    if len(nir) > 1:
        raise InputError("some pairs have a NIR band and others not; train on one kind", path=str(folder))
    progress.phase("fitting the forest", 1)
    model = forest.fit(np.concatenate(xs), np.concatenate(ys), pixelfeature.names(nir.pop()),
                       n_trees=n_trees, max_depth=max_depth, seed=seed)  # fmt: skip
    progress.advance()
    provenance = {
        "labelset": str(folder), "pairs": files, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "armswatch_version": __version__, "parameters": model.meta, "default_method": "builtup",
        "samples_per_class_per_pair": learn.PAIR_SAMPLES, "bands": bands,
    }  # fmt: skip
    return model, provenance


def write_model(model: Forest, provenance: dict[str, Any], output: Path) -> bytes:
    """Write the model file atomically; returns its bytes."""
    data = forest.to_bytes(model, provenance)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)
    return data
