"""Own models: training on a label set, a validated model file with provenance, use in change."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from armswatch.cli.main import app as root
from armswatch.errors import InputError
from armswatch.imagery import forest, labelset
from armswatch.imagery.tiling import run_change
from armswatch.workspace import Workspace

from .scenes import add_building, construction_pair, terrain, write_png


def make_labelset(root_dir: Path, n: int = 3) -> Path:
    for d in ("A", "B", "label"):
        (root_dir / d).mkdir(parents=True)
    for k in range(n):
        before, after, truth = construction_pair(160, seed=k)
        write_png(root_dir / "A" / f"p{k}.png", before)
        write_png(root_dir / "B" / f"p{k}.png", after)
        Image.fromarray(truth.astype(np.uint8) * 255).save(root_dir / "label" / f"p{k}.png")
    return root_dir


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("train")
    ls = make_labelset(tmp / "labels")
    res = CliRunner().invoke(root, ["imagery", "train", str(ls), "-o", str(tmp / "m.npz")])
    assert res.exit_code == 0, res.output
    return ls, tmp / "m.npz"


def test_model_file_names_its_training_data_and_parameters(trained: tuple[Path, Path]) -> None:
    ls, path = trained
    model = forest.load(path)
    prov = model.meta["provenance"]
    assert [p["pair"] for p in prov["pairs"]] == ["p0", "p1", "p2"]
    digest = hashlib.sha256((ls / "label" / "p1.png").read_bytes()).hexdigest()
    assert prov["pairs"][1]["label_sha256"] == digest
    assert model.meta["seed"] == 0 and model.meta["n_trees"] == 40 and model.n_trees == 40


def test_own_model_finds_new_buildings_in_an_unseen_pair(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, path = trained
    before = terrain(200, seed=42)
    after = add_building(add_building(before, 30, 40, 26, 30), 120, 110, 30, 34)
    a, b = write_png(tmp_path / "a.png", before), write_png(tmp_path / "b.png", after)
    run_change(str(a), str(b), str(tmp_path / "m.png"), model=forest.load(path))
    mask = labelset.read_mask(tmp_path / "m.png")
    assert mask[35:52, 45:65].mean() > 0.5 and mask[125:145, 115:140].mean() > 0.5
    assert mask[:, 170:].mean() < 0.02


def _rewrite(path: Path, out: Path, **changes: object) -> Path:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)  # type: ignore[arg-type]
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    out.write_bytes(buf.getvalue())
    return out


def test_tampered_or_hostile_model_files_are_refused(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, path = trained
    with np.load(path, allow_pickle=False) as z:
        left = z["left"].copy()
        header = json.loads(z["header"].tobytes().decode())
    left[0, 0] = 10**6
    with pytest.raises(InputError, match="child index"):
        forest.load(_rewrite(path, tmp_path / "a.npz", left=left))
    header["format"] = "something/else"
    hdr = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with pytest.raises(InputError, match="format"):
        forest.load(_rewrite(path, tmp_path / "b.npz", header=hdr))
    np.save(tmp_path / "c.npy", np.array([object()], dtype=object), allow_pickle=True)
    (tmp_path / "c.npz").write_bytes((tmp_path / "c.npy").read_bytes())
    with pytest.raises(InputError, match="not an armswatch change model"):
        forest.load(tmp_path / "c.npz")
    buf = io.BytesIO()
    np.savez(buf, left=np.array([object()], dtype=object))
    (tmp_path / "d.npz").write_bytes(buf.getvalue())
    with pytest.raises(InputError):
        forest.load(tmp_path / "d.npz")
    with pytest.raises(InputError, match="no such model"):
        forest.load(tmp_path / "missing.npz")


def test_train_refuses_a_folder_without_labels(tmp_path: Path) -> None:
    (tmp_path / "A").mkdir()
    res = CliRunner().invoke(root, ["imagery", "train", str(tmp_path), "-o", str(tmp_path / "m.npz")])
    assert res.exit_code == 2 and "B/" in res.output and not (tmp_path / "m.npz").exists()


def test_train_in_a_workspace_stores_the_model_artifact(ws: Workspace, tmp_path: Path) -> None:
    ls = make_labelset(tmp_path / "labels", n=2)
    res = CliRunner().invoke(
        root, ["imagery", "train", str(ls), "-o", str(tmp_path / "m.npz"), "--workspace", str(ws.root)]
    )
    assert res.exit_code == 0, res.output
    (run,) = ws.list_runs(tool="imagery.train")
    art = ws.get_artifact(run.outputs[0])
    assert art.metadata["kind"] == "imagery.model" and len(art.metadata["provenance"]["pairs"]) == 2


def test_a_model_is_refused_by_images_with_other_bands(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, path = trained
    from armswatch.imagery import guided

    with pytest.raises(InputError, match="NIR"):
        guided.check_model(forest.load(path), with_nir=True)
