"""The case file page (issue #12.6): the file cover, processes and documents as a sorted,
paged tree, zdA behind a confirmation step, a closed file without edit forms; one logged read
and a fixed number of queries however long the file is; nothing for another unit."""
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from archive.models import CaseFile, Document, Event, Process
from retention.models import LegalHold, RetentionSchedule
from tests.archive.helpers import file_document, staff
from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_accessibility import _narrow, _session, _violations

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _page(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _document(case_file, title, *, day, process=None, document_type=""):
    """A filed document received at noon (Berlin) of a day of November 2026."""
    document = file_document(case_file, title=title)
    Document.objects.filter(pk=document.pk).update(
        process=process, document_type=document_type,
        received_at=datetime(2026, 11, day, 12, tzinfo=BERLIN))
    return document


def _titles(elements):
    return [element.text_content().strip() for element in elements]


def _loose(page):
    return _titles(page.xpath('//ul[@id="baum"]/li[@class="document"]/a'))


def _nested(page, process):
    return _titles(page.xpath(f'//li[@id="vorgang-{process.pk}"]/ul/li[@class="document"]/a'))


@pytest.fixture
def filled(demo):
    case_file = demo["A"]
    CaseFile.objects.filter(pk=case_file.pk).update(
        subject_name="Erika Mustermann", subject_birth_date=date(1980, 2, 29),
        client_number="KD-4711")
    hilfe = Process.objects.create(case_file=case_file, title="Hilfe zum Lebensunterhalt")
    empty = Process.objects.create(case_file=case_file, title="Wohngeld")
    _document(case_file, "Bescheid März", day=3, process=hilfe, document_type="bescheid")
    _document(case_file, "Antrag Januar", day=1, process=hilfe, document_type="antrag")
    _document(case_file, "Zuschrift Nachbar", day=2)
    _document(case_file, "Attest", day=4, document_type="antrag")
    return {"case_file": case_file, "hilfe": hilfe, "empty": empty}


def test_the_cover_names_the_file_the_person_the_unit_the_status_and_the_retention(filled):
    case_file = filled["case_file"]
    page = _page(_client("sachbearbeitung-a").get(f"/akten/{case_file.pk}/"))
    cover = page.get_element_by_id("aktendeckel").getparent().text_content()
    for expected in (case_file.file_reference, case_file.title, "Erika Mustermann",
                     "29.02.1980", "KD-4711", "Sachgebiet A", "offen"):
        assert expected in cover
    schedule = RetentionSchedule.objects.get(key=case_file.plan_unit.retention_schedule)
    retention = page.get_element_by_id("retention").text_content()
    assert schedule.name in retention and "Sperre" not in retention
    LegalHold.objects.create(case_file=case_file, reason="Prüfung", mandate="RPA 1",
                             placed_by="datenschutz")
    page = _page(_client("sachbearbeitung-a").get(f"/akten/{case_file.pk}/"))
    assert "Sperre" in page.get_element_by_id("retention").text_content()
    # The cover comes first: before the tree and before any form.
    main = page.xpath("//main")[0]
    headings = [h.get("id") for h in main.iter("h2")]
    assert headings.index("aktendeckel") < headings.index("dokumente")


def test_processes_hold_their_documents_and_loose_documents_stay_at_the_top_level(filled):
    page = _page(_client("sachbearbeitung-a").get(f"/akten/{filled['case_file'].pk}/"))
    # Default: newest first inside each level.
    assert _loose(page) == ["Attest", "Zuschrift Nachbar"]
    assert _nested(page, filled["hilfe"]) == ["Bescheid März", "Antrag Januar"]
    empty = page.get_element_by_id(f"vorgang-{filled['empty'].pk}")
    assert "Wohngeld" in empty.text_content() and "0 Dokumente" in empty.text_content()
    assert empty.xpath("./ul") == []
    # Every control of the tree has a label.
    for control in page.xpath('//ul[@id="baum"]//input[not(@type="hidden")]'):
        assert page.xpath(f'//label[@for="{control.get("id")}"]'), control.get("name")


def test_a_closed_process_is_reopened_from_the_tree_with_a_reason(filled):
    case_file, hilfe = filled["case_file"], filled["hilfe"]
    client = _client("sachbearbeitung-a")
    client.post(f"/akten/{case_file.pk}/vorgang-zda", {"process": hilfe.pk})
    page = _page(client.get(f"/akten/{case_file.pk}/"))
    branch = page.get_element_by_id(f"vorgang-{hilfe.pk}")
    assert "zdA" in branch.text_content()
    assert branch.xpath('.//button[normalize-space()="Vorgang wieder aufnehmen"]')
    assert not branch.xpath('.//button[normalize-space()="Vorgang zdA verfügen"]')
    # Without a reason it stays closed, and the page says why in German.
    refused = client.post(f"/akten/{case_file.pk}/vorgang-wiederaufnahme",
                          {"process": hilfe.pk, "reason": ""}, follow=True)
    assert "braucht eine Begründung" in refused.content.decode()
    hilfe.refresh_from_db()
    assert hilfe.closed_at is not None
    # Another unit cannot reach it at all.
    other = _client("sachbearbeitung-b").post(f"/akten/{case_file.pk}/vorgang-wiederaufnahme",
                                              {"process": hilfe.pk, "reason": "x"})
    assert other.status_code == 404
    done = client.post(f"/akten/{case_file.pk}/vorgang-wiederaufnahme",
                       {"process": hilfe.pk, "reason": "Nachforderung"}, follow=True)
    assert "Der Vorgang wurde wieder aufgenommen." in done.content.decode()
    hilfe.refresh_from_db()
    assert hilfe.closed_at is None
    assert Event.objects.filter(action="reopened", object_type="process",
                                object_id=str(hilfe.pk)).count() == 1


@pytest.mark.parametrize(("sort", "loose", "nested"), [
    ("titel", ["Attest", "Zuschrift Nachbar"], ["Antrag Januar", "Bescheid März"]),
    ("-titel", ["Zuschrift Nachbar", "Attest"], ["Bescheid März", "Antrag Januar"]),
    ("eingang", ["Zuschrift Nachbar", "Attest"], ["Antrag Januar", "Bescheid März"]),
    # By the type's name: "Antrag" before "Bescheid"; no type sorts apart from both.
    ("-typ", ["Attest", "Zuschrift Nachbar"], ["Bescheid März", "Antrag Januar"]),
])
def test_sorting_orders_the_documents_inside_each_level(filled, sort, loose, nested):
    client = _client("sachbearbeitung-a")
    page = _page(client.get(f"/akten/{filled['case_file'].pk}/", {"sortierung": sort}))
    assert _loose(page) == loose
    assert _nested(page, filled["hilfe"]) == nested
    current = page.xpath('//p[@id="sortierung"]/a[@aria-current="true"]')
    assert len(current) == 1


def test_an_unknown_sort_falls_back_to_the_newest_first(filled):
    page = _page(_client("sachbearbeitung-a").get(f"/akten/{filled['case_file'].pk}/",
                                                  {"sortierung": "passwort", "seite": "x"}))
    assert _loose(page) == ["Attest", "Zuschrift Nachbar"]


@override_settings(WEB_LIST_PAGE_SIZE=3)
def test_paging_runs_through_the_tree_and_keeps_the_sort(filled):
    client = _client("sachbearbeitung-a")
    url = f"/akten/{filled['case_file'].pk}/"
    first = _page(client.get(url, {"sortierung": "titel"}))
    # Loose documents first, then the processes' documents, in the chosen order.
    assert _loose(first) == ["Attest", "Zuschrift Nachbar"]
    assert _nested(first, filled["hilfe"]) == ["Antrag Januar"]
    hilfe = first.get_element_by_id(f"vorgang-{filled['hilfe'].pk}").text_content()
    assert "1 weiteres Dokument dieses Vorgangs auf einer anderen Seite" in hilfe
    next_link = first.xpath('//nav[@class="pager"]//a[@rel="next"]')[0].get("href")
    assert "sortierung=titel" in next_link and "seite=2" in next_link
    second = _page(client.get(url + next_link))
    assert _loose(second) == []
    assert _nested(second, filled["hilfe"]) == ["Bescheid März"]
    # Every process stays in the tree on every page, with its count.
    assert second.get_element_by_id(f"vorgang-{filled['empty'].pk}") is not None


def test_opening_the_page_is_exactly_one_logged_read(filled):
    client = _client("sachbearbeitung-a")
    case_file = filled["case_file"]
    before = Event.objects.order_by("-seq").first().seq
    client.get(f"/akten/{case_file.pk}/", {"sortierung": "titel", "seite": "1"})
    new = list(Event.objects.filter(seq__gt=before))
    assert [(event.action, event.object_type, event.object_id) for event in new] == [
        ("viewed", "case_file", str(case_file.pk))]
    assert new[0].actor == "sachbearbeitung-a"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "teamleitung-a"])
