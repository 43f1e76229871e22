"""Accessibility (BITV 2.0 / WCAG 2.1 AA) of every page, in a real browser: Debian's chromium
driven by Playwright against a live server.

Each role signs in through the login form and opens every page it may see: the list comes from
the permission matrix (tests/web/test_permission_matrix.py), whose rows the suite requires for
every URL, so a new page is checked here without being named. axe-core (from node_modules,
package.json) must find no violation of any impact, and at 320 px width nothing may be wider
than the screen (WCAG 1.4.10, reflow)."""
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import sync_playwright

from tests.conftest import DEMO_PASSWORD
from tests.web.test_permission_matrix import _matrix, objects  # noqa: F401  (the fixture)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (Debian package chromium; "
                              "scripts/ensure-system-packages --test installs it)"),
    # Pages and a browser, nothing the database could change: once, on the SQLite pass.
    pytest.mark.skipif(bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
                       reason="browser checks of the pages: run on the SQLite pass only"),
]
ROLES = ["poststelle", "sachbearbeitung-a", "datenschutz", "admin", None]
NARROW = 320
# Pages in a state the matrix's requests do not reach: results instead of an empty form.
FILLED = {
    "sachbearbeitung-a": ["/suche/?q=Leistungen"],
    "datenschutz": ["/datenschutz/bericht/?kind=user&subject=sachbearbeitung-a"
                    "&start=2000-01-01&end=2999-12-31"],
}


def _axe() -> Path:
    path = Path(settings.NODE_MODULES_DIR) / "axe-core" / "axe.min.js"
    assert path.is_file(), f"{path} is missing: run `npm ci --omit=optional` (make test does)"
    return path


@pytest.fixture
def indexed(objects, settings, tmp_path):  # noqa: F811
    """The matrix's document in a search index of its own, so the search page shows a hit."""
    from search.backends import get_backend
    from search.indexing import documents_index

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    documents_index([objects["document"]])
    yield
    get_backend.cache_clear()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread while it is open, so
    # Django takes the plain synchronous ORM calls of the tests and fixtures for async code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        yield chromium
        chromium.close()


def _session(browser, base_url: str, username: str | None):
    """A browser session signed in through the real login form (or anonymous)."""
    context = browser.new_context(base_url=base_url, locale="de-DE",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if username:
        page.goto("/anmelden/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base_url}/")
    return page


def _pages(objects, username: str | None) -> list[str]:  # noqa: F811
    """Every web page (GET, answered 200) of the permission matrix that this user may see."""
    urls = []
    for name, rows in _matrix(objects).items():
        if not name.startswith("web:"):
            continue
        for method, args, data, expected in rows:
            if method == "get" and expected[username] == 200:
                query = f"?{urlencode(data, doseq=True)}" if data else ""
                urls.append(reverse(name, args=args) + query)
    return urls + FILLED.get(username, [])


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(_axe()))
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{violation['impact']} {violation['id']}: {violation['help']} "
            f"({'; '.join(' '.join(node['target']) for node in violation['nodes'][:3])})"
            for violation in result["violations"]]


def _narrow(page) -> list[str]:
    """At 320 px: how far the page is wider than the screen, and whether what scrolls sideways
    inside it (a wide table) can be scrolled with the keyboard."""
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.wait_for_timeout(50)  # the resize handlers
    problems = []
    if (extra := page.evaluate("document.scrollingElement.scrollWidth") - NARROW) > 0:
        problems.append(f"{extra} px wider than a {NARROW} px screen")
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {
        type: "rule", values: ["scrollable-region-focusable"]}})""")
    problems += [f"at {NARROW} px: {violation['id']}: {violation['help']}"
                 for violation in result["violations"]]
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_every_role_passes_axe_and_fits_320_px(
        objects, indexed, live_server, browser, username):  # noqa: F811
    page = _session(browser, live_server.url, username)
    checked, failures = [], []
    for url in _pages(objects, username):
        answer = page.request.get(url)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # PDFs, images, archives: not pages
        response = page.goto(url)
        assert response.status == 200, url
        checked.append(url)
        failures += [f"{url}: {violation}" for violation in _violations(page)]
        failures += [f"{url}: {problem}" for problem in _narrow(page)]
    assert len(checked) >= 2, checked  # the home page or login, and at least one more
    if username == "sachbearbeitung-a":  # the search page was checked with a hit on it
        page.goto("/suche/?q=Leistungen")
        assert page.locator(f'main a[href="/dokumente/{objects["document"]}/"]').count() >= 1
    assert failures == [], "\n".join(failures)


def test_the_error_page_passes_axe(objects, live_server, browser):  # noqa: F811
    page = _session(browser, live_server.url, "sachbearbeitung-b")
    response = page.goto(reverse("web:document", args=(objects["document"],)))
    assert response.status == 404
    assert _violations(page) == []
    assert _narrow(page) == []


def test_the_skip_link_comes_first_and_moves_the_focus_to_the_content(
        objects, live_server, browser):  # noqa: F811
    page = _session(browser, live_server.url, "poststelle")
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const element = document.activeElement, box = element.getBoundingClientRect();
        return {text: element.textContent.trim(), href: element.getAttribute("href"),
                visible: box.top >= 0 && box.height > 0,
                outline: getComputedStyle(element).outlineStyle};
    }""")
    assert focused == {"text": "Zum Inhalt springen", "href": "#inhalt", "visible": True,
                       "outline": "solid"}
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    # The role's links sit in a navigation landmark, the statement is linked in the footer.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Posteingang").count() == 1
    assert nav.get_by_role("link", name="Start").get_attribute("aria-current") == "page"
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Erklärung zur Barrierefreiheit").click()
    page.wait_for_url("**/barrierefreiheit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Erklärung zur Barrierefreiheit"
