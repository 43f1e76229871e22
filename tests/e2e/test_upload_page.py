"""The mailroom's upload page in a real browser (Debian's chromium driven by Playwright), against
a live server with a real worker: several files at once, per-file progress, and each file's
outcome on the page without a reload; a second user's browser sees nothing of those jobs."""
import re

import pytest
from playwright.sync_api import expect

from ingest.models import IngestJob, JobState
from tests.browser import CHROMIUM
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (Debian package chromium; "
                              "scripts/ensure-system-packages --test installs it)"),
]
OUTCOME_TIMEOUT_MS = 60_000

# Every text the table's cells ever showed, per file name: progress that comes and goes
# between two looks would otherwise be missed.
RECORD_CELLS = """
window.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("files");
  if (!table) return;
  window.seen = {};
  new MutationObserver(() => {
    for (const row of Array.from(table.rows).slice(1)) {
      const texts = Array.from(row.cells).map(cell => cell.textContent);
      (window.seen[texts[0]] = window.seen[texts[0]] || []).push(texts.slice(1));
    }
  }).observe(table, {childList: true, subtree: true, characterData: true});
});
"""



def _logged_in(browser, base_url: str, username: str, path: str):
    """A fresh browser session that signs in through the real login form and lands on path."""
    page = browser.new_context(base_url=base_url, locale="de-DE").new_page()
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def _cell(page, file_name: str, column: int):
    return page.locator("#files tr", has_text=file_name).locator("td").nth(column)


def test_several_files_show_progress_and_outcome_without_reload(
        demo_tx, instance, live_server, browser, tmp_path):
    case_file = demo_tx["A"]
    good = born_digital_pdf(tmp_path / "antrag-wohngeld.pdf", [
        "Antrag auf Wohngeld", f"Aktenzeichen {case_file.file_reference}"])
    empty = tmp_path / "leer.pdf"
    empty.write_bytes(b"")
    fake = tmp_path / "rechnung.pdf"
    fake.write_text("Dies ist keine PDF-Datei, nur Text mit der Endung .pdf\n")

    page = _logged_in(browser, live_server.url, "poststelle", "/posteingang/hochladen/")
    page.add_init_script(RECORD_CELLS)
    page.reload()  # the recorder runs from the page's start; from here on no more loads
    page.evaluate("window.notReloaded = true")
    polled = []
    page.on("request", lambda request: "/api/jobs/" in request.url and polled.append(request.url))

    page.set_input_files("input[name=file]", [good, empty, fake])
    page.click("#upload button[type=submit]")

    expect(_cell(page, "antrag-wohngeld.pdf", 2)).to_contain_text(
        f"abgelegt in {case_file.file_reference}", timeout=OUTCOME_TIMEOUT_MS)
    for name, code in [("leer.pdf", "EMPTY_FILE"), ("rechnung.pdf", "UNSUPPORTED_TYPE")]:
        expect(_cell(page, name, 2)).to_contain_text(f"abgewiesen – {code}: ",
                                                     timeout=OUTCOME_TIMEOUT_MS)
        job = IngestJob.objects.get(original_name=name)
        assert job.state == JobState.REFUSED and job.message  # a human reason, shown in full
        expect(_cell(page, name, 2)).to_contain_text(f"{code}: {job.message}")
    for name in ("antrag-wohngeld.pdf", "leer.pdf", "rechnung.pdf"):
        expect(_cell(page, name, 1)).to_have_text("100 %")
    assert page.evaluate("window.notReloaded") is True

    # Each row first said it was uploading; the letter's row showed its steps progressing.
    seen = page.evaluate("window.seen")
    for name in ("antrag-wohngeld.pdf", "leer.pdf", "rechnung.pdf"):
        assert seen[name][0][0] == "wird hochgeladen", seen[name]
    letter_progress = [progress for progress, _ in seen["antrag-wohngeld.pdf"]
                       if progress.endswith(" %")]
    assert any(int(progress.split()[0]) < 100 for progress in letter_progress), seen
    filed = IngestJob.objects.get(original_name="antrag-wohngeld.pdf")
    assert filed.state == JobState.FILED and filed.document.case_file_id == case_file.pk

    # A caseworker of another unit, in their own browser session: the page shows none of it,
    # and the very status URLs the mailroom's page polled look like unknown jobs.
    other = _logged_in(browser, live_server.url, "sachbearbeitung-b", "/posteingang/hochladen/")
    assert other.locator("#files tr").count() == 1  # the header only
    content = other.content()
    assert not any(name in content for name in ("antrag-wohngeld", "leer.pdf", "rechnung.pdf"))
    unknown = other.request.get("/api/jobs/00000000-0000-0000-0000-000000000000/")
    assert polled
    for url in set(polled):
        answer = other.request.get(url)
        assert answer.status == unknown.status == 404
        assert answer.json() == unknown.json()


def test_a_lost_session_ends_the_row_with_the_reason(demo_tx, live_server, browser, tmp_path):
    """The session ran out while the page stayed open: the row says why, it does not hang."""
    letter = born_digital_pdf(tmp_path / "spaet.pdf", ["Nachgereichte Unterlagen"])
    page = _logged_in(browser, live_server.url, "poststelle", "/posteingang/hochladen/")
    page.context.clear_cookies()
    page.set_input_files("input[name=file]", [letter])
    page.click("#upload button[type=submit]")
    # The upload answers 401 as problem details with its code, so the row names the reason.
    expect(_cell(page, "spaet.pdf", 2)).to_have_text(
        re.compile(r"^abgewiesen – NOT_AUTHENTICATED: \S"))
    expect(_cell(page, "spaet.pdf", 1)).to_have_text("")
    assert not IngestJob.objects.exists()


DROP = """([names, contents]) => {
  const transfer = new DataTransfer();
  names.forEach((name, i) => transfer.items.add(new File([contents[i]], name)));
  const zone = document.getElementById("drop-zone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true,
                                            cancelable: true}));
  }
}"""


def test_files_dropped_on_the_zone_are_uploaded_each_with_its_outcome(
        demo_tx, instance, live_server, browser):
    page = _logged_in(browser, live_server.url, "poststelle", "/posteingang/hochladen/")
    # The drop zone is labelled: its file input has a visible label and the hint.
    assert page.get_by_label("Dateien auswählen").count() == 1
    page.evaluate(DROP, [["leer-gezogen.pdf", "notiz-gezogen.pdf"],
                         ["", "Nur Text, keine PDF-Datei\n"]])
    for name, code in [("leer-gezogen.pdf", "EMPTY_FILE"),
                       ("notiz-gezogen.pdf", "UNSUPPORTED_TYPE")]:
        expect(_cell(page, name, 2)).to_contain_text(f"abgewiesen – {code}: ",
                                                     timeout=OUTCOME_TIMEOUT_MS)
        expect(_cell(page, name, 1)).to_have_text("100 %")
        assert IngestJob.objects.get(original_name=name).state == JobState.REFUSED
    expect(page.locator("#upload-summary")).to_have_text("2 von 2 Dateien verarbeitet")
