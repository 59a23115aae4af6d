"""Evaluation over folders (I/O edge): prediction and label files matched by file stem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery import raster
from armswatch.imagery.evaluation import Counts, Mask, score_dense, score_sparse
from armswatch.progress import NO_PROGRESS, Progress, steps

IMAGE_EXTS = (".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg", ".gif")


def read_mask(path: Path) -> Mask:
    """First band of an image file as a boolean mask (value > 127); a damaged file is an InputError."""
    from rasterio.errors import RasterioError

    try:
        with raster.open_image(path) as ds:
            return np.asarray(ds.read(1) > 127)
    except RasterioError as exc:  # found by the fuzz campaign: a truncated PNG failed mid-read
        raise InputError(f"cannot read the mask: {exc}", path=str(path)) from None


def image_files(folder: Path) -> dict[str, Path]:
    """Image files of a folder by stem."""
    if not folder.is_dir():
        raise MissingFileError("no such folder", path=str(folder))
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_EXTS}


@dataclass(frozen=True)
class FileScore:
    name: str
    counts: Counts


def evaluate_paths(
    pred: Path, label: Path, unchanged: Path | None = None, progress: Progress = NO_PROGRESS
) -> list[FileScore]:
    """Score a prediction file or folder against a label file or folder.

    Folders: files are matched by stem; a label folder with ``changed/`` and ``unchanged/`` subfolders
    (or an ``unchanged`` folder given separately) is scored sparsely. Files: one pair, sparse when
    ``unchanged`` is given."""
    if not pred.exists():
        raise MissingFileError("no such prediction file or folder", path=str(pred))
    if not label.exists():
        raise MissingFileError("no such label file or folder", path=str(label))
    if pred.is_file():
        if not label.is_file():
            raise InputError("prediction is a file, so the label must be a file too", path=str(label))
        return [_score_one(pred.stem, pred, label, unchanged)]
    if label.is_dir() and (label / "label").is_dir() and not image_files(label):
        label = label / "label"  # a dataset root laid out as A/, B/, label/
    if label.is_dir() and (label / "changed").is_dir() and (label / "unchanged").is_dir():
        unchanged = label / "unchanged"
        label = label / "changed"
    preds, labels = image_files(pred), image_files(label)
    if not labels:
        raise InputError("no label images (png, tif, bmp, jpg) in folder", path=str(label))
    missing = sorted(set(labels) - set(preds))
    if missing:
        raise MissingFileError(
            f"no prediction for label {missing[0]!r} ({len(missing)} missing)", path=str(pred)
        )
    others = image_files(unchanged) if unchanged is not None and unchanged.is_dir() else {}
    out = []
    for stem, lab in steps(progress, "scoring masks", list(labels.items())):
        un = (
            others.get(stem)
            if others
            else (unchanged if unchanged is not None and unchanged.is_file() else None)
        )
        if unchanged is not None and un is None:
            raise MissingFileError(f"no unchanged-pixel mask for {stem!r}", path=str(unchanged))
        out.append(_score_one(stem, preds[stem], lab, un))
    return out


def _score_one(name: str, pred: Path, label: Path, unchanged: Path | None) -> FileScore:
    p = read_mask(pred)
    lab = read_mask(label)
    if p.shape != lab.shape:
        raise InputError(
            f"prediction is {p.shape[1]}x{p.shape[0]} but label is {lab.shape[1]}x{lab.shape[0]}",
            path=str(pred),
        )
    if unchanged is None:
        return FileScore(name, score_dense(p, lab))
    return FileScore(name, score_sparse(p, lab, read_mask(unchanged)))


def total(scores: list[FileScore]) -> Counts:
    """Micro-averaged counts over files."""
    acc = Counts()
    for s in scores:
        acc = acc + s.counts
    return acc
