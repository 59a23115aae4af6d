"""Evidence, munition items and violation candidates for the workbench tests, with hostile strings.

Added on top of :func:`tests.web.conftest.build_case` by the tests that need them (the base case keeps
its three findings for the queue tests). Names carry markup and spreadsheet formulas.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.web.conftest import XSS, Case

from armswatch.evidence.collect import add_evidence
from armswatch.munitions.assess import assess_items
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.store import save_items
from armswatch.violations.mapper import latest_candidates, map_violations

FORMULA = '=HYPERLINK("http://evil.example","x")'
EVIL_FILE = "<img src=x onerror=alert(1)>.jpg"


@dataclass
class Material:
    photo: str  # artifact id of the hostile-named photo (with EXIF)
    pdf: str
    simulated: str  # a simulated photo
    items: dict[str, str]  # label -> item id
    candidates: list[str]


def _jpeg(colour: tuple[int, int, int], make: str) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (120, 80), colour)
    exif = Image.Exif()
    exif[0x010F] = make  # Make
    exif[0x0132] = "2024:01:02 10:00:00"  # DateTime
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.add_metadata({"/Title": XSS, "/Author": FORMULA})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def add_material(case: Case, tmp: Path) -> Material:
    ws = case.ws
    tmp.mkdir(parents=True, exist_ok=True)
    photo_path = tmp / EVIL_FILE
    photo_path.write_bytes(_jpeg((180, 60, 40), XSS))
    photo = add_evidence(
        ws,
        photo_path,
        url="https://example.org/post?q=<script>alert(1)</script>",
        captured_at=datetime(2024, 1, 2, 10, tzinfo=UTC),
        note=XSS,
    ).artifact
    pdf_path = tmp / "report.pdf"
    pdf_path.write_bytes(_pdf())
    pdf = add_evidence(ws, pdf_path, source=None, note=FORMULA).artifact
    sim = ws.add_artifact(
        _jpeg((40, 60, 180), "SimCam"),
        name="simulated-debris.jpg",
        media_type="image/jpeg",
        metadata={"evidence": {"role": "evidentiary copy", "note": "simulated"}},
        simulated=True,
    )
    items = [
        MunitionItem.from_dict(
            {
                "id": "rocket-evil",
                "type": "rocket",
                "calibre": "122 mm",
                "family": XSS,
                "markings": ["방-122", FORMULA],
                "lot": "LOT-7",
                "factory_code": "F-17",
                "recovered_at": "2024-01",
                "recovered_place": XSS,
                "recovered_country": "UA",
                "origin_country": "KP",
                "origin_basis": FORMULA,
                "confidence_tag": "OSINT",
                "sources": ["https://example.org/a"],
                "evidence": [photo.id, sim.id],
                "sites": ["rajin-port"],
                "notes": XSS,
            }
        ),
        MunitionItem.from_dict(
            {
                "id": "rocket-two",
                "type": "rocket",
                "calibre": "122 mm",
                "family": "BM-21 type",
                "markings": ["bang-122"],
                "lot": "lot 7",
                "recovered_at": "2024-02-10",
                "recovered_place": "Kharkiv",
                "recovered_country": "UA",
                "origin_country": "KP",
                "confidence_tag": "OFFICIAL",
                "sources": ["https://example.org/b"],
            }
        ),
        MunitionItem.from_dict(
            {"id": "shell-ru", "type": "shell", "calibre": "152 mm", "markings": ["КН-23"]}
        ),
    ]
    save_items(ws, items)
    assess_items(ws)
    map_violations(ws)
    candidates = [f.id for f in latest_candidates(ws)]
    return Material(
        photo=photo.id,
        pdf=pdf.id,
        simulated=sim.id,
        items={"evil": "rocket-evil", "two": "rocket-two", "shell": "shell-ru"},
        candidates=candidates,
    )
