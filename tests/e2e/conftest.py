"""Browser tests: a live server, Debian's Chromium driven by Playwright, and watchers that
fail a test the moment a page opens a dialog, throws, or breaks the Content Security Policy.

Without Chromium (or Java, for the Nu HTML Checker) the tests are skipped locally and fail
in CI (CI is set), so a CI run can never pass by skipping them.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    ARTIFACTS,
    AXE_JS,
    CHROMIUM,
    VNU_JAR,
    BrowserWatch,
    require,
)

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module (it starts in about a second). Not per
    session: Playwright's event loop would otherwise stay up while unrelated tests run."""
    require(Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls
    # while one runs; the tests call the ORM between browser steps (test-only setting).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browse(chromium, live_server, groups, request):
    """`browse(name, viewport=...)` opens a fresh browser profile (its own cookies) whose
    pages are watched; the test fails on any dialog, page error or CSP violation."""
    watches = []

    def open_profile(name="anonymous", *, viewport=DESKTOP, java_script_enabled=True):
        context = chromium.new_context(
            viewport=viewport, base_url=live_server.url, java_script_enabled=java_script_enabled
        )
        context.set_default_timeout(15_000)
        watch = BrowserWatch(context, name)
        watches.append(watch)
        return watch

    yield open_profile
    problems = [problem for watch in watches for problem in watch.problems]
    for watch in watches:
        watch.context.close()
    assert not problems, "The browser saw:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def artifacts(pytestconfig):
    """Where screenshots go; named at the end of the run so a person can look at them."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):  # a previous run's pictures would mislead
        old.unlink()
    pytestconfig.stash[_SCREENSHOTS] = ARTIFACTS
    return ARTIFACTS


_SCREENSHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, config):
    if _SCREENSHOTS in config.stash:
        terminalreporter.write_line(f"Browser screenshots: {config.stash[_SCREENSHOTS]}")


@pytest.fixture(scope="session")
def axe_source():
    require(AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` (make test does)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_command():
    java = shutil.which("java")
    require(java is not None, "java is missing (the Nu HTML Checker needs it)")
    require(VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci` (make test does)")
    return [java, "-jar", str(VNU_JAR)]
