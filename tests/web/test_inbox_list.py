"""The inbox as a working list: sorted, paged, filtered by unit, type and suggestion, with a
fixed number of queries; a selection filed in one post, each document on its own."""
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.actors import actor_for_user
from archive.models import Event
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_close
from tests.conftest import DEMO_PASSWORD, user
from tests.web.test_dashboard import letter

pytestmark = pytest.mark.django_db


def _page(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def titles(response) -> list[str]:
    html = response.content.decode()
    table = html.split('id="inbox"')[1].split("</table>")[0]
    return re.findall(r'<a id="title-\d+" href="/dokumente/\d+/">([^<]+)</a>', table)


@pytest.fixture
def inbox(demo):
    now = timezone.now()
    return {
        "Cäsar": letter(title="Cäsar", unit="B", received_at=now - timedelta(days=2),
                        document_type="antrag"),
        "Anton": letter(title="Anton", unit="A", received_at=now - timedelta(days=1),
                        suggested=demo["A"].file_reference),
        "Berta": letter(title="Berta", received_at=now - timedelta(days=3),
                        document_type="antrag", suggested=demo["B"].file_reference),
    }


def test_sorted_by_received_date_title_and_unit(inbox):
    client = _page("poststelle")
    assert titles(client.get("/posteingang/")) == ["Anton", "Cäsar", "Berta"]  # newest first
    assert titles(client.get("/posteingang/?sortierung=eingang")) == ["Berta", "Cäsar", "Anton"]
    assert titles(client.get("/posteingang/?sortierung=titel")) == ["Anton", "Berta", "Cäsar"]
    assert titles(client.get("/posteingang/?sortierung=-titel")) == ["Cäsar", "Berta", "Anton"]
    by_unit = titles(client.get("/posteingang/?sortierung=sachgebiet"))
    assert by_unit.index("Anton") < by_unit.index("Cäsar")  # A before B
    # Nonsense falls back to the default order, not to an error.
    assert titles(client.get("/posteingang/?sortierung=passwort")) == ["Anton", "Cäsar", "Berta"]
    html = client.get("/posteingang/?sortierung=titel").content.decode()
    assert 'aria-sort="ascending"' in html and "sortierung=-titel" in html


def test_filtered_by_unit_type_and_suggestion(inbox):
    client = _page("poststelle")
    assert titles(client.get("/posteingang/?sachgebiet=B")) == ["Cäsar"]
    assert titles(client.get("/posteingang/?typ=antrag&sortierung=titel")) == ["Berta", "Cäsar"]
    assert titles(client.get("/posteingang/?vorschlag=ja&sortierung=titel")) == [
        "Anton", "Berta"]
    # Sorting keeps the filter.
    html = client.get("/posteingang/?sachgebiet=B").content.decode()
    assert re.search(r'href="\?sachgebiet=B&amp;sortierung=titel"', html)


def test_paged_by_the_page_size_setting(inbox, settings):
    settings.WEB_LIST_PAGE_SIZE = 2
    client = _page("poststelle")
    first = client.get("/posteingang/?sortierung=titel")
    assert titles(first) == ["Anton", "Berta"]
    assert "Seite 1 von 2" in first.content.decode()
    second = client.get("/posteingang/?sortierung=titel&seite=2")
    assert titles(second) == ["Cäsar"]
    assert titles(client.get("/posteingang/?sortierung=titel&seite=99")) == ["Cäsar"]
    assert titles(client.get("/posteingang/?sortierung=titel&seite=x")) == ["Anton", "Berta"]


def test_the_list_is_one_logged_read_of_exactly_the_page_shown(inbox, settings):
    settings.WEB_LIST_PAGE_SIZE = 2
    before = Event.objects.order_by("-seq").first().seq
    _page("poststelle").get("/posteingang/?sortierung=titel")
    (listed,) = Event.objects.filter(seq__gt=before, action="listed")
    assert listed.clear_data["documents"] == [inbox["Anton"].pk, inbox["Berta"].pk]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/posteingang/", "/posteingang/?sortierung=sachgebiet",
                                 "/posteingang/?vorschlag=ja&typ=antrag&sachgebiet=A"])
def test_the_number_of_queries_does_not_grow_with_the_list(demo, url):
    client = _page("poststelle")

    def more(n):
        for i in range(n):
            letter(title=f"Brief {i}", unit="A", document_type="antrag",
                   suggested=demo["A"].file_reference)

    more(2)
    few = _queries(client, url)
    more(10)
    assert _queries(client, url) == few


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_selection_is_filed_into_one_case_file_each_move_logged(inbox, demo):
    target = demo["B"].file_reference
    response = _page("poststelle").post("/posteingang/ablegen", {
        "dokument": [inbox["Anton"].pk, inbox["Cäsar"].pk], "ziel": "akte",
        "file_reference": target, "query": "sortierung=titel"})
    assert response.status_code == 302 and response["Location"] == "/posteingang/?sortierung=titel"
    for name in ("Anton", "Cäsar"):
        inbox[name].refresh_from_db()
        assert inbox[name].case_file == demo["B"]
    inbox["Berta"].refresh_from_db()
    assert inbox["Berta"].case_file is None
    anton = events_for_object("document", inbox["Anton"].pk).get(action="moved")
    assert anton.actor == "poststelle"
    assert anton.clear_purpose == f"Poststelle: korrigiert (Vorschlag: {demo['A'].file_reference})"
    assert anton.clear_data["to"] == target
    cesar = events_for_object("document", inbox["Cäsar"].pk).get(action="moved")
    assert cesar.clear_purpose == "Poststelle: korrigiert (Vorschlag: –)"
    assert _messages(response) == [f"„Anton“: abgelegt in {target}.",
                                   f"„Cäsar“: abgelegt in {target}."]


