"""End to end in a real Chromium: the evidence gallery and its chain of custody, the munition items and
the violations annex, and an analysis started from the annex with its steps. Skipped, with the reason
shown by ``pytest -ra``, where no browser is installed (see ``test_browser.py``).

``ARMSWATCH_SCREENSHOTS=DIR`` keeps the screenshots (``docs/img/web-evidence*.png`` and the others).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import PASSWORD, Case, build_case
from tests.web.material import Material, add_material
from tests.web.test_browser import _shot, _wait, browser, pytestmark, serving

from armswatch.munitions.store import get_item

__all__ = ["browser", "pytestmark"]  # the shared Chromium fixture and the skip when there is none


@pytest.fixture(scope="module")
def served_case(
    cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Case, Material, str]]:
    root = tmp_path_factory.mktemp("e2e-case")
    case = build_case(root)
    material = add_material(case, root / "files")
    try:
        with serving(case, tmp_path_factory.mktemp("serve-case")) as base:
            yield case, material, base
    finally:
        case.ws.close()


def _login(d: Any, base: str, user: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    d.delete_all_cookies()
    d.get(base + "/login")
    _wait(d, ec.presence_of_element_located((By.ID, "login-form")))
    d.find_element(By.ID, "username").send_keys(user)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-button").click()
    _wait(d, ec.url_contains("/queue"))


def _images_loaded(d: Any, css: str) -> list[int]:
    return list(
        d.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".map(i => i.complete ? i.naturalWidth : -1)",
            css,
        )
    )


def _full(d: Any, tmp_path: Path, name: str) -> None:
    """A screenshot of the whole page (up to 2,400 px tall), then the viewport as it was."""
    size = d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(max(int(size["height"]), 900), 2400)
    metrics = {"width": 1400, "height": height, "deviceScaleFactor": 1, "mobile": False}
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        _shot(d, tmp_path, name)
    finally:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _no_console_errors(d: Any) -> None:
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_evidence_gallery_and_custody(
    served_case: tuple[Case, Material, str], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    case, m, base = served_case
    d = browser
    _login(d, base, "reviewer")
    d.find_element(By.LINK_TEXT, "Evidence").click()
    _wait(d, ec.presence_of_element_located((By.ID, "gallery")))
    cards = d.find_elements(By.CSS_SELECTOR, "article.evidence-card")
    assert {c.get_attribute("data-id") for c in cards} == {m.photo, m.pdf, m.simulated}
    _wait(d, lambda drv: all(w > 0 for w in _images_loaded(drv, "#gallery img")))
    assert "<img src=x onerror=alert(1)>.jpg" in d.find_element(By.ID, "gallery").text
    sim = d.find_element(By.CSS_SELECTOR, f'article[data-id="{m.simulated}"]')
    assert "simulated" in sim.text
    _full(d, tmp_path, "evidence")
    Select(d.find_element(By.ID, "e-kind")).select_by_visible_text("document")
    d.find_element(By.ID, "e-apply").click()
    _wait(d, ec.url_contains("kind=document"))
    cards = d.find_elements(By.CSS_SELECTOR, "article.evidence-card")
    assert [c.get_attribute("data-id") for c in cards] == [m.pdf]
    # one file: its metadata, hashes, and the access this visit adds to its chain of custody
    d.get(base + "/evidence")
    d.find_element(By.CSS_SELECTOR, f'article[data-id="{m.photo}"] a.name').click()
    _wait(d, ec.presence_of_element_located((By.ID, "custody")))
    assert d.find_element(By.ID, "evidence-name").text == "<img src=x onerror=alert(1)>.jpg"
    assert case.ws.get_artifact(m.photo).sha256 in d.find_element(By.ID, "identity").text
    custody = d.find_element(By.ID, "custody").text
    assert "access" in custody and "reviewer" in custody and "capture" in custody
    _wait(d, lambda drv: all(w > 0 for w in _images_loaded(drv, "#evidence-image")))
    d.find_element(By.ID, "verify-button").click()
    _wait(d, ec.presence_of_element_located((By.ID, "verified")))
    assert "verify" in d.find_element(By.ID, "custody").text
    _full(d, tmp_path, "evidence-item")
    d.get(base + "/custody")
    timeline = d.find_element(By.ID, "custody-timeline").text
    assert "capture" in timeline and "verify" in timeline
    _full(d, tmp_path, "custody")
    _no_console_errors(d)


def test_munition_items_and_linking(
    served_case: tuple[Case, Material, str], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    case, m, base = served_case
    d = browser
    _login(d, base, "reviewer")
    d.find_element(By.LINK_TEXT, "Munitions").click()
    _wait(d, ec.presence_of_element_located((By.ID, "items")))
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.item-row")) == 3
    _full(d, tmp_path, "munitions")
    d.find_element(By.ID, "m-marking").send_keys("방-122")
    d.find_element(By.ID, "m-apply").click()
    _wait(d, ec.url_contains("marking="))
    rows = d.find_elements(By.CSS_SELECTOR, "tr.item-row")
    assert sorted(r.get_attribute("data-id") for r in rows) == ["rocket-evil", "rocket-two"]
    d.find_element(By.CSS_SELECTOR, 'tr[data-id="rocket-evil"] a.title').click()
    _wait(d, ec.presence_of_element_located((By.ID, "item-markings")))
    assert "<script>alert(1)</script>" in d.find_element(By.ID, "item-title").text
    markings = d.find_element(By.ID, "item-markings").text
    assert "방-122" in markings and "bang-122" in markings
    assert "munitions.item" in d.find_element(By.ID, "assessment").text
    _wait(d, lambda drv: all(w > 0 for w in _images_loaded(drv, "#item-photos img")))
    # link the PDF report to the item as an analyst would
    Select(d.find_element(By.NAME, "link")).select_by_value("evidence")
    d.find_element(By.ID, "link-target").send_keys(m.pdf[7:23])
    d.find_element(By.CSS_SELECTOR, "#link-form button").click()
    _wait(d, ec.text_to_be_present_in_element((By.ID, "item-links"), "report.pdf"))
    assert m.pdf in get_item(case.ws, "rocket-evil").evidence
    _full(d, tmp_path, "munition")
    _no_console_errors(d)


def test_violations_annex_review_and_mapping_job(
    served_case: tuple[Case, Material, str], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    case, m, base = served_case
    d = browser
    _login(d, base, "reviewer")
    d.find_element(By.LINK_TEXT, "Violations").click()
    _wait(d, ec.presence_of_element_located((By.ID, "annex")))
    rows = d.find_elements(By.CSS_SELECTOR, "tr.candidate-row")
    assert len(rows) == len(m.candidates)
    assert "not a legal conclusion" in d.find_element(By.CSS_SELECTOR, "p.notice").text
    _full(d, tmp_path, "violations")
    rows[0].find_element(By.CSS_SELECTOR, "td a").click()
    _wait(d, ec.presence_of_element_located((By.ID, "elements")))
    cid = d.current_url.rsplit("/", 1)[1]
    assert any(s in d.find_element(By.ID, "elements").text for s in ("met", "unknown"))
    d.find_element(By.ID, "candidate-note").send_keys("Markings match the Hangul on the recovered motor")
    d.find_element(By.ID, "candidate-confirm").click()
    _wait(d, ec.text_to_be_present_in_element((By.ID, "candidate-history"), "confirmed"))
    assert case.ws.get_finding(cid).status == "confirmed"
    _full(d, tmp_path, "violation")
    # map the case again from the annex: an analysis with its steps on the Analyses page
    d.get(base + "/violations")
    d.find_element(By.CSS_SELECTOR, '#map-now button[value="violations.map"]').click()
    _wait(d, ec.url_contains("/jobs"))
    _wait(d, lambda drv: drv.find_element(By.CSS_SELECTOR, "tr.job td.state").text == "succeeded", 60)
    assert "100%" in d.find_element(By.CSS_SELECTOR, "tr.job td.phase").text
    _full(d, tmp_path, "jobs")
    _no_console_errors(d)
