"""Accessibility (BITV 2.0 / WCAG 2.1 AA) of every page, in a real browser: Debian's chromium
driven by Playwright against a live server.

Each role signs in through the login form and opens every page it may see: the list comes from
the permission matrix (tests/web/test_permission_matrix.py), whose rows the suite requires for
every URL, so a new page is checked here without being named. axe-core (from node_modules,
package.json) must find no violation of any impact, and at 320 px width nothing may be wider
than the screen (WCAG 1.4.10, reflow)."""
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.browser import CHROMIUM, wait_until
from tests.conftest import DEMO_PASSWORD
from tests.second_factor import browser_second_factor
from tests.web.test_permission_matrix import _matrix, objects  # noqa: F401  (the fixture)

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


@pytest.fixture
def states(objects, settings, monkeypatch):  # noqa: F811
    """Pages in states the matrix's GET rows leave out, added to the roles' lists: a letter
    recognition read (its suggestions on the review page, and its document page with the
    mailroom's correction form), and a second version of the matrix's document (the versions
    and the comparison of the two, for a caseworker who may read earlier versions). Lists
    are paged short, so that their pagers are on the pages too."""
    from web.views.admin_lists import sorted_page

    settings.WEB_LIST_PAGE_SIZE = 1
    monkeypatch.setattr(sorted_page, "__defaults__", (2,))  # the administration's lists
    from archive.actors import actor_for_user, system_actor
    from archive.blobstore import blob_put_bytes
    from archive.models import Version
    from archive.services.documents import document_file_new, version_add
    from ingest.models import HotFolderReport, IngestJob, JobState
    from tests.archive.helpers import content, grant
    from tests.conftest import user

    recognition = {
        "file_reference": {"value": objects["file_reference"], "confidence": 0.81,
                           "reason": "Aktenzeichen im Text"},
        "sender": {"value": "Jobcenter Leipzig", "confidence": 0.9},
        "letter_date": {"value": "2026-11-20", "confidence": 0.7},
        "document_type": {"value": "antrag", "confidence": 0.62, "model_version": "m-1",
                          "reasons": ["Wörter „Antrag“, „beantrage“"]},
        "person": {"value": "Erika Mustermann", "confidence": 0.71, "client_number": "K-1",
                   "reasons": ["Geburtsdatum 01.02.1980"]}}
    recognised = document_file_new(
        content=replace(content("Antrag auf Wohngeld"), provenance={"recognition": recognition}),
        case_file=None, title="Schreiben", received_at=timezone.now(), document_type="antrag",
        sender="Jobcenter Leipzig", actor=system_actor("ingest", "poststelle")).pk
    first = Version.objects.get(document_id=objects["document"], number=1)
    text = "Antrag auf Leistungen, nur für A\nzweite Fassung"
    original = blob_put_bytes(f"%PDF-1.7 Original: {text}".encode())
    version_add(actor=actor_for_user(user("sachbearbeitung-a")), document_id=objects["document"],
                content=replace(content(text), original_sha256=original.sha256,
                                original_size=original.size,
                                rendition_sha256=first.rendition_sha256, rendition_is_pdfa=True,
                                thumbnail_sha256=first.thumbnail_sha256))
    grant("sachbearbeitung-a", "view_unredacted")
    # The quarantine's other tables: a refused file released with a reason, and an entry the
    # hot-folder watcher left in the folder.
    IngestJob.objects.create(
        source="upload", original_name="freigegeben.pdf", original_sha256="9" * 64,
        original_size=1, submitted_by="poststelle", state=JobState.REFUSED,
        code="PDF_ENCRYPTED", message="verschlüsselt",
        provenance={"quarantine_closed": {"reason": "Doppelt eingegangen", "by": "poststelle"}})
    HotFolderReport.objects.create(path="unterordner/verknuepfung.pdf", code="HOTFOLDER_LINK",
                                   message="Verknüpfung, nicht übernommen")
    # The hand-over to the archive with something to do: an appraised transfer (the package
    # form, the way to disposal for what is kassiert) and a refused message of the archive.
    import uuid

    from archive.services.events import event_append
    from retention.models import Transfer, TransferItem, TransferState

    appraised = Transfer.objects.create(process_id=uuid.uuid4(), created_by="datenschutz",
                                        state=TransferState.APPRAISED,
                                        appraised_at=timezone.now())
    TransferItem.objects.create(transfer=appraised, case_file_id=objects["case_file"],
                                state="archive")
    event_append(action="archive_message_refused", object_type="xdomea_message",
                 object_id="0" * 64, actor="datenschutz",
                 data={"name": "bewertung.xml", "code": "XDOMEA_SCHEMA_INVALID",
                       "message": "Aussonderung.Bewertungsverzeichnis.0502 verletzt das "
                                  "xdomea-3.0.0-Schema: line 1: …"})
    # The signing panel with a round and the co-signer's forms, and a file note with its
    # correction form (signoff app).
    from signoff.models import SigningRoute
    from signoff.notes import file_note_write

    on_route = SigningRoute.objects.get(pk=objects["route"]).document_id
    note = file_note_write(actor=actor_for_user(user("sachbearbeitung-a")),
                           case_file_id=objects["case_file"], kind="telefonat",
                           noted_on=timezone.localdate(), text="Rückruf vereinbart.").pk
    officer = _officer_states(objects)
    # The officer's report on one person's reads (FILLED) needs a four-eyes approval.
    from datetime import date

    from archive.services.trail_analysis import trail_analysis_decide, trail_analysis_request
    asked = trail_analysis_request(actor=actor_for_user(user("datenschutz")),
                                   subject="sachbearbeitung-a", start=date(2000, 1, 1),
                                   end=date(2999, 12, 31), reason="Beschwerde einer Person")
    trail_analysis_decide(actor=actor_for_user(user("admin")), analysis=asked, approve=True)
    return {"recognised": recognised, "officer": officer,
            "datenschutz": [reverse("web:transfer", args=(appraised.pk,)),
                            *officer.values()],
            "poststelle": [f"/dokumente/{recognised}/"],
            # The viewer's page pictures and the drawn redaction need a real PDF.
            "sachbearbeitung-a": [reverse("web:version_diff", args=(objects["document"],))
                                  + "?alt=1&neu=2",
                                  reverse("web:document", args=(objects["pdf_document"],)),
                                  reverse("web:document", args=(on_route,)),
                                  reverse("web:document", args=(note,))]}


