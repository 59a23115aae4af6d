"""Training a counting model on an analyst's folder of images and confirmed centres (the I/O edge of
:mod:`armswatch.imagery.count_model`; the folder's layout is :mod:`armswatch.imagery.count_labels`).

The model file's provenance names every training file's SHA-256 (image, centres, search area), the object
kind and size, the parameters, the threshold chosen and its out-of-fold precision and recall, and the
armswatch version.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from armswatch import __version__
from armswatch.errors import InputError
from armswatch.imagery import outline
from armswatch.imagery.count import object_size
from armswatch.imagery.count_labels import read_labels, scan_folder
from armswatch.imagery.count_model import CountModel, TrainImage, train
from armswatch.imagery.count_run import converters, read_window
from armswatch.imagery.outline import Coords
from armswatch.progress import NO_PROGRESS, Progress, steps


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def train_folder(
    folder: Path,
    object_spec: str,
    *,
    coords: Coords = "auto",
    pixel_size_m: float | None = None,
    bands: str | None = None,
    seed: int = 0,
    progress: Progress = NO_PROGRESS,
) -> tuple[CountModel, dict[str, Any]]:
    """Train on every labelled image of ``folder``; returns the model and its provenance. Every file is
    read and checked before anything is trained (a bad file is an InputError naming it)."""
    name, length, width = object_size(object_spec)
    entries = scan_folder(folder)
    items: list[TrainImage] = []
    files: list[dict[str, Any]] = []
    for e in steps(progress, "reading images and centres", entries):
        sw = read_window(e.image, length, area_path=str(e.area) if e.area else None, coords=coords,
                         pixel_size_m=pixel_size_m, bands=bands)  # fmt: skip
        labels = read_labels(e.labels)
        system = labels.coords or outline.resolve_coords(sw.info, coords)
        if system == "wgs84" and not sw.info.georeferenced:
            raise InputError(
                "centres are in WGS84 but the image is not georeferenced (give pixel column,row)",
                path=str(e.labels),
            )
        to_px = converters(sw.info)[1] if system == "wgs84" else (lambda x, y: (x, y))
        r0, c0 = sw.window[:2]
        pts = np.array([to_px(x, y) for x, y in labels.points], dtype=np.float64).reshape(-1, 2)
        if not np.isfinite(pts).all():
            raise InputError("a centre cannot be placed on the image", path=str(e.labels))
        pts = pts - np.array([c0, r0], dtype=np.float64)
        items.append(TrainImage(sw.rgb, sw.mask, sw.pixel_size_m, pts))
        rec: dict[str, Any] = {"image": e.image.name, "image_sha256": sha256(e.image), "centres": e.labels.name,
                               "centres_sha256": sha256(e.labels), "centres_in_file": len(labels.points),
                               "pixel_size_m": round(sw.pixel_size_m, 4)}  # fmt: skip
        if e.area is not None:
            rec.update(area=e.area.name, area_sha256=sha256(e.area))
        files.append(rec)
    progress.phase("training the forest and choosing its threshold", 1)
    model, stats = train(items, name, length, width, seed=seed)
    progress.advance()
    provenance = {
        "folder": str(folder), "files": files, "object": {"name": name, "length_m": length, "width_m": width},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "armswatch_version": __version__,
        "seed": seed, "training": stats, "forest": model.forest.meta, "propose": asdict(model.propose),
        "post": asdict(model.post), "bands": bands,
    }  # fmt: skip
    return model, provenance
