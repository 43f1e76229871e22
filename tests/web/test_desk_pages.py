"""The desk's pages: the desk lists what the service lists, the header counts what is new,
the case file page names its caseworker, the administration sets a unit's default, and a
caseworker of another unit sees nothing of it (no item, no count, no link)."""
import re

import pytest
from django.test import Client

from archive.actors import actor_for_user
from archive.models import Event
from archive.services.responsibility import case_file_responsible_set
from desk.models import Absence, Deputy, DeskPreference, Handover
from tests.archive.helpers import file_document, staff
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _client(username, password=DEMO_PASSWORD):
    client = Client()
    assert client.login(username=username, password=password)
    return client


@pytest.fixture
def post(demo):
    case_file_responsible_set(actor=actor_for_user(user("sachbearbeitung-a")),
                              case_file=demo["A"], responsible=user("sachbearbeitung-a"))
    return file_document(demo["A"], title="Widerspruch gegen den Bescheid")


def _badge(html: str):
    found = re.search(r'id="desk-new">(\d+)', html)
    return int(found.group(1)) if found else None


def test_the_desk_lists_new_post_and_the_header_counts_it_until_visited(demo, post):
    a = _client("sachbearbeitung-a")
    assert _badge(a.get("/").content.decode()) == 1
    page = a.get("/arbeitsplatz/").content.decode()
    assert "Widerspruch gegen den Bescheid" in page
    assert f'href="/dokumente/{post.pk}/"' in page
    assert 'data-key="new_post:' in page
    # The visit is logged as one read naming what was shown; afterwards nothing is new.
    listed = Event.objects.filter(action="listed", object_type="desk").order_by("-seq").first()
    assert listed.data["documents"] == [post.pk]
    assert _badge(a.get("/").content.decode()) is None
    # Opening the document takes it off the desk.
    a.get(f"/dokumente/{post.pk}/")
    assert "Widerspruch gegen den Bescheid" not in a.get("/arbeitsplatz/").content.decode()


def test_another_units_caseworker_sees_no_item_no_count_no_link(demo, post):
    b = _client("sachbearbeitung-b")
    home = b.get("/").content.decode()
    assert _badge(home) is None
    assert re.search(r'data-count="desk">\s*<a href="/arbeitsplatz/"><strong class="count">0<',
                     home)
    page = b.get("/arbeitsplatz/").content.decode()
    assert "Widerspruch" not in page and f"/dokumente/{post.pk}/" not in page
    assert "0 offene Einträge" in page


def test_marking_done_from_the_page(demo, post):
    a = _client("sachbearbeitung-a")
    response = a.post("/arbeitsplatz/erledigt", {"key": f"new_post:{post.pk}"})
    assert response.status_code == 302
    assert Event.objects.filter(action="desk_done", object_id=str(post.pk)).exists()
    assert "Widerspruch" not in a.get("/arbeitsplatz/").content.decode()
    assert _client("sachbearbeitung-b").post(
        "/arbeitsplatz/erledigt", {"key": f"new_post:{post.pk}"}).status_code == 404


def test_the_case_file_page_names_and_changes_the_caseworker(demo, post):
    staff("kollegin-a", unit_code="A")
    a = _client("sachbearbeitung-a")
    page = a.get(f"/akten/{demo['A'].pk}/").content.decode()
    assert 'id="responsible">sachbearbeitung-a' in page
    assert '<option value="kollegin-a"' in page
    response = a.post(f"/akten/{demo['A'].pk}/bearbeitung", {"username": "kollegin-a"})
    assert response.status_code == 302
    demo["A"].refresh_from_db()
    assert demo["A"].responsible.username == "kollegin-a"
    # Not a member of unit A: refused with the reason, nothing changes.
    a.post(f"/akten/{demo['A'].pk}/bearbeitung", {"username": "sachbearbeitung-b"})
    demo["A"].refresh_from_db()
    assert demo["A"].responsible.username == "kollegin-a"
    assert "NOT_A_UNIT_MEMBER" in a.get(f"/akten/{demo['A'].pk}/").content.decode()