def test_the_page_makes_as_many_queries_for_30_documents_as_for_5(demo, username):
    if username == "teamleitung-a":  # a closed file, seen by whoever may reopen it
        lead = staff("teamleitung-a", unit_code="A")
        lead.user_permissions.add(Permission.objects.get(codename="reopen_casefile"))
    case_file = demo["A"]
    client = Client()
    client.force_login(staff("zaehler", unit_code="A") if username == "sachbearbeitung-a"
                       else lead)
    url = f"/akten/{case_file.pk}/"

    def fill(start, count):
        for n in range(start, start + count):
            process = Process.objects.create(case_file=case_file, title=f"Vorgang {n}")
            _document(case_file, f"Brief {n}", day=1 + n % 28, process=process,
                      document_type="antrag")
            _document(case_file, f"Lose {n}", day=1 + n % 28)

    fill(0, 3)  # 6 documents, 3 processes
    if username == "teamleitung-a":
        CaseFile.objects.filter(pk=case_file.pk).update(
            closed_at=datetime(2026, 11, 30, tzinfo=BERLIN), closed_by="sachbearbeitung-a")
    _queries(client, url)  # warm caches (content types, permissions)
    few = _queries(client, url)
    fill(3, 12)  # 30 documents, 15 processes
    assert Document.objects.filter(case_file=case_file).count() == 30
    many = _queries(client, url)
    assert few == many


