"""Headless Chromium for tests that look at what a person would see."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

# No sandbox (root in a container), no GPU, and nothing fetched from Google's hosts (the network is closed).
QUIET = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "headless Chromium is installed by scripts/ensure-system-packages"
    return subprocess.run(
        [binary, "--headless", *QUIET, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def driven_chromium(width: int = 1000, height: int = 1400) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium driven through its chromedriver (selenium), for pages a person fills in and clicks."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_binary = shutil.which("chromedriver")
    assert binary and driver_binary, (
        "chromium and chromium-driver are installed by scripts/ensure-system-packages"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", *QUIET, "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=driver_binary)
    )
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def heading_becomes(browser: webdriver.Chrome, text: str, timeout: float = 10) -> None:
    """Wait for the page whose h1 says `text` (a click that submits returns before the next page loads)."""
    WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: _loaded(b) and any(h.text == text for h in b.find_elements(By.TAG_NAME, "h1")),
        message=f"no page headed {text!r}",
    )


def shown(browser: webdriver.Chrome, css: str, timeout: float = 10) -> WebElement:
    return WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: _loaded(b) and b.find_element(By.CSS_SELECTOR, css),
        message=f"nothing matching {css!r} appeared",
    )


def _loaded(browser: webdriver.Chrome) -> bool:
    """The page a click or a submit led to has finished loading (until then, elements found may go stale)."""
    return bool(browser.execute_script("return document.readyState") == "complete")
