"""/docs and /redoc render every operation in a real browser with no network beyond the service.

Headless Chromium (Debian's `chromium`) driven by Selenium through Debian's `chromium-driver`,
both installed by `.ci/run`. The browser is cut off from every other host twice over: a proxy
that does not exist for everything but loopback (Chromium never sends loopback through a proxy),
and a resolver that knows no name. And the test does not rely on the blocking alone: Chromium's
own network log must show no request to anywhere but the service. Skips, saying why, where there
is no browser, no driver or no Selenium.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import Server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

BROWSER = next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason="no headless Chromium and chromedriver on PATH; install Debian's chromium and chromium-driver "
    "(apt-get install -y chromium chromium-driver, as .ci/run does)",
)
RENDER_SECONDS = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Chromium keeps a socket under its temporary folder, and a socket path is limited to about
    # 107 bytes: under pytest's long TMPDIR it would abort. /tmp is short (see scripts/chromium.py).
    with tempfile.TemporaryDirectory(prefix="needs-docs-", dir="/tmp") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = BROWSER
        for argument in (
            "--headless=new",
            "--no-sandbox",  # root in CI and containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            f"--user-data-dir={profile}",
            "--proxy-server=http://127.0.0.1:9",  # nothing listens there: any other host is unreachable
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        service = webdriver.ChromeService(executable_path=DRIVER, env={**os.environ, "TMPDIR": profile})
        driver = webdriver.Chrome(options=options, service=service)
        try:
            yield driver
        finally:
            driver.quit()


def operations(server: Server) -> dict[str, str]:
    """operationId → summary, from the service's own OpenAPI document."""
    with urllib.request.urlopen(server.url + "/openapi.json", timeout=30) as response:
        document = json.loads(response.read())
    return {op["operationId"]: op["summary"] for methods in document["paths"].values() for op in methods.values()}


def requests_sent(driver: Any) -> list[tuple[str, str]]:
    """Every request the page made since the last call, as (URL, why it failed or ''), from Chromium's log."""
    urls: dict[str, str] = {}
    failed: dict[str, str] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif message.get("method") == "Network.loadingFailed":
            failed[params["requestId"]] = params.get("blockedReason") or params.get("errorText", "failed")
    return [(url, failed.get(request, "")) for request, url in urls.items()]


def off_the_machine(requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Requests for another host that the browser did not refuse itself (its page policy, 'csp',
    refuses a request before anything is sent; the blocking proxy would only catch it later)."""
    return [
        (url, why)
        for url, why in requests
        if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOCAL_HOSTS and why != "csp"
    ]


def test_swagger_ui_renders_every_operation_offline(server: Server, browser: Any) -> None:
    expected = operations(server)
    browser.get_log("performance")  # start the log afresh
    browser.get(server.url + "/docs")
    wait = WebDriverWait(browser, RENDER_SECONDS)
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) >= len(expected))
    blocks = browser.find_elements(By.CSS_SELECTOR, ".opblock")
    assert len(blocks) == len(expected)
    shown = {element.text for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-description")}
    assert shown == set(expected.values())
    paths = {element.text.replace("\u200b", "") for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/v1/what-if" in paths and all(path.startswith("/v1/") for path in paths)
    # Open /v1/assess: its example request is the example situation, rendered in the page.
    assess = next(block for block in blocks if "/v1/assess" in block.text.replace("\u200b", ""))
    assess.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(lambda driver: "EXAMPLE-03" in assess.text)
    sent = requests_sent(browser)
    assert any(url.endswith("/docs-assets/swagger-ui-bundle.js") and not why for url, why in sent)
    assert off_the_machine(sent) == []


def test_redoc_renders_every_operation_offline(server: Server, browser: Any) -> None:
    expected = operations(server)
    browser.get_log("performance")
    browser.get(server.url + "/redoc")
    wait = WebDriverWait(browser, RENDER_SECONDS)
    selector = '[data-section-id^="operation/"]'
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, selector)) >= len(expected))
    sections = {element.get_attribute("data-section-id") for element in browser.find_elements(By.CSS_SELECTOR, selector)}
    assert sections == {f"operation/{operation_id}" for operation_id in expected}
    for summary in expected.values():
        assert summary in browser.find_element(By.TAG_NAME, "body").text
    sent = requests_sent(browser)
    assert any(url.endswith("/docs-assets/redoc.standalone.js") and not why for url, why in sent)
    assert off_the_machine(sent) == []
