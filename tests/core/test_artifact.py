from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from armswatch.errors import IntegrityError, MissingFileError, NotFoundError
from armswatch.workspace import Workspace


def test_same_bytes_give_same_artifact(ws: Workspace, tmp_path: Path) -> None:
    data = b"containers on pier 3\n"
    f = tmp_path / "note.txt"
    f.write_bytes(data)
    a1 = ws.add_artifact(f)
    a2 = ws.add_artifact(data, name="other-name.txt")
    assert a1.id == a2.id == "sha256:" + hashlib.sha256(data).hexdigest()
    assert a1.name == a2.name == "note.txt"  # the first record stands: artifacts are immutable
    assert len(ws.list_artifacts()) == 1
    blob = ws.artifact_path(a1.id)
    assert blob.read_bytes() == data
    assert blob.relative_to(ws.root / "blobs" / "sha256" / a1.sha256[:2])


def test_artifact_prefix_lookup_and_unknown(ws: Workspace) -> None:
    a = ws.add_artifact(b"x", name="x.bin")
    assert ws.get_artifact(a.sha256[:10]).id == a.id
    with pytest.raises(NotFoundError):
        ws.get_artifact("deadbeefdeadbeef")
    with pytest.raises(NotFoundError):
        ws.get_artifact("abc")


def test_missing_file_is_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(MissingFileError) as err:
        ws.add_artifact(tmp_path / "nope.tif")
    assert isinstance(err.value, FileNotFoundError)


def test_blob_tampering_detected(ws: Workspace) -> None:
    a = ws.add_artifact(b"original", name="o.txt")
    path = ws.artifact_path(a.id)
    path.chmod(0o644)
    path.write_bytes(b"changed")
    with pytest.raises(IntegrityError):
        ws.blobs.verify(a.sha256)


def test_unknown_source_rejected_and_sources_idempotent(ws: Workspace) -> None:
    with pytest.raises(NotFoundError):
        ws.add_artifact(b"y", name="y", source="nobody")
    s1 = ws.add_source("Copernicus Sentinel-2", licence="Copernicus open licence", reliability="b")
    s2 = ws.add_source("Copernicus Sentinel-2")
    assert s1 == s2 == "copernicus-sentinel-2"
    assert [s.reliability for s in ws.list_sources()] == ["B"]
    a = ws.add_artifact(b"z", name="z", source=s1)
    assert a.source_id == s1
