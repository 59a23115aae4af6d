"""End to end in a real Chromium: two list records an analyst resolved as one company are one search
hit, and the entity page shows the merged record (every source record with its list, names in both
scripts, who judged it and when, the chain to a designated owner). Skipped, with the reason shown by
``pytest -ra``, where no browser is installed (see ``test_browser.py``).

``ARMSWATCH_SCREENSHOTS=DIR`` keeps the screenshot (``docs/img/web-entity-resolved.png``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import PASSWORD, Case, build_case
from tests.web.test_browser import _shot, _wait, browser, pytestmark, serving
from tests.web.test_entities_resolved import add_second_list

from armswatch.entities.resolution import resolve

__all__ = ["browser", "pytestmark"]  # the shared Chromium fixture and the skip when there is none


@pytest.fixture(scope="module")
def served_resolved(
    cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Case, str]]:
    case = build_case(tmp_path_factory.mktemp("e2e-resolved"))
    add_second_list(case)
    resolve(case.ws, "pine-co", "pine-2", same=True, note="same registration number in the panel report")
    try:
        with serving(case, tmp_path_factory.mktemp("serve-resolved")) as base:
            yield case, base
    finally:
        case.ws.close()


def test_resolved_entity_page_in_the_browser(
    served_resolved: tuple[Case, str], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    _, base = served_resolved
    d = browser
    d.delete_all_cookies()
    d.get(base + "/login")
    _wait(d, ec.presence_of_element_located((By.ID, "login-form")))
    d.find_element(By.ID, "username").send_keys("viewer")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-button").click()
    _wait(d, ec.url_contains("/queue"))
    # search: the two records are one hit that says it merges two
    d.get(base + "/search?q=Pine+Shipping")
    hits = _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "#entity-results li.entity-hit"))
    pine = [h for h in hits if "pine" in h.text.lower()]
    assert len(pine) == 1 and "resolved: 2 records" in pine[0].text
    assert pine[0].get_attribute("data-id").startswith("res-")
    pine[0].find_element(By.TAG_NAME, "a").click()
    _wait(d, ec.url_contains("/entities/res-"))
    banner = d.find_element(By.ID, "resolved-banner").text
    assert "2 records" in banner and "other" in banner and "test" in banner
    rows = d.find_elements(By.CSS_SELECTOR, "#entity-records tr.record")
    assert [r.get_attribute("data-id") for r in rows] == ["pine-2", "pine-co"]
    assert "listed since 2024-02-01" in rows[0].text and "listed since 2024-01-01" in rows[1].text
    names = d.find_element(By.ID, "names").text
    assert "파인 해운" in names and "Pine Shipping LLC" in names and "PINE SHIPPING L.L.C." in names
    judged = d.find_element(By.ID, "judgements").text
    assert "ana judged pine-2 and pine-co the same" in judged and "panel report" in judged
    assert "RN-77123" in d.find_element(By.ID, "identifiers").text
    assert "Evergreen Holding Corp" in d.find_element(By.CSS_SELECTOR, "ol.paths").text
    _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "#graph circle, #graph text"))
    _shot(d, tmp_path, "entity-resolved")
    # a source record's own page shows the same resolved entity with that record opened
    rows[1].find_element(By.CSS_SELECTOR, "a").click()
    _wait(d, ec.url_contains("/entities/pine-co"))
    asked = d.find_element(By.CSS_SELECTOR, "#entity-records tr.asked")
    assert asked.get_attribute("data-id") == "pine-co"
    assert "Pine Shipping LLC" in asked.find_element(By.TAG_NAME, "details").text
    # the graph is drawn around the resolved entity's node, not the record's id
    _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "#graph circle.self"))