def test_handing_over_from_the_pages(demo, post):
    staff("kollegin-a", unit_code="A")
    a = _client("sachbearbeitung-a")
    a.post(f"/dokumente/{post.pk}/abgeben", {"username": "kollegin-a", "note": "Bitte prüfen"})
    assert Handover.objects.get().to_user.username == "kollegin-a"
    a.post(f"/akten/{demo['A'].pk}/abgeben", {"username": "sachbearbeitung-b", "note": "x"})
    assert Handover.objects.count() == 1
    assert "HANDOVER_NOT_READABLE" in a.get(f"/akten/{demo['A'].pk}/").content.decode()
    page = _client("kollegin-a", "x" * 12).get("/arbeitsplatz/").content.decode()
    assert "Bitte prüfen" in page and "An Sie abgegeben" in page


def test_deputies_absences_and_digest_from_their_page(demo, post):
    a = _client("sachbearbeitung-a")
    assert a.get("/arbeitsplatz/vertretung/").status_code == 200
    a.post("/arbeitsplatz/vertretung/neu", {"username": "sachbearbeitung-b"})
    a.post("/arbeitsplatz/abwesenheit/neu", {"starts_on": "2026-12-01",
                                             "ends_on": "2026-12-24"})
    a.post("/arbeitsplatz/benachrichtigung", {"enabled": "on", "email": "a@amt.example.org"})
    assert Deputy.objects.get().deputy.username == "sachbearbeitung-b"
    assert Absence.objects.get().ends_on.isoformat() == "2026-12-24"
    assert DeskPreference.objects.get(user__username="sachbearbeitung-a").digest_enabled
    page = a.get("/arbeitsplatz/vertretung/").content.decode()
    assert "24.12.2026" in page and "a@amt.example.org" in page
    # Another caseworker cannot remove A's entries.
    b = _client("sachbearbeitung-b")
    assert b.post(f"/arbeitsplatz/vertretung/{Deputy.objects.get().pk}/entfernen"
                  ).status_code == 404
    assert b.post(f"/arbeitsplatz/abwesenheit/{Absence.objects.get().pk}/entfernen"
                  ).status_code == 404


def test_the_administration_sets_a_units_default_caseworker(demo):
    admin = _client("admin")
    unit = demo["A"].unit
    page = admin.get(f"/verwaltung/organisationseinheiten/{unit.pk}/").content.decode()
    assert 'name="default_caseworker"' in page
    assert '<option value="sachbearbeitung-a"' in page
    assert '<option value="sachbearbeitung-b"' not in page
    response = admin.post(f"/verwaltung/organisationseinheiten/{unit.pk}/speichern",
                          {"code": "A", "name": "Sachgebiet A",
                           "default_caseworker": "sachbearbeitung-a"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.default_caseworker.username == "sachbearbeitung-a"
    event = Event.objects.filter(object_type="unit", object_id=str(unit.pk)).last()
    assert event.data["changes"] == {"default_caseworker": [None, "sachbearbeitung-a"]}


def test_the_desk_page_makes_as_many_queries_for_12_items_as_for_3(demo, post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = _client("sachbearbeitung-a")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = a.get("/arbeitsplatz/").content.decode()
        return len(captured.captured_queries), page.count('data-key="new_post:')

    for n in range(2):
        file_document(demo["A"], title=f"Brief {n}")
    queries()  # the first visit creates the user's desk preferences
    few = queries()
    for n in range(9):
        file_document(demo["A"], title=f"Weiterer Brief {n}")
    many = queries()
    assert (few[1], many[1]) == (3, 12)
    assert many[0] == few[0]


def test_the_headers_count_is_drawn_at_most_once_a_minute_and_afresh_after_the_desk(
        demo, post, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web import context_processors

    monkeypatch.setattr(context_processors, "NOTICE_SECONDS", 60)  # tests/web/conftest.py
    a = _client("sachbearbeitung-a")
    with CaptureQueriesContext(connection) as first:
        assert _badge(a.get("/barrierefreiheit/").content.decode()) == 1
    later = file_document(demo["A"], title="Nachgereichte Unterlagen")
    with CaptureQueriesContext(connection) as second:
        assert _badge(a.get("/barrierefreiheit/").content.decode()) == 1  # kept, not redrawn
    assert len(second) < len(first)
    # A minute on, the count is drawn again and sees the later post.
    clock = context_processors._clock() + context_processors.NOTICE_SECONDS + 1
    monkeypatch.setattr(context_processors, "_clock", lambda: clock)
    assert _badge(a.get("/barrierefreiheit/").content.decode()) == 2
    # Showing the desk forgets the kept count: nothing is new after the visit.
    a.get("/arbeitsplatz/")
    assert _badge(a.get("/barrierefreiheit/").content.decode()) is None
    assert later.pk