def _officer_states(objects) -> dict:  # noqa: F811
    """The officer's retention pages with something on them: a case file of unit B closed
    long ago (due, so the due list has rows and a pager), a list the officer proposed
    themselves (the four-eyes note), an approved one (the execution form) and the executed
    one of the matrix (the protocol's links)."""
    from datetime import datetime

    from archive.actors import actor_for_user, system_actor
    from archive.models import CaseFile, FilePlanUnit, Unit
    from archive.services.casefiles import case_file_close, case_file_create
    from retention.models import DisposalList, DisposalState
    from retention.services.schedules import retention_recompute
    from tests.conftest import user

    due = []
    for title in ("Alte Akte", "Ältere Akte"):
        case_file = case_file_create(
            plan_unit=FilePlanUnit.objects.get(code="50.20.1"),
            unit=Unit.objects.get(code="B"), actor=system_actor(name="test"), title=title)
        case_file_close(actor=actor_for_user(user("sachbearbeitung-b")), case_file=case_file)
        CaseFile.objects.filter(pk=case_file.pk).update(
            closed_at=timezone.make_aware(datetime(2010, 6, 1)))
        retention_recompute(case_file=CaseFile.objects.get(pk=case_file.pk))
        due.append(case_file)
    own = DisposalList.objects.create(proposed_by="datenschutz")
    own.case_files.set([due[0]])
    approved = DisposalList.objects.create(proposed_by="datenschutz-vertretung",
                                           approved_by="datenschutz-2",
                                           approved_at=timezone.now(),
                                           state=DisposalState.APPROVED)
    approved.case_files.set([due[1]])
    return {"due": reverse("web:disposal_due"),
            "own": reverse("web:disposal", args=(own.pk,)),
            "approved": reverse("web:disposal", args=(approved.pk,)),
            "executed": reverse("web:disposal", args=(objects["executed"],))}


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



