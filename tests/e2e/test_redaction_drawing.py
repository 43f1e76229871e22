"""Redaction drawn with the mouse, in a real browser (Debian's chromium driven by Playwright)
against a live server with a real worker: pdf.js shows the page, the caseworker draws a
rectangle over one word on the page picture, previews it, gives a reason and submits; the
page follows the job to its end without a reload, and the new version has lost exactly
that word. Opening the document was one access event; the viewer's and the drawing's
pictures ride on it."""
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_file
from archive.models import Event
from archive.selectors import READ_ACTIONS
from archive.services.documents import document_file_new
from ingest.models import RedactionJob
from tests.archive.helpers import content
from tests.browser import CHROMIUM, wait_until
from tests.conftest import DEMO_PASSWORD, sqlite_only
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = [
    pytest.mark.e2e,
    sqlite_only,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (Debian package chromium; "
                              "scripts/ensure-system-packages --test installs it)"),
]
A4_WIDTH = 595  # points
LINES = ["Bescheid über Leistungen", "Vermieter Zahlbetrag Kontoinhaber"]



def _word_box(pdf: Path, word: str) -> tuple[float, float, float, float]:
    """Where pdftotext finds the word, in points from the page's top-left corner."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    match = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                      rf'yMax="([\d.]+)">{word}</word>', html)
    return tuple(float(value) for value in match.groups())


def test_a_rectangle_drawn_with_the_mouse_redacts_that_word(demo_tx, instance, live_server,
                                                            browser, tmp_path):
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", LINES)
    stored = blob_put_file(pdf)
    document = document_file_new(
        content=replace(content("\n".join(LINES)), original_sha256=stored.sha256,
                        original_size=stored.size, rendition_sha256=stored.sha256),
        case_file=demo_tx["A"], title="Bescheid", received_at=timezone.now(),
        actor=system_actor("system", "test"))
    path = f"/dokumente/{document.pk}/"

    page = browser.new_context(base_url=live_server.url, locale="de-DE",
                               viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(path)
    page.fill("input[name=username]", "sachbearbeitung-a")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    page.screenshot(path=tmp_path / "1-dokument.png", full_page=True)

    # pdf.js drew the page into the viewer (its module and worker came as static files).
    expect(page.locator("#viewer .viewer-page canvas")).to_have_count(1, timeout=30_000)
    expect(page.locator(".viewer-thumbs img")).to_have_count(1)
    # A thumbnail scrolls the viewer to its page (without JavaScript it opens the PDF there).
    page.click(".viewer-thumbs a[data-page='1']")
    expect(page.locator("#seite-1")).to_be_focused()
    assert page.url.endswith(path)

    # Draw over "Zahlbetrag" on the page picture, as a user would with the mouse.
    surface = page.locator("#drawing-image")
    expect(surface).to_be_visible()
    wait_until(page, "document.getElementById('drawing-image').naturalWidth > 0")
    surface.scroll_into_view_if_needed()
    shown = surface.bounding_box()
    scale = shown["width"] / A4_WIDTH
    x0, y0, x1, y1 = _word_box(pdf, "Zahlbetrag")
    page.mouse.move(shown["x"] + (x0 - 1) * scale, shown["y"] + (y0 - 1) * scale)
    page.mouse.down()
    page.mouse.move(shown["x"] + (x1 + 1) * scale, shown["y"] + (y1 + 1) * scale, steps=8)
    page.mouse.up()
    expect(page.locator("#drawing-boxes li")).to_have_count(1)
    expect(page.locator("#drawing-surface .drawing-box")).to_have_count(1)

    page.click("#drawing-preview-button")
    expect(page.locator("#drawing-preview")).to_be_visible()
    wait_until(page, "document.querySelector('#drawing-preview img').naturalWidth > 0")
    page.screenshot(path=tmp_path / "2-gezeichnet.png", full_page=True)
    assert document.versions.count() == 1  # the preview changed nothing

    page.fill("#drawing-reason", "Bankdaten nicht erforderlich")
    page.click("#drawing-submit")
    expect(page.locator("#drawing-status")).to_contain_text(
        "fertig – die geschwärzte Fassung ist Version 2", timeout=240_000)
    page.screenshot(path=tmp_path / "3-fertig.png", full_page=True)

    job = RedactionJob.objects.get(document=document)
    assert len(job.boxes) == 1 and job.reason == "Bankdaten nicht erforderlich"
    redacted = blob_path(document.versions.get(number=2).rendition_sha256)
    text = subprocess.run(["pdftotext", str(redacted), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Zahlbetrag" not in text
    assert "Vermieter" in text and "Kontoinhaber" in text and "Leistungen" in text
    # Opening the page was the one read; the PDF for pdf.js and every picture rode on it.
    reads = Event.objects.filter(object_type="document", object_id=str(document.pk),
                                 action__in=READ_ACTIONS)
    assert [(e.actor, e.action) for e in reads] == [("sachbearbeitung-a", "viewed")]
