"""A draft passes a two-person co-signing route in a real browser (Debian's chromium driven by
Playwright, no script needed): the caseworker writes a file note on the case file page, sends
the draft from its document page to a colleague and the head of the unit; the colleague finds
it under "Zur Zeichnung" and co-signs, the head signs off, and the document page then says the
version is frozen."""
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from signoff.models import RouteState, SigningRoute
from tests.archive.helpers import file_document, grant, staff
from tests.browser import CHROMIUM
from tests.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
    pytest.mark.skipif(bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
                       reason="browser journeys: run on the SQLite pass only"),
]
PASSWORD = "x" * 12  # tests.archive.helpers.staff


def _signed_in(browser, base_url, username, password):
    context = browser.new_context(base_url=base_url, locale="de-DE")
    page = context.new_page()
    page.goto("/anmelden/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def test_a_note_and_a_draft_through_a_two_person_route(demo, live_server, browser):
    staff("kollegin-a", unit_code="A")
    staff("leitung-a", unit_code="A")
    grant("leitung-a", "sign_off")
    draft = file_document(demo["A"], text="Entwurf Bewilligungsbescheid", title="Bescheid-Entwurf",
                          store=True)

    author = _signed_in(browser, live_server.url, "sachbearbeitung-a", DEMO_PASSWORD)
    author.goto(f"/akten/{demo['A'].pk}/")
    author.get_by_label("Art des Vermerks").select_option("telefonat")
    author.get_by_label("Vermerk", exact=True).fill("Herr Müller bestätigt den Umzug.")
    author.get_by_role("button", name="Vermerk ablegen").click()
    expect(author.locator("main")).to_contain_text("Der Aktenvermerk wurde abgelegt.")
    expect(author.locator("main")).to_contain_text(
        f"Aktenvermerk (Telefonat) vom {timezone.localdate():%d.%m.%Y}")

    author.goto(f"/dokumente/{draft.pk}/")
    author.get_by_label("Mitzeichnung (in dieser Reihenfolge", exact=False).fill("kollegin-a")
    author.get_by_label("Schlusszeichnung (Benutzername", exact=False).fill("leitung-a")
    author.get_by_role("button", name="In Umlauf geben").click()
    expect(author.locator("#zeichnung")).to_contain_text("Runde 1")

    colleague = _signed_in(browser, live_server.url, "kollegin-a", PASSWORD)
    colleague.goto("/zeichnung/")
    colleague.get_by_role("link", name="Bescheid-Entwurf").click()
    colleague.get_by_role("button", name="Mitzeichnen").click()
    expect(colleague.locator("main")).to_contain_text("Gezeichnet.")

    head = _signed_in(browser, live_server.url, "leitung-a", PASSWORD)
    head.goto("/zeichnung/")
    head.get_by_role("link", name="Bescheid-Entwurf").click()
    head.get_by_role("button", name="Schlusszeichnen").click()
    expect(head.locator("#schlussgezeichnet")).to_be_visible()

    route = SigningRoute.objects.get(document=draft)
    assert route.state == RouteState.SIGNED_OFF
    assert [step.acted_by.username for step in route.steps.order_by("position")] == [
        "kollegin-a", "leitung-a"]
    author.goto(f"/dokumente/{draft.pk}/")
    expect(author.locator("#schlussgezeichnet")).to_be_visible()
