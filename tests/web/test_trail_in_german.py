"""The trail as people read it (issue #12.2, #12.8): German labels, objects by name, local
time in German format; the officer's report grouped by person and case file, with filters and
a CSV for German Excel; English when the browser asks for it."""
import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from archive.models import Event
from archive.services.access import case_file_read, document_read
from archive.services.events import event_append
from tests.archive.helpers import file_document, trail_analysis_approved
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _configured_language_afterwards():
    """A request in English leaves English active in this thread (LocaleMiddleware does not
    reset it); later tests in the process expect the configured language."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)

# 23:30 UTC on New Year's Eve is 00:30 on 1 January 2027 in Berlin.
LATE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
PERIOD = {"start": "2026-12-01", "end": "2027-01-31"}


def _client(username: str, **headers) -> Client:
    client = Client(**headers)
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def trail(demo):
    """Reads of A (Jürgen Müller) and B (Anna Schäfer), one of them at a known late time."""
    document = file_document(demo["A"], title="Bewilligungsbescheid")
    document_read(user=user("sachbearbeitung-a"), document_id=document.pk,
                  purpose="Prüfung Weiterbewilligung")
    event_append(action="viewed", object_type="case_file", object_id=demo["A"].pk,
                 actor="sachbearbeitung-a", purpose="Silvesterdienst", at=LATE,
                 data={"file_reference": demo["A"].file_reference})
    case_file_read(user=user("sachbearbeitung-b"), case_file_id=demo["B"].pk,
                   purpose="Antrag Grundsicherung")
    return document


def test_the_case_file_history_speaks_german(demo, trail, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    page = _client("sachbearbeitung-a").get(f"/akten/{demo['A'].pk}/").content.decode()
    history = page.split("Verlauf", 1)[1]
    assert "angesehen" in history and "Silvesterdienst" in history
    assert "01.01.2027 00:30" in history  # local time, not 31.12.2026 23:30 UTC
    assert "<td>viewed</td>" not in history


def test_the_report_is_grouped_by_person_and_case_file_and_names_objects(demo, trail):
    trail_analysis_approved("sachbearbeitung-b", date.fromisoformat(PERIOD["start"]),
                            date.fromisoformat(PERIOD["end"]))
    page = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "user", "subject": "sachbearbeitung-b", **PERIOD}).content.decode()
    assert "Anna Schäfer" in page and f"Akte {demo['B'].file_reference}" in page
    assert "Antrag Grundsicherung" in page and "angesehen" in page
    assert "Jürgen Müller" not in page  # sachbearbeitung-b never touched A

    page = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "person", "subject": "Müller", **PERIOD}).content.decode()
    heading = f"Jürgen Müller (Kundennummer K-104711) · Akte {demo['A'].file_reference}"
    assert heading in page
    assert "Dokument „Bewilligungsbescheid“" in page
    assert "01.01.2027 00:30" in page
    shown = page.split('id="report-summary"', 1)[1]
    assert "case_file" not in shown and ">viewed<" not in shown


def test_the_report_filters_by_user_and_action_and_logs_them(demo, trail):
    client = _client("datenschutz")
    page = client.get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": demo["A"].file_reference, "user": "sachbearbeitung-a",
        "action": "viewed", **PERIOD}).content.decode()
    rows = page.count('class="entry"')
    assert rows == 2  # the document read and the late read, nothing else
    assert "Prüfung Weiterbewilligung" in page and "Silvesterdienst" in page
    logged = Event.objects.filter(action="report", actor="datenschutz").latest("seq")
    assert logged.clear_data["filters"] == {"user": "sachbearbeitung-a", "action": "viewed"}
    page = client.get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": demo["A"].file_reference, "user": "niemand",
        **PERIOD}).content.decode()
    assert 'class="entry"' not in page and "Keine Einträge im Zeitraum." in page


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "poststelle", "admin"])
def test_only_the_officer_gets_the_report(demo, trail, username):
    response = _client(username).get("/datenschutz/bericht/", {
        "kind": "person", "subject": "Müller", **PERIOD, "format": "csv"})
    assert response.status_code == 404
    assert b"Silvesterdienst" not in response.content


def test_the_report_csv_is_for_german_excel(demo, trail):
    response = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "person", "subject": "Müller", **PERIOD, "format": "csv"})
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nr.", "Zeitpunkt", "Wer", "Was", "Objekt", "Aktenzeichen",
                       "Betroffene Person", "Zweck", "Kanal", "Rolle", "Grundlage",
                       "Gezeigte Dokumente"]
    late = [row for row in rows[1:] if row[7] == "Silvesterdienst"]
    assert len(late) == 1
    assert late[0][1] == "01.01.2027 00:30:00"
    assert late[0][3] == "angesehen"
    assert late[0][4] == f"Akte {demo['A'].file_reference}"
    assert late[0][5] == demo["A"].file_reference and late[0][6] == "Jürgen Müller"
    document_row = [row for row in rows[1:] if row[7] == "Prüfung Weiterbewilligung"][0]
    assert document_row[4].startswith("Dokument „Bewilligungsbescheid“")


def test_english_when_the_browser_asks_for_it(demo, trail):
    page = _client("datenschutz", HTTP_ACCEPT_LANGUAGE="en").get("/datenschutz/bericht/", {
        "kind": "person", "subject": "Müller", **PERIOD}).content.decode()
    assert "Access report" in page
    assert "<td>viewed</td>" in page and "angesehen" not in page
    assert f"Case file {demo['A'].file_reference}" in page


def test_the_report_command_writes_the_same_csv_and_narrows(demo, trail):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("report", "person", "Müller", "--user", "datenschutz", "--from", "2026-12-01",
                 "--to", "2027-01-31", "--actor", "sachbearbeitung-a", "--action", "viewed",
                 stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Nr.", "Zeitpunkt", "Wer", "Was"]
    assert sorted(row[7] for row in rows[1:]) == ["Prüfung Weiterbewilligung", "Silvesterdienst"]
    assert {row[3] for row in rows[1:]} == {"angesehen"}


def test_the_document_page_shows_its_history_in_german(demo, trail):
    page = _client("sachbearbeitung-a").get(f"/dokumente/{trail.pk}/").content.decode()
    history = page.split('id="history"', 1)[1]
    assert "Prüfung Weiterbewilligung" in history and "angesehen" in history
    assert ">viewed<" not in history
    # this very view is in it: read, logged, then shown
    assert history.count("angesehen") == 2


def _queries(client, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/datenschutz/bericht/", params).status_code == 200
    return len(captured.captured_queries)


def test_the_report_makes_no_more_queries_as_it_grows(demo, trail):
    client = _client("datenschutz")
    params = {"kind": "person", "subject": "Müller", **PERIOD}
    few = _queries(client, params)
    for number in range(12):
        document = file_document(demo["A"], title=f"Nachweis {number}")
        document_read(user=user("sachbearbeitung-a"), document_id=document.pk,
                      purpose=f"Prüfung {number}")
    page = client.get("/datenschutz/bericht/", params).content.decode()
    assert "Nachweis 11" in page
    # the report's own subject lookup reads each case file's documents once, whatever the
    # number of entries; naming the entries adds a fixed number of queries
    assert _queries(client, params) == few


def test_the_residual_record_page_is_german(demo, settings):
    from archive.actors import actor_for_user, system_actor
    from archive.services.casefiles import case_file_close
    from archive.services.destruction import case_files_destroy

    settings.TIME_ZONE = "Europe/Berlin"
    document = file_document(demo["A"], title="Bescheid")
    case_file_close(actor=actor_for_user(user("sachbearbeitung-a")), case_file=demo["A"])
    case_files_destroy(case_file_ids=[demo["A"].pk], actor=system_actor("scheduler"),
                       approval={"list": "4", "proposed_by": "datenschutz",
                                 "approved_by": "datenschutz-2"})
    response = _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/")
    assert response.status_code == 410
    page = response.content.decode()
    assert "<th>Aktenzeichen</th>" in page and "<th>vernichtet am</th>" in page
    assert "Aussonderungsliste: 4" in page and "vorgeschlagen von: datenschutz" in page
    assert "file_reference" not in page and "destroyed_at" not in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split("Restnachweis")[1])
    assert "(vernichtet, DESTROYED)" in page


def test_an_objects_own_history_looks_up_the_people_only(demo, trail):
    """A document's or case file's history shows when, who, what and why; naming the object
    in every row (its documents, case files, processes) was looked up for nothing
    (bench/web: two queries of every document page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.templatetags.registratur import document_history, own_history

    with CaptureQueriesContext(connection) as captured:
        entries = document_history(trail)
    (read,) = [entry for entry in entries if entry.purpose == "Prüfung Weiterbewilligung"]
    assert read.who == "sachbearbeitung-a" and read.action_label == "angesehen"
    assert not any('"archive_casefile"' in query["sql"] or '"archive_document"' in query["sql"]
                   for query in captured.captured_queries)
    case_file_events = Event.objects.filter(object_type="case_file").order_by("-seq")
    with CaptureQueriesContext(connection) as captured:
        entries = own_history(case_file_events)
    assert {entry.purpose for entry in entries} >= {"Silvesterdienst", "Antrag Grundsicherung"}
    # The entries, the keys of their sealed payloads (archive/sealing.py), the people.
    assert len(captured.captured_queries) == 3