def test_another_unit_gets_404_and_nothing_of_the_file(filled):
    case_file = filled["case_file"]
    client = _client("sachbearbeitung-b")
    before = Event.objects.filter(action="viewed").count()
    for path in (f"/akten/{case_file.pk}/", f"/akten/{case_file.pk}/?sortierung=titel",
                 f"/akten/{case_file.pk}/schliessen/"):
        response = client.get(path)
        assert response.status_code == 404
        body = response.content.decode()
        for secret in (case_file.file_reference, "Erika Mustermann", "Attest",
                       "Hilfe zum Lebensunterhalt"):
            assert secret not in body
    assert client.post(f"/akten/{case_file.pk}/schliessen/", {"confirm": "1"}).status_code \
        == 404
    assert Event.objects.filter(action="viewed").count() == before
    case_file.refresh_from_db()
    assert not case_file.is_closed


def test_closing_asks_first_and_closes_only_when_confirmed(filled):
    case_file = filled["case_file"]
    client = _client("sachbearbeitung-a")
    # The case file page offers the question, not the closing itself.
    page = _page(client.get(f"/akten/{case_file.pk}/"))
    assert page.xpath(f'//form[@method="get"][@action="/akten/{case_file.pk}/schliessen/"]')
    assert not page.xpath(f'//form[@action="/akten/{case_file.pk}/zda"]')
    question = _page(client.get(f"/akten/{case_file.pk}/schliessen/"))
    assert (question.xpath("//h1")[0].text_content()
            == f"Akte {case_file.file_reference} wirklich schließen?")
    consequences = question.get_element_by_id("folgen").text_content()
    assert "1 offener Vorgang" not in consequences and "2 offene Vorgänge" in consequences
    assert "Wieder aufnehmen kann nur" in consequences
    # A POST without the confirmation (or a stray old form) closes nothing.
    response = client.post(f"/akten/{case_file.pk}/schliessen/")
    assert response.status_code == 302 and response["Location"].endswith("/schliessen/")
    assert client.post(f"/akten/{case_file.pk}/zda").status_code == 404
    case_file.refresh_from_db()
    assert not case_file.is_closed and not Event.objects.filter(action="closed").exists()
    response = client.post(f"/akten/{case_file.pk}/schliessen/", {"confirm": "1"}, follow=True)
    case_file.refresh_from_db()
    assert case_file.is_closed and case_file.closed_by == "sachbearbeitung-a"
    assert Event.objects.filter(action="closed", object_id=str(case_file.pk)).count() == 1
    assert "Die Akte ist zdA verfügt." in response.content.decode()
    # Asked again, the question is not put: the file is already closed.
    again = client.get(f"/akten/{case_file.pk}/schliessen/", follow=True)
    assert again.redirect_chain[-1][0] == f"/akten/{case_file.pk}/"
    assert Event.objects.filter(action="closed").count() == 1


