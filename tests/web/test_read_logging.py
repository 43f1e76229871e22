"""Reading, completely logged (issue 14, points 3-5): a refused read leaves a `read_refused`
entry (who, what, through which channel) that the officer's report shows in German, while
the reader gets exactly an unknown id's 404; a search's one event names the documents that
page of hits showed, and the officer's person report finds it; a read of a file shared with
the reader's unit asks for a purpose first and records it; every read records role and
channel."""
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import actor_for_user as acting
from archive.models import Event
from archive.services.casefiles import case_file_share
from archive.services.reports import Period, report_person
from search.backends import get_backend
from search.indexing import documents_index
from search.services import documents_search
from tests.archive.helpers import file_document, grant
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
UNKNOWN = 987654


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _api(username):
    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _unmasked(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _refused(**filters):
    return Event.objects.filter(action="read_refused", **filters).order_by("seq")


def _today():
    today = timezone.localdate()
    return Period(today, today)


@pytest.fixture
def letter(demo):
    return file_document(demo["A"], text="Bescheid über Leistungen für Herrn Müller",
                         title="Bescheid Müller", store=True)


# --- point 3: refused reads ------------------------------------------------------------


def test_a_refused_page_read_is_invisible_to_the_reader_and_logged_for_the_officer(demo,
                                                                                    letter):
    client = _client("sachbearbeitung-b")
    refused = client.get(f"/dokumente/{letter.pk}/")
    unknown = client.get(f"/dokumente/{UNKNOWN}/")
    assert refused.status_code == unknown.status_code == 404
    assert _unmasked(refused.content) == _unmasked(unknown.content)
    case_file = client.get(f"/akten/{demo['A'].pk}/")
    assert case_file.status_code == 404
    assert _unmasked(case_file.content) == _unmasked(client.get(f"/akten/{UNKNOWN}/").content)

    document_events = list(_refused(object_type="document", object_id=str(letter.pk)))
    assert len(document_events) == 1
    event = document_events[0]
    assert event.actor == "sachbearbeitung-b"
    assert event.data["requested"] == "viewed"
    assert event.clear_data["role"] == "caseworker"
    assert event.clear_data["via"] == {"channel": "web"}
    assert event.clear_data["case_file"] == demo["A"].file_reference
    # An unknown id is logged the same way, so the log is no oracle either.
    assert _refused(object_type="document", object_id=str(UNKNOWN)).count() == 1
    assert _refused(object_type="case_file", object_id=str(demo["A"].pk)).count() == 1
    # Nothing of it reaches the reader: no read event, and B's pages never show it.
    assert not Event.objects.filter(action="viewed", object_id=str(letter.pk)).exists()

    today = timezone.localdate().strftime("%d.%m.%Y")
    report = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": demo["A"].file_reference, "start": today,
        "end": today})
    html = report.content.decode()
    assert report.status_code == 200
    assert "Lesezugriff verweigert (versucht: angesehen)" in html
    assert "sachbearbeitung-b" in html and "als Sachbearbeitung" in html
    assert "Bescheid Müller" in html


def test_a_refused_api_read_is_logged_with_its_channel(demo, letter):
    client = _api("sachbearbeitung-b")
    refused = client.get(f"/api/documents/{letter.pk}/")
    unknown = client.get(f"/api/documents/{UNKNOWN}/")
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    event = _refused(object_id=str(letter.pk)).get()
    assert event.actor == "sachbearbeitung-b" and event.clear_data["via"]["channel"] == "api"
    assert event.data["requested"] == "viewed"


def test_a_refused_cli_export_is_logged_with_the_os_account(demo, tmp_path):
    with pytest.raises(CommandError):
        call_command("casefile", "export", demo["A"].file_reference, "--out",
                     str(tmp_path / "x.zip"), "--user", "sachbearbeitung-b",
                     stdout=StringIO(), stderr=StringIO())
    assert not (tmp_path / "x.zip").exists()
    event = _refused(object_type="case_file", object_id=str(demo["A"].pk)).get()
    assert event.actor == "sachbearbeitung-b" and event.data["requested"] == "exported"
    assert event.clear_data["via"]["channel"] == "cli" and event.clear_data["via"]["os_user"]


def test_an_earlier_version_withheld_is_a_refused_read(demo, letter):
    from archive.services.documents import version_add
    from tests.archive.helpers import content

    version_add(actor=acting(user("sachbearbeitung-a")), document_id=letter.pk,
                content=content("Geschwärzt"))
    response = _client("sachbearbeitung-a").get(f"/dokumente/{letter.pk}/versionen/1.pdf")
    assert response.status_code == 404
    assert _refused(object_id=str(letter.pk), actor="sachbearbeitung-a").count() == 1


