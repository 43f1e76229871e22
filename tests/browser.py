"""Debian's Chromium driven by Playwright, for the browser tests (`playwright install` cannot
download browsers on these machines, so the system's Chromium is launched by path)."""
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


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
