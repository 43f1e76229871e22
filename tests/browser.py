"""Debian's Chromium driven by Playwright, for the browser tests (`playwright install` cannot
download browsers on these machines, so the system's Chromium is launched by path)."""
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A date field's segment order (TT.MM.JJJJ) follows the browser's own language, not the page's
# nor the context's locale; on Linux Chromium takes it from the environment, and only if its
# German resources (Debian's chromium-l10n, beside /usr/bin/chromium's binary) are installed.
GERMAN_RESOURCES = Path("/usr/lib/chromium/locales/de.pak")


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread while it is open, so
    # Django takes the plain synchronous ORM calls of the tests and fixtures for async code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def german_browser(browser):
    """A Chromium whose own language is German, as in a German office: date fields read and
    are typed day, month, year. Kept apart from `browser`, whose language stays the machine's."""
    assert GERMAN_RESOURCES.is_file(), (
        f"{GERMAN_RESOURCES} missing: Debian's chromium-l10n "
        "(scripts/ensure-system-packages --test installs it)")
    # A second Chromium of the same Playwright (one Playwright per thread).
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
        env={**os.environ, "LANGUAGE": "de_DE:de", "LC_ALL": "de_DE.UTF-8"})
    yield chromium
    chromium.close()


def wait_until(page, expression: str, *, timeout: float = 30.0) -> None:
    """Wait until a JavaScript expression (or function) is true in the page.

    Playwright's `page.wait_for_function` polls its predicate with `eval()` inside the page,
    which the pages' Content-Security-Policy (no 'unsafe-eval') refuses. `page.evaluate` goes
    through the browser's debugging protocol, which the policy does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {expression}")
        page.wait_for_timeout(100)
