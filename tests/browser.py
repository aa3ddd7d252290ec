"""Headless Chromium for tests that look at what a person would see."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator

from selenium import webdriver


def chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "headless Chromium is installed by scripts/ensure-system-packages"
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            *args,
        ],
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
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=driver_binary)
    )
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