# --- point 4: a search logs what it showed ---------------------------------------------


@pytest.fixture
def indexed(demo, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    own = [file_document(demo["A"], text=f"Heizkosten Abrechnung Nummer {n}",
                         title=f"Heizkosten {n}") for n in range(3)]
    foreign = file_document(demo["B"], text="Heizkosten Abrechnung Schäfer",
                            title="Heizkosten Schäfer")
    documents_index([d.pk for d in [*own, foreign]])
    yield own, foreign
    get_backend.cache_clear()


def test_one_search_event_lists_exactly_the_documents_shown(demo, indexed):
    own, foreign = indexed
    page = documents_search(user=user("sachbearbeitung-a"), query="Heizkosten", limit=2,
                            sort="title")
    assert page.count == 3 and len(page.hits) == 2
    event = Event.objects.filter(action="searched").get()
    assert event.clear_data["documents"] == [hit.document_id for hit in page.hits]
    assert set(event.clear_data["documents"]) < {d.pk for d in own}
    assert event.clear_data["role"] == "caseworker"
    # The next page is a search of its own, naming the third.
    documents_search(user=user("sachbearbeitung-a"), query="Heizkosten", limit=2, offset=2,
                     sort="title")
    second = Event.objects.filter(action="searched").order_by("seq").last()
    assert second.clear_data["documents"] == [own[2].pk]


def test_the_search_page_and_api_log_the_hits_they_show(demo, indexed):
    own, foreign = indexed
    _client("sachbearbeitung-b").get("/suche/", {"q": "Heizkosten"})
    _api("sachbearbeitung-a").get("/api/search/", {"q": "Heizkosten"})
    web = Event.objects.get(action="searched", actor="sachbearbeitung-b")
    api = Event.objects.get(action="searched", actor="sachbearbeitung-a")
    assert web.clear_data["documents"] == [foreign.pk] and web.clear_data["via"]["channel"] == "web"
    assert sorted(api.clear_data["documents"]) == sorted(d.pk for d in own)
    assert api.clear_data["via"]["channel"] == "api"


def test_the_person_report_names_whose_search_showed_the_persons_document(demo, indexed):
    own, foreign = indexed
    documents_search(user=user("sachbearbeitung-b"), query="Heizkosten")  # shows Schäfer
    documents_search(user=user("sachbearbeitung-a"), query="Heizkosten")  # shows Müller
    officer = acting(user("datenschutz"))
    schaefer = list(report_person(actor=officer, person="Schäfer", period=_today()))
    assert [(e.action, e.actor) for e in schaefer if e.action == "searched"] == [
        ("searched", "sachbearbeitung-b")]
    html = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "person", "subject": "Schäfer",
        "start": timezone.localdate().strftime("%d.%m.%Y"),
        "end": timezone.localdate().strftime("%d.%m.%Y")}).content.decode()
    assert "Suche, gezeigt: 1 Dokument(e)" in html
    assert f"„Heizkosten Schäfer“ ({demo['B'].file_reference})" in html


# --- point 5: purpose outside the own unit; role and channel ----------------------------


@pytest.fixture
def shared(demo, letter):
    case_file_share(actor=acting(grant("sachbearbeitung-a", "share_casefile")),
                    case_file=demo["A"], unit=demo["B"].unit, reason="Vertretung",
                    valid_until=timezone.now() + timedelta(days=7))
    return demo["A"], letter


def test_a_read_of_a_shared_file_asks_for_a_purpose_and_records_it(shared):
    case_file, letter = shared
    client = _client("sachbearbeitung-b")
    for url in (f"/akten/{case_file.pk}/", f"/dokumente/{letter.pk}/"):
        asked = client.get(url)
        html = asked.content.decode()
        assert asked.status_code == 200
        assert 'name="zweck"' in html and "Zweck des Zugriffs" in html
        # Nothing of the file before the purpose is given.
        assert case_file.subject_name not in html and "Bescheid Müller" not in html
    assert not Event.objects.filter(actor="sachbearbeitung-b",
                                    action__in=("viewed", "previewed")).exists()
    too_short = client.get(f"/dokumente/{letter.pk}/", {"zweck": "kurz"})
    assert 'name="zweck"' in too_short.content.decode()

    purpose = "Vertretung Frau Adler, Rückfrage zum Bescheid"
    page = client.get(f"/dokumente/{letter.pk}/", {"zweck": purpose})
    assert page.status_code == 200 and "Bescheid Müller" in page.content.decode()
    event = Event.objects.get(action="viewed", actor="sachbearbeitung-b")
    assert event.clear_purpose == purpose
    assert event.clear_data["basis"] == "share" and event.clear_data["role"] == "caseworker"
    assert event.clear_data["via"] == {"channel": "web"}
    # In the officer's report, in German.
    today = timezone.localdate().strftime("%d.%m.%Y")
    html = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": case_file.file_reference, "start": today,
        "end": today}).content.decode()
    assert purpose in html and "Grundlage: Freigabe an das Sachgebiet" in html