def test_each_to_its_suggestion_files_what_it_can_and_says_why_not(inbox, demo):
    case_file_close(actor=actor_for_user(user("sachbearbeitung-b")), case_file=demo["B"])
    response = _page("poststelle").post("/posteingang/ablegen", {
        "dokument": [inbox["Anton"].pk, inbox["Berta"].pk, inbox["Cäsar"].pk],
        "ziel": "vorschlag"})
    for document in inbox.values():
        document.refresh_from_db()
    assert inbox["Anton"].case_file == demo["A"]
    assert inbox["Berta"].case_file is None  # its suggestion is closed (zdA)
    assert inbox["Cäsar"].case_file is None  # no suggestion
    moved = events_for_object("document", inbox["Anton"].pk).get(action="moved")
    assert moved.clear_purpose == "Poststelle: Vorschlag bestätigt"
    assert not events_for_object("document", inbox["Berta"].pk).filter(action="moved").exists()
    said = _messages(response)
    assert said[0] == f"„Anton“: abgelegt in {demo['A'].file_reference}."
    assert said[1].startswith("„Berta“: nicht abgelegt – ") and "CASE_FILE_CLOSED" in said[1]
    assert said[2] == ("„Cäsar“: nicht abgelegt – kein Aktenzeichen vorgeschlagen "
                       "(NO_SUGGESTION)")


def test_confirming_the_suggestion_is_one_action(inbox, demo):
    response = _page("poststelle").post("/posteingang/ablegen",
                                        {"bestaetigen": inbox["Anton"].pk})
    assert response.status_code == 302
    inbox["Anton"].refresh_from_db()
    assert inbox["Anton"].case_file == demo["A"]
    (moved,) = events_for_object("document", inbox["Anton"].pk).filter(action="moved")
    assert moved.clear_purpose == "Poststelle: Vorschlag bestätigt"
    html = _page("poststelle").get("/posteingang/").content.decode()
    assert "Anton" not in html.split('id="inbox"')[1].split("</table>")[0]
    assert f'name="bestaetigen" value="{inbox["Berta"].pk}"' in html


def test_an_unknown_target_or_an_empty_selection_moves_nothing(inbox):
    unknown = _page("poststelle").post("/posteingang/ablegen", {"dokument": [inbox["Anton"].pk],
                                                   "file_reference": "99.99.9-2026-000009"})
    assert _messages(unknown) == [
        "Unbekanntes Aktenzeichen: 99.99.9-2026-000009 (UNKNOWN_FILE_REFERENCE)"]
    empty = _page("poststelle").post("/posteingang/ablegen", {"file_reference": "x"})
    assert _messages(empty) == ["Bitte wählen Sie mindestens ein Dokument aus."]
    inbox["Anton"].refresh_from_db()
    assert inbox["Anton"].case_file is None


def test_another_user_sees_and_files_nothing_of_the_inbox(inbox, demo):
    other = _page("sachbearbeitung-b")
    assert other.get("/posteingang/").status_code == 404
    assert other.post("/posteingang/ablegen", {
        "dokument": [inbox["Cäsar"].pk], "file_reference": demo["B"].file_reference,
    }).status_code == 404
    assert other.post("/posteingang/ablegen",
                      {"bestaetigen": inbox["Anton"].pk}).status_code == 404
    for document in inbox.values():
        document.refresh_from_db()
        assert document.case_file is None


@pytest.mark.parametrize("url,reads_provenance", [
    ("/posteingang/", False), ("/posteingang/?sortierung=titel", False),
    ("/posteingang/?sortierung=sachgebiet", True), ("/posteingang/?vorschlag=ja", True)])
def test_routing_is_read_for_the_list_only_where_a_filter_or_the_order_needs_it(
        inbox, url, reads_provenance):
    """Each letter's unit and suggestion sit in its first version's provenance: selecting
    them for every letter of the inbox before a page is picked read the whole inbox's
    versions (bench/web: 11 ms of the page at 2,000 letters). The page's rows still show
    them, read for the documents shown only."""
    client = _page("poststelle")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    (page_query,) = [query["sql"] for query in captured.captured_queries
                     if query["sql"].startswith('SELECT "archive_document"."id"')
                     and "LIMIT" in query["sql"]]
    assert ('"provenance"' in page_query) is reads_provenance
    html = response.content.decode()
    assert inbox["Anton"].title in html
