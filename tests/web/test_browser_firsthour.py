"""End to end in a real Chromium over a case shaped like the real data of a first hour (AIS in New York
harbour, a site in Slovenia, 120 vessels, a five-month hole in one track, names in Cyrillic and Hangul):
what an analyst saw there and the demo never showed. Skipped, with the reason shown by ``pytest -ra``,
where no browser is installed (see ``test_browser.py``).

``ARMSWATCH_SCREENSHOTS=DIR`` keeps the screenshots (``docs/img/web-vessels.png`` and the others).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.harbour import CYRILLIC, EVENTS, GAPPY, HANGUL, PASSWORD, SITE, VESSELS, build_harbour
from tests.web.test_browser import _shot, _wait, browser, pytestmark, serving

__all__ = ["browser", "pytestmark"]  # the shared Chromium fixture and the skip when there is none


@pytest.fixture(scope="module")
def served_harbour(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    h = build_harbour(tmp_path_factory.mktemp("e2e-harbour"))
    try:
        with serving(h.ws, tmp_path_factory.mktemp("serve-h")) as base:
            yield base
    finally:
        h.ws.close()


@pytest.fixture(scope="module")
def logged_in(served_harbour: str, browser: Any) -> tuple[Any, str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    d, base = browser, served_harbour
    d.delete_all_cookies()
    d.set_window_size(1366, 768)
    d.get(base + "/login")
    _wait(d, ec.presence_of_element_located((By.ID, "login-form")))
    d.find_element(By.ID, "username").send_keys("analyst")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-button").click()
    _wait(d, ec.url_contains("/queue"))
    return d, base


def _no_errors(d: Any) -> None:
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_the_map_opens_on_the_cases_ais_wherever_it_is(logged_in: tuple[Any, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d, base = logged_in
    d.get(base + "/map")
    el = d.find_element(By.ID, "map")
    _wait(d, lambda drv: el.get_attribute("data-ready") == "1")
    # New York harbour, not the fixed view over Korea that showed "0 of 0 vessels in view"
    _wait(d, lambda drv: el.get_attribute("data-tracks") not in (None, "0"))
    status = d.find_element(By.ID, "map-status").text
    assert status.startswith(f"{VESSELS} of {VESSELS} vessels in view"), status
    # "Show: sites" moves to the site in Slovenia, where there is no AIS
    Select(d.find_element(By.ID, "zoom-to")).select_by_value("sites")
    _wait(d, lambda drv: drv.find_element(By.ID, "map-status").text.startswith("0 of 0"))
    opts = {
        o.get_attribute("value"): o.get_attribute("disabled")
        for o in d.find_elements(By.CSS_SELECTOR, "#zoom-to option")
    }
    assert opts["findings"] == "true" and opts["ais"] is None  # no findings with a place in this case
    _no_errors(d)


def test_a_track_is_not_drawn_across_five_months_of_silence(
    logged_in: tuple[Any, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    d, base = logged_in
    d.get(f"{base}/vessels/{GAPPY}")
    vm = d.find_element(By.ID, "vessel-map")
    _wait(d, lambda drv: vm.get_attribute("data-dark-legs") is not None)
    assert vm.get_attribute("data-dark-legs") == "1"
    assert len(d.find_elements(By.CSS_SELECTOR, "#vessel-map path.dark-leg")) == 1
    assert "1 dark leg" in d.find_element(By.ID, "track-note").text
    _no_errors(d)


def test_vessels_list_pages_filters_in_any_script(logged_in: tuple[Any, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    d, base = logged_in
    d.get(base + "/queue")
    d.find_element(By.LINK_TEXT, "Vessels").click()
    _wait(d, ec.url_contains("/vessels"))
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.vessel-row")) == 50
    assert f"1–50 of {VESSELS}" in d.find_element(By.CSS_SELECTOR, ".pager").text
    _shot(d, tmp_path, "vessels")
    d.find_element(By.CSS_SELECTOR, "a.pager-next").click()
    _wait(d, ec.url_contains("offset=50"))
    assert f"51–100 of {VESSELS}" in d.find_element(By.CSS_SELECTOR, ".pager").text
    q = d.find_element(By.ID, "v-q")
    q.send_keys(HANGUL)
    d.find_element(By.ID, "v-apply").click()
    _wait(d, ec.url_contains("q="))
    rows = d.find_elements(By.CSS_SELECTOR, "tr.vessel-row")
    assert len(rows) == 1 and HANGUL in rows[0].text
    d.get(base + "/vessels?q=ледокол")
    (row,) = d.find_elements(By.CSS_SELECTOR, "tr.vessel-row")
    assert CYRILLIC in row.text  # markup in a broadcast name is text: no alert opened
    _no_errors(d)


def test_events_list_pages_and_filters(logged_in: tuple[Any, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    d, base = logged_in
    d.get(base + "/events")
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.event-row")) == 50
    _shot(d, tmp_path, "events")
    Select(d.find_element(By.ID, "e-type")).select_by_visible_text("gap")
    d.find_element(By.ID, "e-apply").click()
    _wait(d, ec.url_contains("type=gap"))
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.event-row.ev-gap")) == EVENTS // 3
    # a row's place opens the map there
    d.find_element(By.CSS_SELECTOR, "tr.event-row td.place a").click()
    _wait(d, ec.url_contains("/map?at="))
    _wait(d, lambda drv: len(drv.find_elements(By.CSS_SELECTOR, "path.at-marker")) == 1)
    _no_errors(d)


def test_site_page_shows_its_scenes(logged_in: tuple[Any, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    d, base = logged_in
    d.get(f"{base}/sites/{SITE}")
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.scene-row")) == 3
    _wait(
        d,
        lambda drv: drv.execute_script(
            "return Array.from(document.querySelectorAll('img.quicklook')).every(i => i.complete && i.naturalWidth > 0)"
        ),
    )
    assert len(d.find_elements(By.CSS_SELECTOR, "#site-series tbody tr")) == 1
    _shot(d, tmp_path, "site-imagery")
    _no_errors(d)


@pytest.mark.parametrize(
    "path", [f"/vessels/{GAPPY}", "/vessels", "/events", f"/sites/{SITE}", "/queue", "/map"]
)
def test_pages_fit_a_narrow_window(logged_in: tuple[Any, str], path: str) -> None:
    """At 800 px (a laptop screen split in two) no page scrolls sideways: columns stack, tables scroll."""
    d, base = logged_in
    d.set_window_size(800, 900)
    try:
        d.get(base + path)
        width = d.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"{path}: the page is {width[0]} px wide in a {width[1]} px window"
    finally:
        d.set_window_size(1366, 768)
