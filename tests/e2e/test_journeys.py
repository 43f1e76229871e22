"""The five journeys of issue 12.11, each in a real browser (Debian's chromium driven by
Playwright) against a live server with a real worker and hot-folder watcher:

1. the mailroom uploads a batch, corrects one suggestion and files all;
2. a caseworker finds a letter by a word of its scan, opens it (exactly one access event),
   redacts an area and sees the new version;
3. the data-protection officer runs a person report and downloads the Art. 15 letter;
4. the administrator creates a unit, a user and a file-plan entry;
5. a caseworker of another unit finds and opens nothing of a letter of unit A.

Each step's screenshot is kept under test-artifacts/journeys/<test>/<nn-step>.png (the
directory is emptied when its test starts; CI can keep it as an artefact). Every journey is
driven with the keyboard alone (issue 12.10: Tab, Enter, Space, typing; addresses are typed
into the browser like a user would); the one step outside the page is the system's file
dialog of journey 1, opened from the file control with the Space key. Journey 3 runs in a
browser whose own language is German, so its date fields are typed TT.MM.JJJJ. Only journey
2 runs OCR (one scanned page); the other letters are born-digital PDFs."""
import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_file
from archive.models import Event, FilePlanUnit, Unit
from archive.selectors import access_events_for_document, events_for_object
from archive.services.documents import document_file_new
from ingest.models import IngestJob, JobState, RedactionJob
from tests.archive.helpers import content
from tests.browser import CHROMIUM, wait_until
from tests.conftest import DEMO_PASSWORD, wait_for
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letters import Letter, render_letter
from tests.second_factor import browser_second_factor

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (Debian package chromium; "
                              "scripts/ensure-system-packages --test installs it)"),
    # Browser journeys over pages, a worker and OCR: once, on the SQLite pass.
    pytest.mark.skipif(bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
                       reason="browser journeys: run on the SQLite pass only"),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
JOB_TIMEOUT_MS = 120_000
OCR_TIMEOUT = 300  # seconds: one scanned page, OCR and a redaction, on a shared machine



class Steps:
    """Numbered full-page screenshots of one journey, kept as test artefacts."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def path(self, step: str, suffix: str = "png") -> Path:
        self.count += 1
        return self.folder / f"{self.count:02d}-{step}.{suffix}"

    def shot(self, page, step: str) -> None:
        page.screenshot(path=self.path(step), full_page=True)


@pytest.fixture
def steps(request):
    return Steps(request.node.name)


def _exactly(label: str) -> re.Pattern:
    """A label as Django renders it, with or without its colon."""
    return re.compile(rf"^{re.escape(label)}:?$")


def _focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def _tab_to(page, locator, *, limit: int = 250) -> None:
    """Press Tab until the locator has the focus, as a keyboard user moves through a page;
    fails if it cannot be reached (not focusable, hidden, out of the tab order)."""
    locator.wait_for()
    for _ in range(limit):
        if _focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reached with the Tab key in {limit} presses")


def _file_chooser_by_keyboard(page, control):
    """Focus the file control with Tab and open the system's file dialog with Space.

    Chromium opens the dialog only within five seconds of the key's user activation; on a
    starved CI machine the renderer has been seen to handle the key later and drop the dialog
    silently. A person would press Space again, and so do we, at most three times."""
    for _ in range(3):
        _tab_to(page, control)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        return chooser.value
    raise AssertionError("Space on the focused file control opened no file dialog in 3 tries")


def _type_into(page, locator, text: str) -> None:
    _tab_to(page, locator)
    page.keyboard.type(text)


def _session(browser, base_url: str):
    # A German office's browser: German formats (date fields) and Berlin's clock.
    return browser.new_context(base_url=base_url, locale="de-DE", timezone_id="Europe/Berlin",
                               viewport={"width": 1280, "height": 900}).new_page()


def _sign_in(browser, base_url: str, username: str, path: str, *, keyboard: bool = False):
    """A fresh browser session that signs in through the login form and lands on path."""
    page = _session(browser, base_url)
    page.goto(f"/anmelden/?next={quote(path)}")
    if keyboard:
        _type_into(page, page.get_by_label("Benutzername"), username)
        _type_into(page, page.get_by_label("Kennwort"), DEMO_PASSWORD)
        page.keyboard.press("Enter")
    else:
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Kennwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
    # The administrator and the officer type their second factor's code next.
    browser_second_factor(page, username,
                          (lambda field, code: _type_into(page, field, code)) if keyboard
                          else None)
    page.wait_for_url(f"**{path}")
    return page


def _drop(path: Path) -> str:
    """Put a file into the hot folder the way a scanner does; returns its SHA-256."""
    settings.CONSUME_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, settings.CONSUME_DIR / path.name)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _finished_job(sha256: str, timeout: float) -> IngestJob:
    def done():
        job = IngestJob.objects.filter(original_sha256=sha256).first()
        return job if job and job.is_terminal else None

    return wait_for(done, timeout=timeout, what=f"ingest job of {sha256[:12]}")


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _indexed(word: str, title: str) -> None:
    """Wait until the worker's index writer has the document (it runs after the commit)."""
    owner = _client("sachbearbeitung-a")
    wait_for(lambda: title in owner.get("/suche/", {"q": word}).content.decode(),
             timeout=60, what=f"index entry for {word!r}")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- 1. The mailroom, with the keyboard alone ---------------------------------------------

