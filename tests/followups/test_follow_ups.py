"""Follow-ups: create, move, close (each logged), the rules on who may and for whom, the desk
source (due today or earlier, overdue marked), the pages; and nothing for another unit."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.desk_sources import DeskScope, desk_sources
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import Event, Unit
from followups.models import FollowUp
from followups.services import follow_up_close, follow_up_create, follow_up_move
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _create(case_file, *, due=None, username="sachbearbeitung-a", **extra):
    a = user(username)
    target = extra.pop("target", {"case_file_id": case_file.pk})
    return follow_up_create(actor=acting(a), due=due or timezone.localdate(),
                            reason="Unterlagen nachgefordert – Eingang prüfen",
                            **target, **({"assignee": a} | extra))


def _events(follow_up):
    return list(Event.objects.filter(object_type="follow_up", object_id=str(follow_up.pk))
                .order_by("seq").values_list("action", flat=True))


def test_create_move_close_are_logged(demo):
    today = timezone.localdate()
    follow_up = _create(demo["A"], due=today + timedelta(days=3))
    actor = acting(user("sachbearbeitung-a"))
    follow_up_move(actor=actor, follow_up_id=follow_up.pk, due=today + timedelta(days=10))
    follow_up_close(actor=actor, follow_up_id=follow_up.pk)
    assert _events(follow_up) == ["follow_up_created", "follow_up_moved", "follow_up_closed"]
    moved = Event.objects.get(object_type="follow_up", object_id=str(follow_up.pk),
                              action="follow_up_moved")
    assert moved.data["from"] == (today + timedelta(days=3)).isoformat()
    assert moved.data["due"] == (today + timedelta(days=10)).isoformat()
    assert moved.data["case_file"] == demo["A"].file_reference
    # The reason may name people; the trail outlives destruction and keeps none.
    assert "Unterlagen" not in str(moved.data)
    with pytest.raises(Conflict):
        follow_up_close(actor=actor, follow_up_id=follow_up.pk)


def test_a_move_keeps_its_reason_sealed_with_the_case_file(demo):
    today = timezone.localdate()
    follow_up = _create(demo["A"], due=today + timedelta(days=3))
    actor = acting(user("sachbearbeitung-a"))
    follow_up_move(actor=actor, follow_up_id=follow_up.pk, due=today + timedelta(days=14),
                   reason="Frau Kowalski ist bis Monatsende im Krankenhaus")
    moved = Event.objects.get(object_type="follow_up", object_id=str(follow_up.pk),
                              action="follow_up_moved")
    assert moved.clear_purpose == "Frau Kowalski ist bis Monatsende im Krankenhaus"
    assert "Kowalski" not in moved.purpose + str(moved.data)
    # Sealed under the case file's key, which its destruction deletes.
    assert moved.data["sealed"]["scope"] == f"case_file:{demo['A'].pk}"
    with pytest.raises(InvalidInput) as refused:
        follow_up_move(actor=actor, follow_up_id=follow_up.pk, due=today + timedelta(days=15),
                       reason="x" * 501)
    assert refused.value.code == "REASON_TOO_LONG"


def test_on_a_document_and_for_the_unit(demo):
    document = file_document(demo["A"], text="Mietbescheinigung")
    follow_up = _create(demo["A"], target={"document_id": document.pk},
                        unit=Unit.objects.get(code="A"), assignee=None)
    assert follow_up.document == document and follow_up.case_file is None
    assert follow_up.target_case_file == demo["A"]


def test_who_may_and_for_whom(demo):
    with pytest.raises(NotFound):  # another unit's file: unknown
        _create(demo["A"], username="sachbearbeitung-b")
    with pytest.raises(InvalidInput) as refused:  # B may not read A's file
        _create(demo["A"], assignee=user("sachbearbeitung-b"))
    assert refused.value.code == "FOLLOW_UP_ASSIGNEE_INVALID"
    with pytest.raises(InvalidInput) as refused:
        _create(demo["A"], unit=Unit.objects.get(code="B"), assignee=None)
    assert refused.value.code == "FOLLOW_UP_ASSIGNEE_INVALID"
    with pytest.raises(InvalidInput) as refused:
        _create(demo["A"], due=timezone.localdate() - timedelta(days=1))
    assert refused.value.code == "FOLLOW_UP_DUE_PAST"
    follow_up = _create(demo["A"])
    with pytest.raises(NotFound):
        follow_up_close(actor=acting(user("sachbearbeitung-b")), follow_up_id=follow_up.pk)
    assert FollowUp.objects.count() == 1


def test_desk_source_due_and_overdue(demo):
    a, b = user("sachbearbeitung-a"), user("sachbearbeitung-b")
    today = timezone.localdate()
    due_today = _create(demo["A"], due=today)
    later = _create(demo["A"], due=today + timedelta(days=2))
    unit_one = _create(demo["A"], due=today, unit=Unit.objects.get(code="A"), assignee=None)
    source = desk_sources()["follow_up"]
    entries = source(DeskScope(user=a, today=today, user_ids=(a.pk,)))
    assert [(e.key, e.overdue) for e in entries] == [(f"follow_up:{due_today.pk}", False)]
    assert entries[0].done_url == reverse("web:follow_up_close", args=[due_today.pk])
    # Two days on, both personal ones are due, the first one overdue; the unit's appears with
    # the unit in scope.
    entries = source(DeskScope(user=a, today=today + timedelta(days=2), user_ids=(a.pk,),
                               unit_ids=(unit_one.unit_id,)))
    assert {(e.key, e.overdue) for e in entries} == {
        (f"follow_up:{due_today.pk}", True), (f"follow_up:{later.pk}", False),
        (f"follow_up:{unit_one.pk}", True)}
    # Another unit's caseworker gets nothing, even when asking for A's person and unit.
    assert source(DeskScope(user=b, today=today + timedelta(days=2), user_ids=(a.pk, b.pk),
                            unit_ids=tuple(Unit.objects.values_list("pk", flat=True)))) == []


def test_desk_source_answers_in_a_fixed_number_of_queries(demo):
    a = user("sachbearbeitung-a")
    today = timezone.localdate()
    scope = DeskScope(user=a, today=today + timedelta(days=5), user_ids=(a.pk,))
    source = desk_sources()["follow_up"]
    _create(demo["A"])
    source(scope)
    with CaptureQueriesContext(connection) as one:
        first = source(scope)
    for n in range(5):
        document = file_document(demo["A"], text=f"Schreiben {n}")
        _create(demo["A"], target={"document_id": document.pk}, due=today + timedelta(days=n))
    with CaptureQueriesContext(connection) as six:
        more = source(scope)
    assert len(more) == len(first) + 5
    assert len(six.captured_queries) == len(one.captured_queries)


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_pages(demo):
    follow_up = _create(demo["A"], due=timezone.localdate() + timedelta(days=1))
    a, b = _client("sachbearbeitung-a"), _client("sachbearbeitung-b")
    listing = a.get(reverse("web:follow_ups")).content.decode()
    assert "Unterlagen nachgefordert" in listing and demo["A"].file_reference in listing
    logged = Event.objects.filter(action="listed", object_type="follow_up_list").last()
    assert logged.data["follow_ups"] == [follow_up.pk]
    page = a.get(reverse("web:case_file", args=[demo["A"].pk])).content.decode()
    assert "Unterlagen nachgefordert" in page and "Neue Wiedervorlage" in page
    # B: no entry, no count, and the actions answer 404.
    other = b.get(reverse("web:follow_ups")).content.decode()
    assert "Unterlagen nachgefordert" not in other and "0 offene Wiedervorlagen" in other
    assert b.post(reverse("web:follow_up_close", args=[follow_up.pk])).status_code == 404
    later = (timezone.localdate() + timedelta(days=9)).isoformat()
    assert b.post(reverse("web:follow_up_move", args=[follow_up.pk]),
                  {"due": later}).status_code == 404
    assert b.post(reverse("web:follow_up_new", args=["akte", demo["A"].pk]),
                  {"due": timezone.localdate().isoformat(), "reason": "x",
                   "for_whom": f"user:{user('sachbearbeitung-b').pk}"}).status_code == 404
    # A moves it from the list and is sent back there.
    new_due = timezone.localdate() + timedelta(days=7)
    response = a.post(reverse("web:follow_up_move", args=[follow_up.pk]),
                      {"due": new_due.isoformat(), "zurueck": "liste"})
    assert response.status_code == 302 and response["Location"] == reverse("web:follow_ups")
    follow_up.refresh_from_db()
    assert follow_up.due == new_due


def test_the_form_on_the_document_page_creates_one(demo):
    document = file_document(demo["A"], text="Attest")
    a = _client("sachbearbeitung-a")
    response = a.post(reverse("web:follow_up_new", args=["dokument", document.pk]), {
        "due": timezone.localdate().isoformat(), "reason": "Attest prüfen",
        "for_whom": f"unit:{demo['A'].unit_id}"})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.document == document and follow_up.unit_id == demo["A"].unit_id
    page = a.get(reverse("web:document", args=[document.pk])).content.decode()
    assert "Attest prüfen" in page


def test_on_the_desk_and_done_from_there(demo):
    follow_up = _create(demo["A"], due=timezone.localdate())
    a = _client("sachbearbeitung-a")
    desk = a.get(reverse("web:desk")).content.decode()
    assert "Unterlagen nachgefordert" in desk
    assert "Unterlagen nachgefordert" not in _client("sachbearbeitung-b").get(
        reverse("web:desk")).content.decode()
    response = a.post(reverse("web:follow_up_close", args=[follow_up.pk]),
                      {"key": f"follow_up:{follow_up.pk}"})
    assert response.status_code == 302 and response["Location"] == reverse("web:desk")
    assert _events(follow_up)[-1] == "follow_up_closed"
    assert "Unterlagen nachgefordert" not in a.get(reverse("web:desk")).content.decode()
