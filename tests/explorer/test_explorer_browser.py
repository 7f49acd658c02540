"""`/explorer` in a real browser: headless Chromium driven by Selenium through chromedriver.

Selenium rather than Playwright: Debian packages the driver that matches its Chromium
(`chromium-driver`), so nothing is downloaded at test time; Playwright's Python package expects
browser builds of its own, fetched from the internet. One server (uvicorn in a thread, on a free
loopback port) and one browser serve the whole module. The browser's profile and TMPDIR are
short paths: under a long TMPDIR Chromium aborts ("socket path too long"), as tests/render found.

They skip, saying why, where there is no Chromium, chromedriver or Selenium.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from needs_engine import assess
from needs_engine.service.explorer.pages import scenarios

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)
DRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401

    SELENIUM = True
except ImportError:
    SELENIUM = False

pytestmark = pytest.mark.skipif(
    not (BROWSER and DRIVER and SELENIUM),
    reason="needs Chromium, chromedriver and Selenium: apt-get install -y chromium chromium-driver; pip install -e '.[test]'",
)
UNIVERSAL = "universal-new-baby-thriving"
WAIT = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from needs_engine.service.app import create_app

    port = _free_port()
    running = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the explorer's server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def _short_tmp() -> str:
    """A folder for the profile and the browser's TMPDIR whose path is short enough for its sockets."""
    base = tempfile.gettempdir()
    return "/tmp" if len(base) > 48 and os.path.isdir("/tmp") else base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="nx-", dir=_short_tmp()) as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(BROWSER)
        for argument in (
            "--headless=new",
            "--no-sandbox",  # root in CI and containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,800",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(argument)
        service = Service(str(DRIVER), env={**os.environ, "TMPDIR": profile})
        driver = webdriver.Chrome(service=service, options=options)
        try:
            yield driver
        finally:
            driver.quit()


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def _text(driver: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, css).text)


def _shot(driver: Any, name: str) -> None:
    """Keep a screenshot when asked (NEEDS_EXPLORER_SHOTS=folder), for a person to look at."""
    folder = os.environ.get("NEEDS_EXPLORER_SHOTS")
    if folder:
        driver.save_screenshot(os.path.join(folder, f"{name}.png"))


def test_load_a_scenario_change_a_fact_and_see_the_level_change(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{server}/explorer")
    Select(browser.find_element(By.ID, "scenario")).select_by_value(UNIVERSAL)
    browser.find_element(By.ID, "load").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "results"))
    before = assess(scenarios()[UNIVERSAL].situation, "knowsley")
    assert f"Family level: {before.label}" in _text(browser, "#results .family")
    _shot(browser, "loaded")

    mental_health = browser.find_element(By.ID, "fact-carers-m-mental_health")
    assert Select(mental_health).first_selected_option.text != "unknown"
    Select(mental_health).select_by_value("crisis")
    _wait(browser, lambda d: "Changed in this step" in _text(d, "#results"))
    results = _text(browser, "#results")
    assert "Family level: Safeguarding" in results and f"was {before.label.split(' (')[0]}" in results
    assert "Mental health (carers.m.mental_health): Mild → Crisis" in results
    _shot(browser, "changed")

    # Back to unknown: the fact is no longer known, and the level never drops below what is known.
    Select(browser.find_element(By.ID, "fact-carers-m-mental_health")).select_by_value("")
    _wait(browser, lambda d: "Crisis → unknown" in _text(d, "#results"))
    assert "Family level: Universal" in _text(browser, "#results .family")
    assert "No longer applies" in _text(browser, "#results")


def test_what_would_make_this_safeguarding(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{server}/explorer?scenario={UNIVERSAL}")
    browser.find_element(By.CSS_SELECTOR, "button.target[value=safeguarding]").click()
    _wait(browser, lambda d: "What would make this" in _text(d, "#target-result"))
    answer = _text(browser, "#target-result")
    assert "would be Safeguarding instead of Universal" in answer
    _shot(browser, "target")
    browser.find_element(By.CSS_SELECTOR, "button.target[value=universal]").click()
    _wait(browser, lambda d: "already Universal" in _text(d, "#target-result"))
    # A changed fact clears the answer, so it never describes an older situation.
    Select(browser.find_element(By.ID, "fact-carers-m-mental_health")).select_by_value("crisis")
    _wait(browser, lambda d: "Changed in this step" in _text(d, "#results"))
    assert _text(browser, "#target-result") == ""


def test_the_keyboard_reaches_and_changes_a_control(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{server}/explorer?scenario={UNIVERSAL}")
    box = browser.find_element(By.ID, "fact-children-c1-health-missed_appointments_12m")
    assert not box.is_displayed()  # its section is closed: nothing in it is a concern yet
    browser.find_element(By.CSS_SELECTOR, "#group-children-c1-health > summary").send_keys(Keys.ENTER)
    _wait(browser, lambda d: box.is_displayed())
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("7", Keys.TAB)
    _wait(browser, lambda d: "Changed in this step" in _text(d, "#results"))
    assert "(children.c1.health.missed_appointments_12m): 0 → 7" in _text(browser, "#results")


def test_the_quiz_shows_the_story_then_reveals(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    scenario = scenarios()[UNIVERSAL]
    browser.get(f"{server}/explorer/quiz?scenario={UNIVERSAL}&large=true")
    page = _text(browser, "main")
    assert scenario.title in page and "The room decides" in page and "The engine says" not in page
    _shot(browser, "quiz")
    browser.find_element(By.CSS_SELECTOR, "input[name=answer][value=early_help]").click()
    browser.find_element(By.ID, "reveal-button").click()
    _wait(browser, lambda d: "The engine says" in _text(d, "#reveal"))
    revealed = _text(browser, "#reveal")
    engine = assess(scenario.situation, "knowsley")
    assert f"The engine says: {engine.label}" in revealed
    assert scenario.expected["knowsley"].why in revealed and "The room said" in revealed
    _shot(browser, "revealed")


def test_the_page_loads_nothing_from_the_network(server: str, browser: Any) -> None:
    browser.get(f"{server}/explorer?scenario={UNIVERSAL}")
    _wait(browser, lambda d: d.execute_script("return typeof htmx") == "object")
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched and all(address.startswith(server) for address in fetched), fetched
