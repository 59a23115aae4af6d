"""End to end in a real Chromium (Debian's chromium and chromedriver via Selenium) against
``armswatch serve`` on 127.0.0.1: log in, filter the queue, confirm a finding, see it on the map,
open its chips. Skipped, with the reason shown by ``pytest -ra``, where no browser is installed.

Set ``ARMSWATCH_SCREENSHOTS=DIR`` to keep the screenshots (``docs/img/web-*.png`` come from there).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.web.conftest import PASSWORD, Case, build_case

from armswatch.workspace import Workspace

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no Chromium/chromedriver on this machine (Debian: apt-get install chromium chromium-driver)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,900",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(case: Case | Workspace, logdir: Path) -> Iterator[str]:
    """``armswatch serve`` over the case's workspace (or a workspace) on a free port; yields the base URL."""
    root = case.ws.root if isinstance(case, Case) else case.root
    port = _free_port()
    cmd = [
        sys.executable,
        "-c",
        "from armswatch.cli.main import main; main()",
        "serve",
        "--port",
        str(port),
        "-w",
        str(root),
    ]
    log = logdir / "serve.log"
    out = log.open("wb")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"armswatch serve did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


@pytest.fixture(scope="module")
def served(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Case, str]]:
    case = build_case(tmp_path_factory.mktemp("e2e"))
    try:
        with serving(case, tmp_path_factory.mktemp("serve")) as base:
            yield case, base
    finally:
        case.ws.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def _wait(driver: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _shot(driver: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"web-{name}.png"
    driver.save_screenshot(str(path))
    keep = os.environ.get("ARMSWATCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def test_review_a_finding_in_the_browser(served: tuple[Case, str], browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    case, base = served
    d = browser
    # log in (the queue sends an anonymous visitor to the login page and back)
    d.get(base + "/queue")
    _wait(d, ec.presence_of_element_located((By.ID, "login-form")))
    d.find_element(By.ID, "username").send_keys("reviewer")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-button").click()
    _wait(d, ec.url_contains("/queue"))
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.finding-row")) == 3
    # filter the queue
    Select(d.find_element(By.ID, "f-status")).select_by_visible_text("new")
    Select(d.find_element(By.ID, "f-kind")).select_by_visible_text("ais.gap")
    d.find_element(By.ID, "apply-filters").click()
    _wait(d, ec.url_contains("kind=ais.gap"))
    rows = d.find_elements(By.CSS_SELECTOR, "tr.finding-row")
    assert [r.get_attribute("data-id") for r in rows] == [case.findings["gap"]]
    _shot(d, tmp_path, "queue")
    # keyboard: j selects the first row, o opens it
    d.find_element(By.TAG_NAME, "body").send_keys("j")
    d.find_element(By.TAG_NAME, "body").send_keys("o")
    _wait(d, ec.url_contains("/findings/" + case.findings["gap"]))
    # confirm it with a note
    d.find_element(By.ID, "review-note").send_keys("AIS gap matches the port call on imagery")
    d.find_element(By.ID, "confirm-button").click()
    _wait(d, ec.text_to_be_present_in_element((By.ID, "review-history"), "confirmed"))
    assert "reviewer" in d.find_element(By.ID, "review-history").text
    assert case.ws.get_finding(case.findings["gap"]).status == "confirmed"
    _shot(d, tmp_path, "finding")
    # see it on the map: the page opens the finding's popup, now green/confirmed
    d.find_element(By.ID, "on-map").click()
    popup = _wait(d, ec.visibility_of_element_located((By.CSS_SELECTOR, ".leaflet-popup-content")))
    assert "Dark for 31 h" in popup.text and "confirmed" in popup.text
    _wait(d, lambda drv: drv.find_element(By.ID, "map").get_attribute("data-tracks") not in (None, "0"))
    time.sleep(0.5)  # let the base map paint for the screenshot
    _shot(d, tmp_path, "map")
    # open the chips of the imagery finding: side by side, then swipe
    d.get(base + "/findings/" + case.findings["change"])
    for chip in ("chip-before", "chip-after"):
        img = _wait(d, ec.visibility_of_element_located((By.ID, chip)))
        _wait(
            d,
            lambda drv, el=img: drv.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", el
            ),
        )
        assert d.execute_script("return arguments[0].naturalWidth", img) == 64
    d.find_element(By.CSS_SELECTOR, '.chip-modes button[data-mode="swipe"]').click()
    swipe = d.find_element(By.ID, "chips-swipe")
    assert swipe.is_displayed() and not d.find_element(By.ID, "chips-side").is_displayed()
    rng = d.find_element(By.ID, "swipe-range")
    rng.send_keys(Keys.END)
    assert d.find_element(By.ID, "swipe-over").value_of_css_property("width") != "0px"
    _shot(d, tmp_path, "chips")
    # markup in a name is text in the browser too: no alert opened, the title shows the characters
    assert "<script>" in d.find_element(By.ID, "finding-title").text
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
