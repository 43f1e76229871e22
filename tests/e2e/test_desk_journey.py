"""The caseworker's desk in a real browser (issue 13.9; Debian's chromium driven by Playwright,
keyboard only, against a live server with a real worker and hot-folder watcher):

post arrives through the hot folder and the real pipeline in the case file whose caseworker is
sachbearbeitung-a (X); it appears on X's desk as new post; X opens it from the desk and it is no
longer new; X writes a file note and sets a follow-up due today, which appears on the desk; a
draft of X passes a two-person co-signing route, co-signer kollegin-a (Y)
and final signer leitung-a (Z, with signing authority), each finding it on their own desk, and
ends signed off. sachbearbeitung-b of unit B sees none of it on their desk.

Each step's screenshot is kept under test-artifacts/journeys/<test>/<nn-step>.png, as for the
journeys of issue 12."""
import os
import re
from dataclasses import replace
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.actors import actor_for_user, system_actor
from archive.blobstore import blob_put_file
from archive.models import Document
from archive.services.documents import document_file_new
from archive.services.responsibility import case_file_responsible_set
from desk.models import DocumentSeen
from desk.selectors import desk_collect
from followups.models import FollowUp
from ingest.models import JobState
from signoff.models import RouteState, SigningRoute
from tests.archive.helpers import content, grant, staff
from tests.browser import CHROMIUM
from tests.conftest import DEMO_PASSWORD, user
from tests.e2e.test_journeys import (
    JOB_TIMEOUT_MS,
    Steps,
    _drop,
    _exactly,
    _finished_job,
    _session,
    _tab_to,
    _type_into,
)
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
    pytest.mark.skipif(bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
                       reason="browser journeys: run on the SQLite pass only"),
]
STAFF_PASSWORD = "x" * 12  # tests.archive.helpers.staff


@pytest.fixture
def steps(request):
    return Steps(request.node.name)