def test_mailroom_uploads_a_batch_corrects_one_suggestion_and_files_all(
        demo_tx, instance, live_server, browser, steps, tmp_path):
    first, second = demo_tx["A"], demo_tx["B"]
    # Each letter names both files: too unsure to file alone, so all three wait for review,
    # each suggesting the first reference.
    subjects = ["Widerspruch gegen den Bescheid", "Nachreichung der Kontoauszüge",
                "Antrag auf Weiterbewilligung"]
    letters = [born_digital_pdf(tmp_path / f"brief-{number}.pdf", [
        subject, f"Az. {first.file_reference} und {second.file_reference}",
        "Sehr geehrte Damen und Herren,", "anbei die Unterlagen.", "Mit freundlichen Grüßen"])
        for number, subject in enumerate(subjects, start=1)]

    page = _sign_in(browser, live_server.url, "poststelle", "/posteingang/hochladen/",
                    keyboard=True)
    steps.shot(page, "hochladen")
    # The file control opens the system's file dialog on Space, like a click does; choosing
    # the files in that dialog is the one step outside the page.
    chooser = _file_chooser_by_keyboard(page, page.get_by_label("Dateien auswählen"))
    assert chooser.is_multiple()
    chooser.set_files(letters)
    _tab_to(page, page.get_by_role("button", name="Hochladen"))
    page.keyboard.press("Enter")
    expect(page.locator("#upload-summary")).to_have_text("3 von 3 Dateien verarbeitet",
                                                         timeout=JOB_TIMEOUT_MS)
    steps.shot(page, "hochgeladen")
    jobs = {job.original_name: job for job in IngestJob.objects.select_related("document")}
    assert sorted(jobs) == ["brief-1.pdf", "brief-2.pdf", "brief-3.pdf"]
    assert {job.state for job in jobs.values()} == {JobState.INBOX}, [
        (job.original_name, job.state, job.code, job.message) for job in jobs.values()]
    documents = [jobs[f"brief-{number}.pdf"].document for number in (1, 2, 3)]

    _tab_to(page, page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Prüfen", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url("**/posteingang/pruefen/")
    rows = {document.pk: page.get_by_role("row").filter(
        has=page.locator(f'a[href="/dokumente/{document.pk}/"]')) for document in documents}
    for row in rows.values():
        expect(row.get_by_label("Aktenzeichen")).to_have_value(first.file_reference)
    steps.shot(page, "vorschlaege")

    def file_by_keyboard(document):
        """Tab to the row's button and press Enter; the page comes back without the row."""
        _tab_to(page, rows[document.pk].get_by_role("button", name="Ablegen"))
        page.keyboard.press("Enter")
        expect(page.locator(f'a[href="/dokumente/{document.pk}/"]')).to_have_count(0)

    # The first letter belongs to the other file: the suggestion is corrected, then filed.
    reference = rows[documents[0].pk].get_by_label("Aktenzeichen")
    _tab_to(page, reference)
    page.keyboard.press("Control+A")
    page.keyboard.type(second.file_reference)
    expect(reference).to_have_value(second.file_reference)
    steps.shot(page, "korrigiert")
    file_by_keyboard(documents[0])
    steps.shot(page, "erstes-abgelegt")
    # The second has no type suggested: the mailroom picks one (and keeps the suggested file).
    typed = rows[documents[1].pk].get_by_label("Dokumenttyp")
    _tab_to(page, typed)
    page.keyboard.type("Kontoauszug")  # a closed select picks the option typed
    expect(typed.locator("option:checked")).to_have_text("Kontoauszug")
    statement_type = typed.input_value()
    assert statement_type
    # All are filed to the suggested file but the first.
    for document in documents[1:]:
        file_by_keyboard(document)
    expect(page.get_by_text("Keine offenen Dokumente.")).to_be_visible()
    steps.shot(page, "alle-abgelegt")

    for document, case_file in zip(documents, [second, first, first], strict=True):
        document.refresh_from_db()
        assert document.case_file_id == case_file.pk, document.title
        (moved,) = events_for_object("document", document.pk).filter(action="moved")
        assert moved.actor == "poststelle"
        expected = "korrigiert" if case_file == second else "Vorschlag bestätigt"
        assert expected in moved.clear_purpose, moved.clear_purpose
    assert documents[1].document_type == statement_type
    assert "Dokumenttyp korrigiert" in events_for_object("document", documents[1].pk).get(
        action="moved").clear_purpose


# --- 2. The caseworker, with the keyboard alone -------------------------------------------

def test_caseworker_finds_a_scan_by_a_word_opens_it_once_and_redacts_an_area(
        demo_tx, instance, live_server, browser, steps, tmp_path):
    case_file = demo_tx["A"]
    scan = render_letter(tmp_path / "brief-heizkosten.pdf",
                         Letter(file_reference=case_file.file_reference), skew=1.2, noise=0.1)
    job = _finished_job(_drop(scan), timeout=OCR_TIMEOUT)
    assert job.state == JobState.FILED, (job.code, job.message, instance.log("worker"))
    document = job.document
    original = document.versions.get(number=1)
    # The words only the scan has: the search word, and the line that will be blacked out.
    assert "Heizkostenabrechnung" in original.text and "Weg 17" in original.text, original.text
    _indexed("Heizkostenabrechnung", document.title)
    assert access_events_for_document(document.pk).count() == 0

    page = _sign_in(browser, live_server.url, "sachbearbeitung-a", "/suche/", keyboard=True)
    steps.shot(page, "suche")
    _type_into(page, page.get_by_label("Suchbegriffe"), "Heizkostenabrechnung")
    page.keyboard.press("Enter")
    expect(page.locator("#count")).to_have_text(re.compile(r"^\s*1 Treffer"))
    # The hit's thumbnail rides on the search's one event, which names it as shown.
    wait_until(page, """Array.from(document.querySelectorAll('img.thumbnail'))
                         .every(img => img.complete && img.naturalWidth > 0)""")
    steps.shot(page, "treffer")
    searched = Event.objects.filter(action="searched", actor="sachbearbeitung-a").last()
    assert searched.data["documents"] == [document.pk]
    assert searched.data["thumbnails"] == [document.pk]
    assert access_events_for_document(document.pk).count() == 0
    before = set(access_events_for_document(document.pk).values_list("pk", flat=True))
    _tab_to(page, page.get_by_role("link", name=document.title, exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dokumente/{document.pk}/")
    expect(page.locator("#viewer .viewer-page canvas")).to_have_count(1, timeout=30_000)
    steps.shot(page, "geoeffnet")
    # Opening it was one access event; the viewer's PDF and pictures ride on it.
    opened = list(access_events_for_document(document.pk).exclude(pk__in=before))
    assert [(event.actor, event.action) for event in opened] == [
        ("sachbearbeitung-a", "viewed")]

    # The millimetre form (the drawing's keyboard alternative): the sender's street line.
    form = page.locator(f'form[action="/dokumente/{document.pk}/schwaerzen"]')
    for label, value in [("Seite", "1"), ("links (mm)", "12"), ("oben (mm)", "28.5"),
                         ("Breite (mm)", "50"), ("Höhe (mm)", "6"),
                         ("Grund", "Anschrift für den Vorgang nicht erforderlich")]:
        field = form.get_by_label(_exactly(label))
        _tab_to(page, field)
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    steps.shot(page, "schwaerzung-eingegeben")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dokumente/{document.pk}/")
    expect(page.locator("#redaction .state")).to_contain_text(
        "fertig – die geschwärzte Fassung ist Version 2", timeout=OCR_TIMEOUT * 1000)
    steps.shot(page, "schwaerzung-fertig")
    page.reload()
    expect(page.locator("main")).to_contain_text("Version 2")
    steps.shot(page, "neue-version")

    redaction = RedactionJob.objects.get(document=document)
    assert redaction.reason == "Anschrift für den Vorgang nicht erforderlich"
    latest = document.versions.get(number=2)
    assert "Weg 17" not in latest.text and "Grüner" not in latest.text, latest.text
    assert "Heizkostenabrechnung" in latest.text and "Sozialreferat" in latest.text
    assert "Weg 17" not in _pdf_text(blob_path(latest.rendition_sha256))
    # One view per load of the page (opened, back after the form, reloaded); nothing and no
    # one else read it.
    assert [(event.actor, event.action) for event in access_events_for_document(
        document.pk).exclude(pk__in=before)] == [("sachbearbeitung-a", "viewed")] * 3


# --- 3. The data-protection officer, with the keyboard alone ------------------------------

def test_officer_runs_a_person_report_and_downloads_the_art_15_letter(
        demo_tx, live_server, german_browser, steps, tmp_path):
    case_file = demo_tx["A"]  # Jürgen Müller's file
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", ["Bescheid über Leistungen"])
    stored = blob_put_file(pdf)
    document = document_file_new(
        content=replace(content("Bescheid über Leistungen"), original_sha256=stored.sha256,
                        original_size=stored.size, rendition_sha256=stored.sha256),
        case_file=case_file, title="Bewilligungsbescheid", received_at=timezone.now(),
        actor=system_actor("system", "test"))
    # The caseworker read it: that is what the report must show the officer.
    assert _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/").status_code == 200

    # The browser's own language is German: its date fields are typed TT.MM.JJJJ.
    page = _sign_in(german_browser, live_server.url, "datenschutz", "/datenschutz/",
                    keyboard=True)
    steps.shot(page, "datenschutz")
    kind = page.get_by_label("Bericht über")
    _tab_to(page, kind)
    page.keyboard.type("Person")  # a closed select picks the option typed
    expect(kind).to_have_value("person")
    _type_into(page, page.get_by_label("Suchbegriff"), "Jürgen Müller")
    # A date field shows the browser's locale: German day, month, year (TT.MM.JJJJ); the
    # digits fill one segment after the other. Day and month differ, so a field in another
    # order (MM/DD/YYYY) would end up with another date.
    for label, typed, iso in [("von", "02012000", "2000-01-02"),
                              ("bis", "31122999", "2999-12-31")]:
        field = page.get_by_label(_exactly(label))
        _type_into(page, field, typed)
        expect(field).to_have_value(iso)
    steps.shot(page, "bericht-angefragt")
    _tab_to(page, page.get_by_role("button", name="Anzeigen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/datenschutz/bericht/**")
    expect(page.locator("#report-summary")).to_be_visible()
    viewed = page.locator("tr.entry", has_text="sachbearbeitung-a").filter(
        has_text="Bewilligungsbescheid")
    expect(viewed.first).to_be_visible()
    steps.shot(page, "bericht")

    _tab_to(page, page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Datenschutz", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url("**/datenschutz/")
    _type_into(page, page.get_by_label("Auskunft nach Art. 15 DSGVO (PDF) für"), "Jürgen Müller")
    _tab_to(page, page.get_by_role("button", name="erstellen"))
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    letter = steps.path("auskunft-art15", "pdf")
    download.save_as(letter)
    assert download.suggested_filename == "auskunft-art15.pdf"
    assert letter.read_bytes().startswith(b"%PDF")
    text = _pdf_text(letter)
    assert "Jürgen Müller" in text, text
    # The letter's first page as a picture, next to the other steps.
    picture = steps.path("auskunft-art15-seite-1", "png")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(letter),
                    str(picture.with_suffix(""))], check=True)
    assert picture.is_file()


# --- 4. The administrator, with the keyboard alone ----------------------------------------

def test_administrator_creates_a_unit_a_user_and_a_file_plan_entry(
        demo_tx, live_server, browser, steps):
    page = _sign_in(browser, live_server.url, "admin", "/verwaltung/", keyboard=True)
    steps.shot(page, "verwaltung")

    # A unit.
    _tab_to(page, page.get_by_role("main").get_by_role(
        "link", name="Organisationseinheiten", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url("**/verwaltung/organisationseinheiten/")
    _tab_to(page, page.get_by_role("link", name="Neue Organisationseinheit anlegen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisationseinheiten/neu/")
    _type_into(page, page.get_by_label("Kürzel"), "C")
    _type_into(page, page.get_by_label("Bezeichnung"), "Sachgebiet C Wohngeld")
    steps.shot(page, "einheit-formular")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/verwaltung/organisationseinheiten/$"))
    expect(page.get_by_text("Die Organisationseinheit wurde angelegt.")).to_be_visible()
    unit = Unit.objects.get(code="C")
    assert unit.name == "Sachgebiet C Wohngeld"
    steps.shot(page, "einheit-angelegt")

    # A user of that unit.
    page.goto("/verwaltung/benutzer/")
    _tab_to(page, page.get_by_role("link", name="Neue Person anlegen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/verwaltung/benutzer/neu/")
    _type_into(page, page.get_by_label("Benutzername"), "sachbearbeitung-c")
    _type_into(page, page.get_by_label("Vorname"), "Clara")
    _type_into(page, page.get_by_label("Nachname"), "Conrad")
    _tab_to(page, page.get_by_label("Rolle"))
    page.keyboard.type("Sachbearbeitung")  # a closed select picks the option typed
    expect(page.get_by_label("Rolle")).to_have_value("caseworker")
    unit_box = page.get_by_role("checkbox", name=str(unit))
    _tab_to(page, unit_box)
    page.keyboard.press("Space")
    expect(unit_box).to_be_checked()
    password = "neues-kennwort-4711"
    _type_into(page, page.get_by_label("Erstes Kennwort (freiwillig)"), password)
    _type_into(page, page.get_by_label("Kennwort wiederholen"), password)
    steps.shot(page, "person-formular")
    page.keyboard.press("Enter")
    # The list (a password was given), or the person's page with a one-time link.
    page.wait_for_url(re.compile(r"/verwaltung/benutzer/(\d+/)?$"))
    steps.shot(page, "person-angelegt")
    person = get_user_model().objects.get(username="sachbearbeitung-c")
    assert (person.first_name, person.last_name) == ("Clara", "Conrad")
    assert person.staff_profile.role == "caseworker"
    assert list(person.staff_profile.units.values_list("code", flat=True)) == ["C"]

    # A file-plan entry.
    page.goto("/aktenplan/")
    _type_into(page, page.get_by_label("Kennzeichen"), "50.40")
    _type_into(page, page.get_by_label(_exactly("Titel")), "Wohngeld")
    schedule = page.get_by_label(_exactly("Aufbewahrungsfrist"))
    _tab_to(page, schedule)
    page.keyboard.type("SGB-10J-ZDA")
    expect(schedule).not_to_have_value("")
    chosen = schedule.input_value()
    steps.shot(page, "aktenplan-formular")
    _tab_to(page, page.get_by_role("button", name="Anlegen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="50.40", exact=True)).to_be_visible()
    entry = FilePlanUnit.objects.get(code="50.40")
    assert (entry.title, entry.retention_schedule) == ("Wohngeld", chosen)
    steps.shot(page, "aktenplan-angelegt")

    # The new person signs in with the password given and is a caseworker of unit C.
    newcomer = _session(browser, live_server.url)
    newcomer.goto("/anmelden/?next=/akten/")
    _type_into(newcomer, newcomer.get_by_label("Benutzername"), "sachbearbeitung-c")
    _type_into(newcomer, newcomer.get_by_label("Kennwort"), password)
    newcomer.keyboard.press("Enter")
    newcomer.wait_for_url("**/akten/")
    steps.shot(newcomer, "neue-person-angemeldet")
    assert events_for_object("unit", unit.pk).filter(action="created", actor="admin").exists()


# --- 5. A caseworker of another unit ------------------------------------------------------

def test_caseworker_of_another_unit_finds_and_opens_nothing(
        demo_tx, instance, live_server, browser, steps, tmp_path):
    case_file = demo_tx["A"]
    letter = born_digital_pdf(tmp_path / "mietbescheinigung.pdf", [
        "Mietbescheinigung", f"Aktenzeichen {case_file.file_reference}",
        "Die Vermieterin bestätigt die Kaltmiete und die Nebenkostenvorauszahlung."])
    job = _finished_job(_drop(letter), timeout=JOB_TIMEOUT_MS / 1000)
    assert job.state == JobState.FILED, (job.code, job.message, instance.log("worker"))
    document = job.document
    _indexed("Nebenkostenvorauszahlung", document.title)  # unit A finds it: it is indexed

    page = _sign_in(browser, live_server.url, "sachbearbeitung-b", "/suche/", keyboard=True)
    _type_into(page, page.get_by_label("Suchbegriffe"), "Nebenkostenvorauszahlung")
    page.keyboard.press("Enter")
    expect(page.locator("#count")).to_have_text(re.compile(r"^\s*0 Treffer"))
    expect(page.locator("#facets")).to_have_count(0)  # no counts by type, file or unit
    expect(page.locator(f'a[href="/dokumente/{document.pk}/"]')).to_have_count(0)
    assert document.title not in page.content()
    steps.shot(page, "suche-ohne-treffer")
    # Filtering by A's file or unit does not reveal counts either.
    page.goto(f"/suche/?q=Nebenkostenvorauszahlung&akte={case_file.pk}"
              f"&einheit={case_file.unit_id}")
    expect(page.locator("#count")).to_have_text(re.compile(r"^\s*0 Treffer"))
    expect(page.locator("#facets")).to_have_count(0)
    steps.shot(page, "suche-gefiltert")

    version = document.versions.get(number=1)
    for url in [f"/dokumente/{document.pk}/", f"/dokumente/{document.pk}/pdf",
                f"/dokumente/{document.pk}/original", f"/dokumente/{document.pk}/vorschau.png",
                f"/dokumente/{document.pk}/seiten/1.png",
                f"/dokumente/{document.pk}/versionen/{version.number}.pdf",
                f"/akten/{case_file.pk}/", f"/akten/{case_file.pk}/export.zip",
                f"/api/documents/{document.pk}/"]:
        response = page.goto(url) if url.endswith("/") else page.request.get(url)
        assert response.status == 404, url
        if url == f"/dokumente/{document.pk}/":
            steps.shot(page, "dokument-404")
    page.goto("/akten/")
    expect(page.get_by_text(case_file.file_reference)).to_have_count(0)
    steps.shot(page, "aktenliste")
    # B read nothing, but every attempt is in the officer's trail.
    assert access_events_for_document(document.pk).count() == 0
    refused = Event.objects.filter(action="read_refused", actor="sachbearbeitung-b")
    assert refused.count() >= 7
    assert {(e.object_type, e.object_id) for e in refused} >= {
        ("document", str(document.pk)), ("case_file", str(case_file.pk))}
