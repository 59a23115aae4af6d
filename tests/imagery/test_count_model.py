"""Trained counting models: training from an analyst's folder, counting with the model, model files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import InputError
from armswatch.imagery import count_model, forest
from armswatch.imagery.count_eval import match
from armswatch.imagery.count_features import FEATURES
from armswatch.imagery.count_labels import parse_csv, parse_geojson, scan_folder
from armswatch.imagery.count_synth import Composite, composite, texture_background
from armswatch.workspace import Workspace

runner = CliRunner()
KIND = "container"


def scene(seed: int) -> Composite:
    return composite(texture_background(224, 224, seed=seed), KIND, seed=seed)


def save(c: Composite, folder: Path, name: str, labels: str = "csv", points: list | None = None) -> list:
    """Write the image, its centres (pixel coordinates) and its search area; return the true objects."""
    img, objs, _ = c.render()
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img.astype(np.uint8).transpose(1, 2, 0)).save(folder / f"{name}.png")
    pts = [(o.x, o.y) for o in objs] if points is None else points
    if labels == "csv":
        rows = "".join(
            f"{k},detected,{x:.2f},{y:.2f},{x:.1f},{y:.1f},0,1\n" for k, (x, y) in enumerate(pts, 1)
        )
        (folder / f"{name}.csv").write_text("id,source,x,y,col,row,angle,score\n" + rows)
    else:
        feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": {}}
                 for x, y in pts]  # fmt: skip
        doc = {
            "type": "FeatureCollection",
            "features": feats,
            "properties": {"coordinates": "pixel (column, row)"},
        }
        (folder / f"{name}.geojson").write_text(json.dumps(doc))
    y0, x0, y1, x1 = c.yard
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    (folder / f"{name}.area.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    return objs


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    """A model trained on three SIMULATED yards, and a fourth (held-out) yard."""
    root = tmp_path_factory.mktemp("count_model")
    train = root / "train"
    for k in range(3):
        save(scene(10 + k), train, f"yard{k}", labels="csv" if k else "geojson")
    held = root / "held"
    truth = save(scene(42), held, "held")
    res = runner.invoke(
        app, ["imagery", "count-train", str(train), "--object", KIND, "-o", str(root / "m.npz"), "-q"]
    )
    assert res.exit_code == 0, res.output
    return root, held, truth


def _count(
    held: Path, model: Path | None, out: Path, extra: tuple[str, ...] = ()
) -> list[tuple[float, float]]:
    args = ["imagery", "count", str(held / "held.png"), "--object", KIND, "--area", str(held / "held.area.geojson"),
            "--positions", str(out), "-q", *extra]  # fmt: skip
    if model is not None:
        args += ["--model", str(model)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    return [tuple(f["geometry"]["coordinates"]) for f in doc["features"]]


def _recall(points: list[tuple[float, float]], truth: list) -> tuple[float, float]:
    from armswatch.imagery.count_model import _Pt

    s = match([_Pt(x, y) for x, y in points], truth, 0.5)
    return s.recall, s.precision


def test_trained_model_counts_held_out_yard_better_than_a_wrong_model(
    trained: tuple[Path, Path, list],
) -> None:
    root, held, truth = trained
    recall, precision = _recall(_count(held, root / "m.npz", root / "model.geojson"), truth)
    assert recall >= 0.75 and precision >= 0.75, (recall, precision)
    # a wrong model: trained on the same yards with "centres" on bare ground, away from every object
    wrong = root / "wrong"
    rng = np.random.default_rng(1)
    for k in range(3):
        c = scene(10 + k)
        _, objs, _ = c.render()
        y0, x0, y1, x1 = c.yard
        cand = np.column_stack([rng.uniform(x0, x1, 400), rng.uniform(y0, y1, 400)])
        far = [p for p in cand if min(np.hypot(p[0] - o.x, p[1] - o.y) for o in objs) > 20]
        save(c, wrong, f"yard{k}", points=[(float(x), float(y)) for x, y in far[: len(objs)]])
    res = runner.invoke(
        app, ["imagery", "count-train", str(wrong), "--object", KIND, "-o", str(root / "w.npz"), "-q"]
    )
    if res.exit_code == 0:  # it may also refuse: no candidate matches a centre
        w_recall, _ = _recall(_count(held, root / "w.npz", root / "wrong.geojson"), truth)
        assert w_recall < recall - 0.3, (w_recall, recall)
    else:
        assert res.exit_code == 2 and "no candidate" in res.output


def test_model_file_provenance(trained: tuple[Path, Path, list]) -> None:
    root, _, _ = trained
    m = count_model.load(root / "m.npz")
    assert m.object_name == KIND and (m.length_m, m.width_m) == (12.2, 2.4)
    assert 0.0 < m.threshold < 1.0 and len(m.sha256) == 64
    prov = m.forest.meta["provenance"]
    assert prov["object"] == {"name": KIND, "length_m": 12.2, "width_m": 2.4}
    assert prov["armswatch_version"] and prov["trained_at"]
    files = {f["image"]: f for f in prov["files"]}
    assert sorted(files) == ["yard0.png", "yard1.png", "yard2.png"]
    import hashlib

    data = (root / "train" / "yard1.csv").read_bytes()
    assert files["yard1.png"]["centres_sha256"] == hashlib.sha256(data).hexdigest()
    assert files["yard0.png"]["centres"] == "yard0.geojson" and len(files["yard0.png"]["area_sha256"]) == 64
    st = prov["training"]
    assert st["positives"] > 0 and st["negatives"] > st["positives"] and st["threshold"] == m.threshold
    assert [t for t, _ in st["thresholds"]] == list(count_model.THRESHOLDS)


def test_count_with_model_finding_names_model_hash(trained: tuple[Path, Path, list], tmp_path: Path) -> None:
    root, held, _ = trained
    ws = Workspace.init(tmp_path / "case", analyst="tester")
    ws.save_sites([make_site()])
    ws.close()
    _count(held, root / "m.npz", tmp_path / "p.geojson",
           ("-w", str(tmp_path / "case"), "--site", "rajin-port", "--finding", "--date", "2024-01-05"))  # fmt: skip
    sha = count_model.load(root / "m.npz").sha256
    with Workspace.open(tmp_path / "case") as ws2:
        (f,) = ws2.list_findings(kind="imagery.count")
        assert f.details["model"]["sha256"] == sha and f.details["model"]["artifact"] == f"sha256:{sha}"
        assert "trained counting model" in f.summary
        art = ws2.get_artifact(f"sha256:{sha}")
        assert art.metadata["kind"] == "imagery.count_model"
    res = runner.invoke(app, ["imagery", "count-train", str(root / "train"), "--object", KIND,
                              "-o", str(tmp_path / "m2.npz"), "-w", str(tmp_path / "case"), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    with Workspace.open(tmp_path / "case") as ws3:
        sha2 = count_model.load(tmp_path / "m2.npz").sha256
        art = ws3.get_artifact(f"sha256:{sha2}")
        assert art.metadata["provenance"]["object"]["name"] == KIND


def test_model_for_another_object_or_a_change_model_is_refused(trained: tuple[Path, Path, list]) -> None:
    root, held, _ = trained
    base = ["imagery", "count", str(held / "held.png"), "-q"]
    res = runner.invoke(app, [*base, "--object", "railcar", "--model", str(root / "m.npz")])
    assert res.exit_code == 2 and "trained for container" in res.output
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    change = forest.fit(x, x[:, 0] > 0, ("a", "b"), n_trees=2, max_depth=2)
    (root / "change.npz").write_bytes(forest.to_bytes(change, {}))
    res = runner.invoke(app, [*base, "--object", KIND, "--model", str(root / "change.npz")])
    assert res.exit_code == 2 and "change model" in res.output
    with pytest.raises(InputError, match="counting model"):  # and the other way round
        forest.load(root / "m.npz")


def _tamper(src: Path, dst: Path, **changes: object) -> Path:
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(arrays["header"].tobytes().decode())
    for k, v in changes.items():
        if k in arrays and isinstance(v, np.ndarray):
            arrays[k] = v
        elif k.startswith("extra."):
            header["extra"][k[6:]] = v
        else:
            header[k] = v
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    dst.write_bytes(buf.getvalue())
    return dst


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"left": np.zeros((2, 3), dtype=np.int32)}, "shaped|expected"),
        ({"feature_names": ["a", "b"]}, "feature index"),
        ({"feature_names": [f"f{i}" for i in range(len(FEATURES))]}, "features are not"),
        ({"format": "armswatch.something/9"}, "format"),
        ({"extra.threshold": 7.0}, "threshold"),
        ({"extra.length_m": -1}, "length_m"),
        ({"extra.propose": {"contrast": "x"}}, "contrast|out of range"),
        ({"extra.object": ""}, "object"),
    ],
)
def test_tampered_model_is_input_error(
    trained: tuple[Path, Path, list], tmp_path: Path, change: dict, why: str
) -> None:
    root, _, _ = trained
    bad = _tamper(root / "m.npz", tmp_path / "bad.npz", **change)
    with pytest.raises(InputError, match=why):
        count_model.load(bad)
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(InputError, match="counting model"):
        count_model.load(tmp_path / "junk.npz")


def test_cli_bad_label_folders_exit_2_and_write_nothing(tmp_path: Path) -> None:
    c = scene(5)
    cases = {
        "bad-number": lambda f: (f / "y.csv").write_text("x,y\n1,2\nthree,4\n"),
        "no-labels": lambda f: (f / "y.csv").unlink(),
        "orphan": lambda f: (f / "other.geojson").write_text("{}"),
        "not-json": lambda f: ((f / "y.csv").unlink(), (f / "y.geojson").write_text("{oops")),
        "polygon": lambda f: ((f / "y.csv").unlink(), (f / "y.geojson").write_text(
            json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}))),
        "two-labels": lambda f: (f / "y.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []})),
        "wgs84-on-pixels": lambda f: (f / "y.geojson").write_text(
            json.dumps({"type": "Point", "coordinates": [1, 2]})) if False else ((f / "y.csv").unlink(), (
            f / "y.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [], "properties": {"coordinates": "WGS84"}}))),
    }  # fmt: skip
    expect = {"bad-number": "y.csv:3", "no-labels": "y.png", "orphan": "other.geojson", "not-json": "y.geojson",
              "polygon": "Point", "two-labels": "two label files", "wgs84-on-pixels": "WGS84"}  # fmt: skip
    for name, breaker in cases.items():
        folder = tmp_path / name
        save(c, folder, "y")
        breaker(folder)
        out = tmp_path / f"{name}.npz"
        res = runner.invoke(
            app, ["imagery", "count-train", str(folder), "--object", KIND, "-o", str(out), "-q"]
        )
        assert res.exit_code == 2, (name, res.output)
        assert expect[name] in res.output and "Traceback" not in res.output, (name, res.output)
        assert len(res.output.strip().splitlines()) == 1, (name, res.output)
        assert not out.exists() and not list(tmp_path.glob(f".{name}.npz*"))


def test_label_parsers() -> None:
    assert parse_csv(b"\xef\xbb\xbfX,Y\n1,2\n\n3.5,4\n", "f.csv").points == ((1.0, 2.0), (3.5, 4.0))
    doc = {"type": "FeatureCollection", "properties": {"coordinates": "pixel (column, row)"},
           "features": [{"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}}]}  # fmt: skip
    lab = parse_geojson(json.dumps(doc).encode(), "f.geojson")
    assert lab.points == ((1.0, 2.0), (3.0, 4.0)) and lab.coords == "pixel"
    for data, why in ((b"x,y\n1,nan\n", "finite"), (b"a,b\n1,2\n", "header"), (b"\xff\xfe", "UTF-8")):
        with pytest.raises(InputError, match=why):
            parse_csv(data, "f.csv")
    for data, why in ((b'{"type": "Point", "coordinates": [true, 1]}', "numbers"), (b"[" * 100_000, "JSON"),
                      (b'{"type": "Point", "coordinates": [1e999, 1]}', "finite"), (b"[]", "object")):  # fmt: skip
        with pytest.raises(InputError, match=why):
            parse_geojson(data, "f.geojson")


def test_scan_folder_pairs_files(tmp_path: Path) -> None:
    for n in ("a.png", "a.csv", "a.area.geojson", "b.tif", "b.geojson", "notes.txt"):
        (tmp_path / n).write_bytes(b"x")
    got = {e.image.name: (e.labels.name, e.area.name if e.area else None) for e in scan_folder(tmp_path)}
    assert got == {"a.png": ("a.csv", "a.area.geojson"), "b.tif": ("b.geojson", None)}