def test_the_api_asks_for_the_purpose_of_a_shared_read_too(shared):
    case_file, letter = shared
    client = _api("sachbearbeitung-b")
    asked = client.get(f"/api/documents/{letter.pk}/")
    assert asked.status_code == 428 and asked.json()["code"] == "PURPOSE_REQUIRED"
    answered = client.get(f"/api/documents/{letter.pk}/",
                          {"purpose": "Vertretung, Prüfung des Bescheids"})
    assert answered.status_code == 200
    event = Event.objects.get(action="viewed", actor="sachbearbeitung-b")
    assert event.clear_purpose == "Vertretung, Prüfung des Bescheids"
    assert event.clear_data["via"]["channel"] == "api" and event.clear_data["basis"] == "share"


def test_the_own_unit_reads_without_being_asked(shared):
    case_file, letter = shared
    page = _client("sachbearbeitung-a").get(f"/dokumente/{letter.pk}/")
    assert page.status_code == 200 and 'name="zweck"' not in page.content.decode()
    event = Event.objects.get(action="viewed", actor="sachbearbeitung-a")
    assert event.clear_purpose == f"Akte {case_file.file_reference}"
    assert event.clear_data["basis"] == "unit" and event.clear_data["role"] == "caseworker"


def test_the_mailroom_reads_the_inbox_in_its_role(demo):
    post = file_document(None, text="Unzugeordneter Brief", title="Brief ohne Akte")
    assert _client("poststelle").get(f"/dokumente/{post.pk}/").status_code == 200
    event = Event.objects.get(action="viewed", actor="poststelle")
    assert event.clear_data["role"] == "mailroom" and event.clear_data["basis"] == "inbox"


def test_the_purpose_stated_for_a_shared_file_carries_to_its_documents(shared):
    case_file, letter = shared
    client = _client("sachbearbeitung-b")
    purpose = "Vertretung Frau Adler, Rückfrage zum Bescheid"
    html = client.get(f"/akten/{case_file.pk}/", {"zweck": purpose}).content.decode()
    link = re.search(rf'href="(/dokumente/{letter.pk}/[^"]*)"', html).group(1)
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "Bescheid Müller" in page.content.decode()
    assert Event.objects.get(action="viewed", object_type="document",
                             actor="sachbearbeitung-b").clear_purpose == purpose


def test_the_downloads_of_a_shared_document_page_keep_its_purpose(shared):
    case_file, letter = shared
    client = _client("sachbearbeitung-b")
    purpose = "Vertretung Frau Adler, Rückfrage zum Bescheid"
    html = client.get(f"/dokumente/{letter.pk}/", {"zweck": purpose}).content.decode()
    original = re.search(r'href="([^"]*/original[^"]*)"', html).group(1).replace("&amp;", "&")
    response = client.get(original)
    assert response.status_code == 200
    downloaded = Event.objects.get(action="downloaded", actor="sachbearbeitung-b")
    assert downloaded.clear_purpose == purpose and downloaded.clear_data["basis"] == "share"


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no /usr/bin/chromium")
def test_the_purpose_question_passes_axe_at_320_px(shared, live_server, browser):
    from tests.e2e.test_accessibility import _narrow, _session, _violations

    case_file, letter = shared
    page = _session(browser, live_server.url, "sachbearbeitung-b")
    failures = []
    for url in (f"/akten/{case_file.pk}/", f"/dokumente/{letter.pk}/?zweck=kurz"):
        assert page.goto(url).status == 200, url
        assert page.locator('input[name="zweck"]').count() == 1
        failures += [f"{url}: {v}" for v in _violations(page)]
        failures += [f"{url}: {p}" for p in _narrow(page)]
    page.context.close()
    assert failures == [], "\n".join(failures)
