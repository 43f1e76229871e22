"""The review beside the pages in a real browser (Debian's chromium driven by Playwright):
the pages turn by keyboard (Page Up / Page Down, and the links by Tab and Enter), never while
a form field has the focus, and the page is two columns on a desktop and one on a phone."""
import pytest

from tests.browser import CHROMIUM
from tests.conftest import DEMO_PASSWORD, sqlite_only
from tests.web.test_review_document import _inbox_letter, _url

pytestmark = [
    pytest.mark.e2e,
    sqlite_only,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (Debian package chromium; "
                              "scripts/ensure-system-packages --test installs it)"),
]


def _signed_in(browser, base_url, width=1280):
    page = browser.new_context(base_url=base_url, locale="de-DE",
                               viewport={"width": width, "height": 900}).new_page()
    page.goto("/anmelden/")
    page.fill("input[name=username]", "poststelle")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def _picture(page) -> str:
    return page.locator("img.review-page").get_attribute("src").split("?")[0]


def test_the_pages_turn_by_keyboard_and_the_columns_stack_on_a_phone(
        demo_tx, live_server, browser, tmp_path):
    document = _inbox_letter(demo_tx, tmp_path, pages=3)
    page = _signed_in(browser, live_server.url)
    page.goto(_url(document))
    assert _picture(page).endswith("/seiten/1.png")
    page.keyboard.press("PageDown")
    page.wait_for_url("**?seite=2")
    assert _picture(page).endswith("/seiten/2.png")
    page.keyboard.press("PageUp")
    page.wait_for_url("**?seite=1")
    # In a form field the keys are the field's: the page stays.
    page.focus("#field-title")
    page.keyboard.press("PageDown")
    page.wait_for_timeout(300)
    assert page.url.endswith("?seite=1")
    # The link itself, by Tab and Enter (no script needed for it).
    page.focus("#next-page")
    page.keyboard.press("Enter")
    page.wait_for_url("**?seite=2")
    # Two columns side by side on a desktop, one above the other on a phone.
    pages_box = page.locator(".review-pages").bounding_box()
    fields_box = page.locator(".review-fields").bounding_box()
    assert fields_box["x"] > pages_box["x"] + pages_box["width"] - 1
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_timeout(100)
    pages_box = page.locator(".review-pages").bounding_box()
    fields_box = page.locator(".review-fields").bounding_box()
    assert fields_box["y"] >= pages_box["y"] + pages_box["height"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
