"""Evidence capture: metadata, perceptual hashes, near-duplicates, working copies and custody."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from armswatch.errors import InputError
from armswatch.evidence.collect import add_evidence, derive_crop
from armswatch.evidence.custody import custody_events
from armswatch.evidence.metadata import extract_metadata
from armswatch.workspace import Workspace


def photo(path: Path, seed: int = 0, size: tuple[int, int] = (320, 240), gps: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    img = Image.fromarray(base).resize(size, Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Model [/x] <b>"  # Model, with markup that must stay text
    if gps:
        exif[0x8825] = {1: "N", 2: (49.0, 59.0, 30.0), 3: "E", 4: (36.0, 13.0, 48.0)}
    img.save(path, format="JPEG", exif=exif, quality=92)
    return path


def test_photo_metadata_and_gps(tmp_path: Path) -> None:
    meta = extract_metadata(photo(tmp_path / "a.jpg").read_bytes(), "image/jpeg")
    assert meta["exif"]["Make"] == "TestCam" and meta["exif"]["Model"] == "Model [/x] <b>"
    assert meta["gps"] == {"lat": pytest.approx(49.991667), "lon": pytest.approx(36.23)}
    broken = extract_metadata(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")
    assert "metadata_error" in broken


def test_pdf_metadata() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "CAR field report", "/Author": "Conflict Armament Research"})
    out = io.BytesIO()
    writer.write(out)
    meta = extract_metadata(out.getvalue(), "application/pdf")
    assert meta["pages"] == 1 and meta["info"]["Title"] == "CAR field report"


def test_add_is_idempotent_and_finds_near_duplicates(ws: Workspace, tmp_path: Path) -> None:
    first = add_evidence(
        ws,
        photo(tmp_path / "post.jpg"),
        url="https://example.org/post/1",
        captured_at=datetime(2024, 1, 2, 10, tzinfo=UTC),
        note="reshared",
    )
    assert first.new and first.artifact.metadata["phash"] and first.near_duplicates == ()
    again = add_evidence(ws, tmp_path / "post.jpg")
    assert not again.new and again.artifact.id == first.artifact.id
    # the same photo re-encoded smaller is a near-duplicate; another photo is not
    Image.open(tmp_path / "post.jpg").resize((160, 120)).save(tmp_path / "small.jpg", quality=70)
    small = add_evidence(ws, tmp_path / "small.jpg")
    assert [a for a, _ in small.near_duplicates] == [first.artifact.id]
    other = add_evidence(ws, photo(tmp_path / "other.jpg", seed=7))
    assert first.artifact.id not in [a for a, _ in other.near_duplicates]
    events = custody_events(ws, first.artifact.id)
    assert [e.event for e in events] == ["capture"] and events[0].sha256 == first.artifact.sha256
    assert events[0].details["url"] == "https://example.org/post/1"
    with pytest.raises(InputError, match="http"):
        add_evidence(ws, tmp_path / "post.jpg", url="file:///etc/passwd")


def test_working_copy_is_a_new_artifact(ws: Workspace, tmp_path: Path) -> None:
    original = add_evidence(ws, photo(tmp_path / "p.jpg")).artifact
    copy = derive_crop(ws, original.id, (10, 20, 100, 50), purpose="close-up of the marking")
    assert copy.id != original.id and copy.metadata["evidence"]["derived_from"] == original.id
    with Image.open(ws.artifact_path(copy.id)) as img:
        assert img.size == (100, 50)
    assert ws.artifact_path(original.id).read_bytes() == (tmp_path / "p.jpg").read_bytes()
    assert [e.event for e in custody_events(ws, original.id)] == ["capture", "access"]
    assert [e.event for e in custody_events(ws, copy.id)] == ["derive"]
    with pytest.raises(InputError, match="outside"):
        derive_crop(ws, original.id, (300, 200, 100, 100), purpose="x")