def test_a_reader_by_share_may_not_close(filled):
    from archive.models import Share, Unit

    case_file = filled["case_file"]
    Share.objects.create(case_file=case_file, unit=Unit.objects.get(code="B"),
                         granted_by="sachbearbeitung-a", reason="Vertretung")
    client = _client("sachbearbeitung-b")
    # A read by share states its purpose (issue 14).
    page = _page(client.get(f"/akten/{case_file.pk}/", {"zweck": "Vertretung im Urlaub"}))
    assert _loose(page) == ["Attest", "Zuschrift Nachbar"]
    assert page.xpath('//main//form') == []
    assert client.get(f"/akten/{case_file.pk}/schliessen/").status_code == 404
    assert client.post(f"/akten/{case_file.pk}/schliessen/", {"confirm": "1"}).status_code \
        == 404
    case_file.refresh_from_db()
    assert not case_file.is_closed


def test_a_closed_file_shows_no_form_and_who_may_reopen(filled):
    lead = staff("teamleitung-a", unit_code="A")
    lead.user_permissions.add(Permission.objects.get(codename="reopen_casefile"))
    case_file = filled["case_file"]
    client = _client("sachbearbeitung-a")
    client.post(f"/akten/{case_file.pk}/schliessen/", {"confirm": "1"})
    page = _page(client.get(f"/akten/{case_file.pk}/"))
    main = page.xpath("//main")[0]
    # No form at all: no edit, move, process, share, upload or close form.
    assert main.xpath(".//form") == [] and main.xpath(".//input | .//select | .//textarea") \
        == []
    assert "deckblatt" not in lxml.html.tostring(main).decode()
    note = page.get_element_by_id("closed-note").text_content()
    assert "Wieder aufnehmen können: teamleitung-a." in note
    assert "zdA verfügt von sachbearbeitung-a" in page.get_element_by_id("status").text_content()
    # The tree is still there to read.
    assert _nested(page, filled["hilfe"]) == ["Bescheid März", "Antrag Januar"]
    # Whoever may reopen sees the one form for it.
    client.force_login(lead)
    forms = _page(client.get(f"/akten/{case_file.pk}/")).xpath("//main//form")
    assert [form.get("action") for form in forms] == [f"/akten/{case_file.pk}/wiederaufnahme"]


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no /usr/bin/chromium")
def test_the_filled_tree_the_question_and_the_closed_file_pass_axe_at_320_px(
        filled, settings, live_server, browser):
    """The permission matrix's case file has no processes and one page; axe sees the tree
    with its process forms, the pager, the zdA question and the closed file here."""
    settings.WEB_LIST_PAGE_SIZE = 3
    case_file = filled["case_file"]
    lead = staff("teamleitung-a", unit_code="A")
    lead.user_permissions.add(Permission.objects.get(codename="reopen_casefile"))
    lead.set_password(DEMO_PASSWORD)
    lead.save()
    failures = []
    for username, urls in (
            ("sachbearbeitung-a", [f"/akten/{case_file.pk}/",
                                   f"/akten/{case_file.pk}/?sortierung=titel&seite=2",
                                   f"/akten/{case_file.pk}/schliessen/"]),
            ("teamleitung-a", [f"/akten/{case_file.pk}/"])):
        if username == "teamleitung-a":
            CaseFile.objects.filter(pk=case_file.pk).update(
                closed_at=datetime(2026, 11, 30, tzinfo=BERLIN),
                closed_by="sachbearbeitung-a")
        page = _session(browser, live_server.url, username)
        for url in urls:
            assert page.goto(url).status == 200, url
            failures += [f"{username} {url}: {v}" for v in _violations(page)]
            failures += [f"{username} {url}: {p}" for p in _narrow(page)]
        page.context.close()
    assert failures == [], "\n".join(failures)
