"""Fuzzed readers: the package verifier and the EXIF/PDF metadata readers never crash."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from armswatch.errors import IntegrityError
from armswatch.evidence.metadata import extract_metadata
from armswatch.evidence.package import verify_package


def _jpeg() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Cam"
    exif[0x8825] = {1: "N", 2: (49.0, 59.0, 30.0), 3: "E", 4: (36.0, 13.0, 48.0)}
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Title": "t"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SEEDS = {"image/jpeg": _jpeg(), "application/pdf": _pdf()}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_metadata_readers_never_crash(media_type: str, data: st.DataObject) -> None:
    seed = bytearray(SEEDS[media_type])
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(seed) - 1))
        seed[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(seed)))
    meta = extract_metadata(bytes(seed[:cut]), media_type)
    assert isinstance(meta, dict)


def _package(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(
            ["manifest.json", "manifest.sha256", "files/a/x", "../x", "/abs", "timestamps/t.tst"]
        ),
        st.binary(max_size=200)
        | st.just(b'{"format": "armswatch-evidence-package", "version": 1, "files": [{}]}'),
        max_size=5,
    ),
    st.binary(max_size=50),
)
def test_package_verifier_never_crashes(tmp_path: Path, members: dict[str, bytes], junk: bytes) -> None:
    path = tmp_path / "fuzz.zip"
    raw = _package(members)
    path.write_bytes(raw[: len(raw) // 2] + junk if junk else raw)
    with contextlib.suppress(IntegrityError):
        verify_package(path)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["text/html", "text/css", "image/png"]),
    st.binary(max_size=400) | st.text(max_size=400).map(str.encode),
)
def test_page_resource_extraction_never_crashes(content_type: str, body: bytes) -> None:
    from armswatch.evidence.web import _resources

    found, title = _resources(
        "http://127.0.0.1/page", b"<html><img src='" + body + b"'>" + body, content_type
    )
    assert all(u.startswith(("http://", "https://")) for u in found)
    assert isinstance(title, str)


def test_damaged_zip_members_are_one_integrity_error(tmp_path: Path) -> None:
    """Found by the fuzz campaign: a member with an unknown compression method was a NotImplementedError."""
    import hashlib

    manifest = b'{"format": "armswatch-evidence-package", "version": 1, "files": [], "timestamps": [], "custody": []}'
    raw = bytearray(
        _package(
            {"manifest.json": manifest, "manifest.sha256": hashlib.sha256(manifest).hexdigest().encode()}
        )
    )
    (tmp_path / "good.zip").write_bytes(bytes(raw))
    assert verify_package(tmp_path / "good.zip").files == 0
    central = raw.index(b"manifest.json", raw.index(b"PK\x01\x02"))
    raw[central - 36] = 99  # the member's compression method in the central directory
    (tmp_path / "bad.zip").write_bytes(bytes(raw))
    with pytest.raises(IntegrityError, match="damaged zip file"):
        verify_package(tmp_path / "bad.zip")