def _session(browser, base_url: str, username: str | None):
    """A browser session signed in through the real login form (or anonymous)."""
    context = browser.new_context(base_url=base_url, locale="de-DE",
                                  viewport={"width": 1280, "height": 900})
    # axe-core comes in as an init script (an inline script tag would be blocked by the
    # Content-Security-Policy, which stays on); and whatever the policy blocks on any page is
    # recorded and reported as a violation too.
    context.add_init_script(path=str(_axe()))
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    if username:
        page.goto("/anmelden/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        browser_second_factor(page, username)  # the administrator's and the officer's code
        page.wait_for_url(f"{base_url}/")
    return page


def _pages(objects, states, username: str | None) -> list[str]:  # noqa: F811
    """Every web page (GET, answered 200) of the permission matrix that this user may see."""
    urls = []
    for name, rows in _matrix(objects).items():
        if not name.startswith("web:"):
            continue
        for method, args, data, expected in rows:
            if method == "get" and expected[username] == 200:
                query = f"?{urlencode(data, doseq=True)}" if data else ""
                urls.append(reverse(name, args=args) + query)
    return urls + FILLED.get(username, []) + states.get(username, [])


def _settled(page) -> None:
    """What scripts add is checked too: the document viewer has drawn its pages with pdf.js,
    or shows the embedded PDF it falls back to."""
    wait_until(page, """() => {
        const viewer = document.getElementById("viewer");
        return !viewer || viewer.classList.contains("viewer-ready")
            || viewer.querySelector("iframe") !== null;
    }""", timeout=15)


CSP_WATCH = ("document.addEventListener('securitypolicyviolation', function (e) {"
             " (window.__cspViolations = window.__cspViolations || [])"
             "   .push(e.violatedDirective + ' ' + e.blockedURI); });")


def _violations(page) -> list[str]:
    result = page.evaluate("async () => await axe.run(document)")
    blocked = page.evaluate("window.__cspViolations || []")
    return [f"{violation['impact']} {violation['id']}: {violation['help']} "
            f"({'; '.join(' '.join(node['target']) for node in violation['nodes'][:3])})"
            for violation in result["violations"]] + [
        f"Content-Security-Policy blocked: {entry}" for entry in blocked]


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
        objects, states, indexed, live_server, browser, username):  # noqa: F811
    page = _session(browser, live_server.url, username)
    checked, failures = [], []
    for url in _pages(objects, states, username):
        answer = page.request.get(url)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # PDFs, images, archives: not pages
        response = page.goto(url)
        assert response.status == 200, url
        checked.append(url)
        _settled(page)
        failures += [f"{url}: {violation}" for violation in _violations(page)]
        failures += [f"{url}: {problem}" for problem in _narrow(page)]
    assert len(checked) >= 2, checked  # the home page or login, and at least one more
    if username == "sachbearbeitung-a":  # the search page was checked with a hit on it
        page.goto("/suche/?q=Leistungen")
        assert page.locator(f'main a[href="/dokumente/{objects["document"]}/"]').count() >= 1
    if username == "admin":  # a new one-time password link, shown once after it was issued
        page.goto(reverse("web:admin_user_edit", args=(objects["newcomer"],)))
        page.locator(f'form[action$="/{objects["newcomer"]}/kennwort-link"] button').click()
        page.wait_for_selector("#password-link")
        failures += [f"{page.url} with the password link: {problem}"
                     for problem in _violations(page) + _narrow(page)]
        # A new API token, shown once after it was created.
        page.goto(reverse("web:admin_tokens"))
        page.get_by_label("Name des Clients").fill("axe-scanner")
        page.get_by_label("Dienstkonto (Benutzername)").fill("poststelle")
        page.get_by_label("Dokumente einliefern").check()
        page.get_by_role("button", name="Token anlegen").click()
        page.wait_for_selector("#new-token")
        failures += [f"{page.url} with a new token: {problem}"
                     for problem in _violations(page) + _narrow(page)]
    assert failures == [], "\n".join(failures)
    # The new pages were checked in the states that show their forms, tables and pagers.
    shown = {"poststelle": {"/quarantaene/": 'id="released"', "/posteingang/": 'class="pager"',
                            "/posteingang/pruefen/": "Erika Mustermann",
                            f"/dokumente/{states['recognised']}/": 'id="correction"'},
             "sachbearbeitung-a": {f"/dokumente/{objects['document']}/": 'id="correction"',
                                   states["sachbearbeitung-a"][0]: 'id="diff"',
                                   states["sachbearbeitung-a"][1]: 'id="drawing-boxes"',
                                   "/neue-post/": 'class="pager"'},
             "datenschutz": {states["officer"]["due"]: 'class="pager"',
                             states["officer"]["own"]: 'id="four-eyes-note"',
                             states["officer"]["approved"]: 'id="execute-confirm"',
                             states["officer"]["executed"]: "protokoll.pdf",
                             f"/datenschutz/loeschantraege/{objects['erasure']}/":
                                 'name="outcome"'},
             "admin": {"/verwaltung/benutzer/": 'rel="next"',
                       f"/verwaltung/dokumenttypen/{objects['document_type']}/": "<form",
                       "/verwaltung/dokumenttypen/?seite=2": 'rel="prev"',
                       f"/aktenplan/{objects['plan_unit']}/": "<form"}}
    paths = {url.split("?")[0] for url in checked}
    for url, text in shown.get(username, {}).items():
        assert url.split("?")[0] in paths and text in page.request.get(url).text(), url


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