@pytest.fixture(autouse=True)
def patient_expectations():
    """The live server answers between OCR jobs of the parallel workers: a form's POST took
    more than Playwright's 5 s default once in CI (the route start). Waiting longer changes
    nothing a user would see, only how long a slow machine is given."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def _pdf_document(case_file, path, title: str, lines: list[str]):
    """A filed draft whose original and rendition are a real PDF, as the viewer shows it."""
    stored = blob_put_file(born_digital_pdf(path, lines))
    return document_file_new(
        content=replace(content("\n".join(lines)), original_sha256=stored.sha256,
                        original_size=stored.size, rendition_sha256=stored.sha256),
        case_file=case_file, title=title, received_at=timezone.now(),
        actor=system_actor("system", "test"))


def _sign_in(browser, base_url: str, username: str, password: str, path: str):
    """A fresh session that signs in with the keyboard and lands on path."""
    page = _session(browser, base_url)
    page.goto(f"/anmelden/?next={quote(path)}")
    _type_into(page, page.get_by_label("Benutzername"), username)
    _type_into(page, page.get_by_label("Kennwort"), password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{path}")
    return page


def _follow(page, link, url_pattern: str) -> None:
    _tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(url_pattern)


def _section(page, key: str):
    """A desk section by its data attribute, e.g. "own-new_post"."""
    return page.locator(f'section[data-section="{key}"]')


def _to_desk(page) -> None:
    """Through the main navigation, as a keyboard user goes back to the desk."""
    _follow(page, page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(r"^Mein Arbeitsplatz")), "**/arbeitsplatz/")


def test_post_reaches_the_desk_gets_a_note_and_a_draft_is_co_signed_and_signed_off(
        demo_tx, instance, live_server, german_browser, steps, tmp_path):
    browser = german_browser  # German date fields (TT.MM.JJJJ), as in a German office
    case_file = demo_tx["A"]
    x = user("sachbearbeitung-a")
    case_file_responsible_set(actor=actor_for_user(x), case_file=case_file, responsible=x)
    staff("kollegin-a", unit_code="A")
    staff("leitung-a", unit_code="A")
    grant("leitung-a", "sign_off")
    other_before = desk_collect(user("sachbearbeitung-b")).total

    # 1. Post arrives: a letter naming the file reference, into the hot folder.
    letter = born_digital_pdf(tmp_path / "widerspruch-desk.pdf", [
        "Widerspruch gegen den Bescheid", f"Aktenzeichen: {case_file.file_reference}",
        "Sehr geehrte Damen und Herren,", "hiermit lege ich Widerspruch ein.",
        "Mit freundlichen Grüßen"])
    job = _finished_job(_drop(letter), timeout=JOB_TIMEOUT_MS / 1000)
    assert job.state == JobState.FILED, (job.code, job.message, instance.log("worker"))
    post = job.document
    assert post.case_file_id == case_file.pk

    # 2. It is on X's desk as new post.
    desk = _sign_in(browser, live_server.url, "sachbearbeitung-a", DEMO_PASSWORD,
                    "/arbeitsplatz/")
    new_post = _section(desk, "own-new_post")
    link = new_post.get_by_role("link", name=post.title, exact=True)
    expect(link).to_have_count(1)
    expect(new_post.locator(f'li[data-key="new_post:{post.pk}"] .new')).to_have_text("neu")
    steps.shot(desk, "neue-post")

    # 3. X opens it from the desk; afterwards it is no longer new post.
    _follow(desk, link, f"**/dokumente/{post.pk}/")
    expect(desk.locator("main h1")).to_contain_text(post.title)
    steps.shot(desk, "geoeffnet")
    assert DocumentSeen.objects.filter(user=x, document=post).exists()
    _to_desk(desk)
    expect(_section(desk, "own-new_post").locator(f'a[href="/dokumente/{post.pk}/"]'))\
        .to_have_count(0)
    steps.shot(desk, "nicht-mehr-neu")

    # 4. A file note in the case file, with the keyboard.
    desk.goto(f"/akten/{case_file.pk}/")
    _tab_to(desk, desk.get_by_label("Art des Vermerks"))
    desk.keyboard.type("Telefonat")  # a closed select picks the option typed
    expect(desk.get_by_label("Art des Vermerks").locator("option:checked")).to_have_text(
        "Telefonat")
    _type_into(desk, desk.get_by_label("Vermerk", exact=True),
               "Frau Schulz bestätigt telefonisch den Widerspruch.")
    _tab_to(desk, desk.get_by_role("button", name="Vermerk ablegen"))
    desk.keyboard.press("Enter")
    expect(desk.locator("main")).to_contain_text("Der Aktenvermerk wurde abgelegt.")
    expect(desk.locator("main")).to_contain_text(
        f"Aktenvermerk (Telefonat) vom {timezone.localdate():%d.%m.%Y}")
    steps.shot(desk, "aktenvermerk")
    assert Document.objects.filter(case_file=case_file,
                                   title__startswith="Aktenvermerk (Telefonat)").count() == 1

    # 5. A follow-up (Wiedervorlage) for X on the case file, due today: on X's desk at once.
    #    The browser's own language is German, so the date field is typed TT.MM.JJJJ.
    today = timezone.localdate()
    new_follow_up = desk.get_by_role("group", name="Neue Wiedervorlage")
    due = new_follow_up.get_by_label(_exactly("Wiedervorlage am"))
    _type_into(desk, due, f"{today:%d%m%Y}")
    expect(due).to_have_value(today.isoformat())
    _type_into(desk, new_follow_up.get_by_label(_exactly("Anlass")), "Rückruf wegen Widerspruch")
    # "mich selbst", the first choice
    expect(new_follow_up.get_by_label(_exactly("für"))).to_have_value(f"user:{x.pk}")
    _tab_to(desk, desk.get_by_role("button", name="Wiedervorlage anlegen"))
    desk.keyboard.press("Enter")
    expect(desk.locator("#follow-ups")).to_contain_text("Rückruf wegen Widerspruch")
    steps.shot(desk, "wiedervorlage")
    (follow_up,) = FollowUp.objects.filter(case_file=case_file, closed_at__isnull=True)
    assert (follow_up.assignee_id, follow_up.due) == (x.pk, today)
    _to_desk(desk)
    expect(_section(desk, "own-follow_up").locator(f'li[data-key="follow_up:{follow_up.pk}"]'))\
        .to_contain_text("Rückruf wegen Widerspruch")
    steps.shot(desk, "wiedervorlage-auf-dem-arbeitsplatz")

    # 6. X sends a draft on a two-person route: co-signer Y, final signer Z.
    draft = _pdf_document(case_file, tmp_path / "entwurf.pdf", "Abhilfe-Entwurf",
                          ["Entwurf Abhilfebescheid"])
    desk.goto(f"/dokumente/{draft.pk}/")
    # pdf.js has drawn the page: a viewer still loading may yet take the focus (its fallback
    # frame did once in CI, and the co-signer typed went nowhere).
    expect(desk.locator("#viewer .viewer-page canvas")).to_have_count(1)
    co_signers = desk.get_by_label("Mitzeichnung (in dieser Reihenfolge", exact=False)
    _type_into(desk, co_signers, "kollegin-a")
    signer = desk.get_by_label("Schlusszeichnung (Benutzername", exact=False)
    _type_into(desk, signer, "leitung-a")
    expect(co_signers).to_have_value("kollegin-a")
    expect(signer).to_have_value("leitung-a")
    _tab_to(desk, desk.get_by_role("button", name="In Umlauf geben"))
    desk.keyboard.press("Enter")
    expect(desk.locator("#zeichnung")).to_contain_text("Runde 1")
    steps.shot(desk, "in-umlauf")

    # 7. Y finds it on their desk and co-signs; then it is Z's turn, on Z's desk.
    for username, button, shot in [("kollegin-a", "Mitzeichnen", "mitgezeichnet"),
                                   ("leitung-a", "Schlusszeichnen", "schlussgezeichnet")]:
        page = _sign_in(browser, live_server.url, username, STAFF_PASSWORD, "/arbeitsplatz/")
        awaiting = _section(page, "own-signoff").get_by_role("link", name="Abhilfe-Entwurf",
                                                              exact=True)
        expect(awaiting).to_have_count(1)
        steps.shot(page, f"{username}-arbeitsplatz")
        _follow(page, awaiting, f"**/dokumente/{draft.pk}/**")
        _tab_to(page, page.get_by_role("button", name=button, exact=True))
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text("Gezeichnet.")
        steps.shot(page, shot)
        page.context.close()

    route = SigningRoute.objects.get(document=draft)
    assert route.state == RouteState.SIGNED_OFF
    assert [step.acted_by.username for step in route.steps.order_by("position")] == [
        "kollegin-a", "leitung-a"]
    desk.goto(f"/dokumente/{draft.pk}/")
    expect(desk.locator("#schlussgezeichnet")).to_be_visible()
    steps.shot(desk, "eingefroren")

    # 8. Another unit's caseworker: none of it on their desk, no item, no link, no count.
    other = _sign_in(browser, live_server.url, "sachbearbeitung-b", DEMO_PASSWORD,
                     "/arbeitsplatz/")
    main = other.locator("main")
    for document in (post, draft):
        expect(main.locator(f'a[href^="/dokumente/{document.pk}/"]')).to_have_count(0)
        expect(main).not_to_contain_text(document.title)
    expect(main).not_to_contain_text(case_file.file_reference)
    # Their count is what it was before the journey (their own unit's items only).
    assert desk_collect(user("sachbearbeitung-b")).total == other_before
    expect(main.locator("p").first).to_contain_text(f"{other_before} offene")
    steps.shot(other, "andere-einheit")
