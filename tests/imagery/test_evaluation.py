from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra.numpy import arrays
from PIL import Image

from armswatch.errors import InputError, MissingFileError
from armswatch.imagery.evaluation import Counts, score_dense, score_sparse
from armswatch.imagery.labelset import evaluate_paths, total


def test_dense_counts_and_metrics() -> None:
    label = np.zeros((10, 10), dtype=bool)
    label[:5, :5] = True
    pred = np.zeros_like(label)
    pred[:5, :4] = True
    pred[9, 9] = True
    c = score_dense(pred, label, min_object_pixels=1)
    assert (c.tp, c.fp, c.fn, c.tn) == (20, 1, 5, 74)
    assert c.precision == pytest.approx(20 / 21)
    assert c.recall == pytest.approx(0.8)
    assert c.iou == pytest.approx(20 / 26)
    assert c.objects == 1 and c.objects_found == 1


@given(arrays(bool, (8, 8)), arrays(bool, (8, 8)))
def test_micro_average_is_sum_of_counts(p: np.ndarray, q: np.ndarray) -> None:
    a, b = score_dense(p, q), score_dense(q, p)
    s = a + b
    assert s.tp == a.tp + b.tp and s.fp == a.fp + b.fp
    assert 0.0 <= s.f1 <= 1.0
    assert s.f1 == pytest.approx(2 * s.tp / (2 * s.tp + s.fp + s.fn)) if (s.tp + s.fp + s.fn) else s.f1 == 0


def test_sparse_scores_only_labelled_pixels() -> None:
    changed = np.zeros((6, 6), dtype=bool)
    unchanged = np.zeros_like(changed)
    changed[0, :3] = True
    unchanged[5, :] = True
    pred = np.ones_like(changed)
    pred[5, :2] = False
    c = score_sparse(pred, changed, unchanged)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 0, 4, 2)
    with pytest.raises(InputError):
        score_sparse(pred, changed, changed)


def test_object_recall_needs_half_cover() -> None:
    label = np.zeros((20, 20), dtype=bool)
    label[:4, :4] = True
    label[10:14, 10:14] = True
    pred = np.zeros_like(label)
    pred[:4, :2] = True  # half of object 1
    pred[10:11, 10:14] = True  # a quarter of object 2
    c = score_dense(pred, label, min_object_pixels=1)
    assert (c.objects, c.objects_found) == (2, 1)


def _save(path: Path, m: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((m * 255).astype(np.uint8)).save(path)


def test_folders_dense_and_sparse(tmp_path: Path) -> None:
    lab = np.zeros((16, 16), dtype=bool)
    lab[2:8, 2:8] = True
    _save(tmp_path / "pred" / "x.png", lab)
    _save(tmp_path / "pred" / "y.png", np.zeros_like(lab))
    _save(tmp_path / "label" / "x.png", lab)
    _save(tmp_path / "label" / "y.png", lab)
    scores = evaluate_paths(tmp_path / "pred", tmp_path / "label")
    assert [s.name for s in scores] == ["x", "y"]
    assert total(scores).recall == pytest.approx(0.5)
    assert [s.name for s in evaluate_paths(tmp_path / "pred", tmp_path)] == ["x", "y"]  # dataset root
    _save(tmp_path / "sparse" / "changed" / "x.png", lab)
    _save(tmp_path / "sparse" / "unchanged" / "x.png", ~lab)
    only_x = evaluate_paths(tmp_path / "pred", tmp_path / "sparse")
    assert only_x[0].counts.f1 == 1.0 and len(only_x) == 1
    with pytest.raises(MissingFileError):
        evaluate_paths(tmp_path / "pred", tmp_path / "nolabels")
    _save(tmp_path / "label" / "z.png", lab)
    with pytest.raises(MissingFileError, match="no prediction"):
        evaluate_paths(tmp_path / "pred", tmp_path / "label")


def test_empty_counts() -> None:
    c = Counts()
    assert c.f1 == c.iou == c.precision == c.recall == c.object_recall == 0.0


def test_a_damaged_mask_is_one_input_error(tmp_path: Path) -> None:
    """Found by the fuzz campaign: a PNG with damaged pixel data raised RasterioIOError mid-read."""
    import io

    from armswatch.imagery.labelset import read_mask

    buf = io.BytesIO()
    Image.fromarray((np.arange(64 * 64) % 256).astype("uint8").reshape(64, 64)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    data[data.index(b"IDAT") + 8] ^= 0xFF  # damaged compressed pixels: the header reads, the pixels do not
    (tmp_path / "mask.png").write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot read the mask"):
        read_mask(tmp_path / "mask.png")
