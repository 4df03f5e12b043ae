"""A real browser in tests, one way: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver (never a browser or driver downloaded at run time).

`make test` installs both with apt when either is missing. Without them (or without the
selenium package) a browser test is skipped, except where it is required: in CI, which
sets CMS_COMPAT_REQUIRED=1 (CMS_BROWSER_REQUIRED=1 requires the browser alone); there it
fails. ``CMS_SCREENSHOTS_DIR``: a folder that also receives a test's final screenshots.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",  # root, in a container: Chromium's sandbox can't start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers
    "--no-first-run",
    "--disable-background-networking",  # no traffic but the test's
    "--disable-component-update",
    "--disable-sync",
]
WINDOW = (1280, 900)
WAIT_SECONDS = 20


def required() -> bool:
    return "1" in (os.environ.get("CMS_BROWSER_REQUIRED"), os.environ.get("CMS_COMPAT_REQUIRED"))


def missing(message: str) -> None:
    if required():
        pytest.fail(f"{message} (required: CMS_BROWSER_REQUIRED or CMS_COMPAT_REQUIRED is set)")
    pytest.skip(message)


@contextlib.contextmanager
def chromium(folder: Path) -> Iterator:
    """A Selenium driver of a fresh headless Chromium (its profile and log in ``folder``)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("the selenium package is not installed (pip install -e '.[test]')")
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not tool.exists():
            missing(f"{tool} is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={folder / 'profile'}")
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(folder / "driver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, what: str, timeout: float = WAIT_SECONDS):
    """``condition(driver)`` once it is true; fails naming ``what`` and the page."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # A page being replaced (after a click) can turn an element found on it stale: ask again.
    wait = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))
    try:
        return wait.until(condition)
    except TimeoutException:
        raise AssertionError(
            f"{what} not seen within {timeout} s at {driver.current_url}:\n"
            f"{driver.page_source[:3000]}"
        ) from None


class Screenshots:
    """Numbered PNGs of a test's pages in ``folder``; :meth:`publish` copies them to
    ``CMS_SCREENSHOTS_DIR`` when it is set."""

    def __init__(self, driver, folder: Path):
        self.driver = driver
        self.folder = folder
        self.taken: list[Path] = []

    def take(self, name: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        assert self.driver.save_screenshot(str(path)), f"no screenshot of {name}"
        self.taken.append(path)
        return path

    def publish(self) -> None:
        target = os.environ.get("CMS_SCREENSHOTS_DIR")
        if not target:
            return
        Path(target).mkdir(parents=True, exist_ok=True)
        for path in self.taken:
            shutil.copy(path, Path(target) / path.name)
