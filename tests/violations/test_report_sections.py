"""The report carries the evidence gallery, the munition items and the violations annex of its scope."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from armswatch.evidence.collect import add_evidence
from armswatch.munitions.assess import assess_items
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.store import save_items
from armswatch.report.build import build_report
from armswatch.report.scope import Selection
from armswatch.violations.mapper import latest_candidates, map_violations
from armswatch.workspace import Workspace


def build(ws: Workspace, tmp_path: Path) -> None:
    Image.new("RGB", (300, 200), (20, 40, 200)).save(tmp_path / "rocket.jpg")
    photo = add_evidence(ws, tmp_path / "rocket.jpg", url="https://example.org/<script>x</script>").artifact
    item = MunitionItem.from_dict(
        {
            "id": "rocket-a",
            "type": "rocket",
            "calibre": "122 mm",
            "markings": ["방-122"],
            "recovered_place": "Bakhmut <b>",
            "recovered_country": "UA",
            "recovered_at": "2024-05",
            "origin_country": "KP",
            "confidence_tag": "OFFICIAL",
            "sources": ["https://example.org/report"],
            "evidence": [photo.id],
        }
    )
    save_items(ws, [item])
    assess_items(ws)
    map_violations(ws)


def test_sections_in_the_report(ws: Workspace, tmp_path: Path) -> None:
    build(ws, tmp_path)
    html = build_report(ws)
    assert "Munition items" in html and "방-122" in html and "bang-122" in html
    assert "Bakhmut &lt;b&gt;" in html and "Bakhmut <b>" not in html
    assert "Evidence" in html and "data:image/jpeg;base64," in html
    assert "<script>x</script>" not in html
    assert "Annex: Security Council provisions the facts may engage" in html
    assert "UNSCR 1874 (2009), para. 9" in html and "not a legal conclusion" in html


def test_a_published_report_shows_only_confirmed_candidates(ws: Workspace, tmp_path: Path) -> None:
    build(ws, tmp_path)
    confirmed_only = Selection.from_options(status=["confirmed"])
    assert "Annex: Security Council" not in build_report(ws, selection=confirmed_only)
    for finding in ws.list_findings(kind="munitions."):
        ws.review_finding(finding.id, "confirmed", "checked the photo")
    [candidate] = latest_candidates(ws)
    ws.review_finding(candidate.id, "confirmed", "elements read against the resolution")
    html = build_report(ws, selection=confirmed_only)
    assert "Annex: Security Council" in html and "Munition items" in html
    ws.review_finding(candidate.id, "rejected", "procurement not shown")
    assert "Annex: Security Council" not in build_report(ws, selection=confirmed_only)
