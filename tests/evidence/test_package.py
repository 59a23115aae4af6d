"""Evidence packages verify on their own and name what was tampered with."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from armswatch.errors import IntegrityError
from armswatch.evidence.collect import add_evidence
from armswatch.evidence.package import export_package, verify_package
from armswatch.evidence.stamp import timestamp_artifact
from armswatch.workspace import Workspace

from .test_collect import photo
from .tsa import OPENSSL, Tsa, running_tsa


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tsa]:
    if OPENSSL is None:
        pytest.skip("openssl is not installed: no local TSA")
    with running_tsa(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


@pytest.fixture()
def package(ws: Workspace, tmp_path: Path, tsa: Tsa) -> Path:
    a = add_evidence(ws, photo(tmp_path / "a.jpg")).artifact
    b = add_evidence(ws, photo(tmp_path / "b.jpg", seed=3)).artifact
    timestamp_artifact(ws, a.id, tsa.url, ca_cert=tsa.ca_cert.read_bytes())
    with ws.run("analyst.note") as run:
        fid = run.add_finding(
            kind="munitions.item", title="122 mm rocket marked 방-122", evidence=[a.id, b.id]
        )
    out = tmp_path / "package.zip"
    manifest = export_package(ws, out, finding=fid)
    assert len(manifest["files"]) == 2 and len(manifest["timestamps"]) == 1
    assert {e["event"] for e in manifest["custody"]} >= {"capture", "timestamp"}
    return out


def test_package_verifies_without_the_workspace(package: Path, tsa: Tsa) -> None:
    report = verify_package(package)
    assert report.files == 2 and report.timestamps == 1 and report.timestamps_trusted == 0 and report.notes
    trusted = verify_package(package, ca_cert=tsa.ca_cert.read_bytes())
    assert trusted.timestamps_trusted == 1


def rewrite(
    src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change.get(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_tampering_is_named_in_one_line(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    photo_member = manifest["files"][0]["path"]
    cases = {
        "altered": ({photo_member: b"edited pixels"}, None, "altered"),
        "missing": ({photo_member: None}, None, "missing"),
        "extra": ({}, {"files/extra.txt": b"x"}, "not in the manifest"),
        "manifest": ({"manifest.json": b"{}"}, None, "manifest.sha256"),
        "traversal": ({}, {"../escape.txt": b"x"}, "unsafe path"),
    }
    for name, (change, add, message) in cases.items():
        bad = rewrite(package, tmp_path / f"{name}.zip", change, add)
        with pytest.raises(IntegrityError, match=message):
            verify_package(bad)
    (tmp_path / "junk.zip").write_bytes(b"PK not a zip")
    with pytest.raises(IntegrityError, match="not a readable zip"):
        verify_package(tmp_path / "junk.zip")


def test_a_token_moved_to_another_file_fails(package: Path, tmp_path: Path) -> None:
    import hashlib

    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    stamp = manifest["timestamps"][0]
    other = next(f["artifact"] for f in manifest["files"] if f["artifact"] != stamp["of"])
    stamp["of"] = other
    text = json.dumps(manifest).encode()
    bad = rewrite(
        package,
        tmp_path / "moved.zip",
        {"manifest.json": text, "manifest.sha256": hashlib.sha256(text).hexdigest().encode()},
    )
    with pytest.raises(IntegrityError, match="other content"):
        verify_package(bad)
