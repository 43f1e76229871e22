"""The desk's lists: new post by responsibility, the unit's unassigned post, hand-overs,
entries of registered sources, seen-marking, done, and that another unit sees nothing."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.actors import actor_for_user
from archive.desk_sources import DeskEntry, desk_source_register, desk_sources
from archive.errors import InvalidInput, NotFound, PermissionDenied
from archive.models import Event
from archive.services.access import document_read
from archive.services.responsibility import (
    case_file_responsible_set,
    unit_default_caseworker_set,
)
from desk.models import DocumentSeen, Handover
from desk.selectors import desk_collect
from desk.services.done import desk_item_done
from desk.services.handovers import handover_create
from tests.archive.helpers import file_document
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _keys(desk, group="own", kind=None):
    sections = desk.own if group == "own" else desk.unit
    return [item.entry.key for section in sections for item in section.items
            if kind is None or section.kind == kind]


def test_new_post_lands_on_the_responsible_desk_until_opened(team):
    document = file_document(team["A"], title="Widerspruch gegen Bescheid")
    desk = desk_collect(team["a"])
    assert _keys(desk, kind="new_post") == [f"new_post:{document.pk}"]
    assert desk.total == 1
    # The colleague of the same unit: the file has a caseworker, so it is not hers.
    assert desk_collect(team["colleague"]).total == 0

    document_read(user=team["a"], document_id=document.pk)
    assert DocumentSeen.objects.filter(user=team["a"], document=document).exists()
    assert desk_collect(team["a"]).total == 0


def test_unassigned_post_is_the_units_and_the_default_caseworker_takes_it(team):
    case_file_responsible_set(actor=actor_for_user(team["a"]), case_file=team["A"],
                              responsible=None)
    document = file_document(team["A"], title="Antrag ohne Bearbeitung")
    for member in (team["a"], team["colleague"]):
        desk = desk_collect(member)
        assert _keys(desk, "unit", "new_post") == [f"new_post:{document.pk}"]
        assert _keys(desk, "own") == []
    assert desk_collect(team["b"]).total == 0

    unit_default_caseworker_set(actor=actor_for_user(user("admin")), unit=team["A"].unit,
                                caseworker=team["colleague"])
    assert _keys(desk_collect(team["colleague"]), "own", "new_post") == [
        f"new_post:{document.pk}"]
    assert desk_collect(team["a"]).total == 0


def test_a_caseworker_of_another_unit_sees_none_of_it(team):
    file_document(team["A"], title="Nur für A")
    handover_create(actor=actor_for_user(team["a"]), to_username="kollegin-a",
                    case_file_id=team["A"].pk, note="Bitte Rückruf")
    case_file_responsible_set(actor=actor_for_user(team["a"]), case_file=team["A"],
                              responsible=None)
    desk = desk_collect(team["b"])
    assert desk.total == 0 and desk.new_count == 0
    assert desk.counts() == {"own": dict.fromkeys(desk.counts()["own"], 0),
                             "unit": dict.fromkeys(desk.counts()["unit"], 0)}


def test_handover_is_one_logged_action_and_lands_on_the_colleagues_desk(team):
    before = Event.objects.count()
    handover = handover_create(actor=actor_for_user(team["a"]), to_username="kollegin-a",
                               case_file_id=team["A"].pk, note="Bitte Rückruf bis Freitag")
    events = list(Event.objects.filter(seq__gt=before))
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("handed_over", "case_file", str(team["A"].pk))]
    assert events[0].data["to"] == "kollegin-a"
    desk = desk_collect(team["colleague"])
    items = [item for section in desk.own for item in section.items
             if section.kind == "handed"]
    assert [item.entry.key for item in items] == [f"handed:{handover.pk}"]
    assert "Bitte Rückruf bis Freitag" in items[0].entry.detail
    assert items[0].url == f"/akten/{team['A'].pk}/"

    desk_item_done(actor=actor_for_user(team["colleague"]), key=f"handed:{handover.pk}")
    assert Event.objects.filter(action="desk_done", object_type="handover",
                                object_id=str(handover.pk)).count() == 1
    assert desk_collect(team["colleague"]).total == 0
    # Not twice, and not by someone else.
    with pytest.raises(NotFound):
        desk_item_done(actor=actor_for_user(team["colleague"]), key=f"handed:{handover.pk}")


def test_handover_to_someone_who_may_not_read_is_refused(team):
    document = file_document(team["A"], title="Bescheid")
    before = Event.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        handover_create(actor=actor_for_user(team["a"]), to_username="sachbearbeitung-b",
                        document_id=document.pk, note="x")
    assert refused.value.code == "HANDOVER_NOT_READABLE"
    assert "nicht lesen" in refused.value.message
    assert Handover.objects.count() == 0 and Event.objects.count() == before
    # Who cannot read it cannot hand it over either: it does not exist for them.
    with pytest.raises(NotFound):
        handover_create(actor=actor_for_user(team["b"]), to_username="kollegin-a",
                        document_id=document.pk)
    with pytest.raises(InvalidInput):
        handover_create(actor=actor_for_user(team["a"]), to_username="sachbearbeitung-a",
                        document_id=document.pk)


def test_marking_new_post_done_is_logged_and_counts_as_seen(team):
    document = file_document(team["A"], title="Nachweis")
    desk_item_done(actor=actor_for_user(team["a"]), key=f"new_post:{document.pk}")
    assert Event.objects.filter(action="desk_done", object_type="document",
                                object_id=str(document.pk), actor="sachbearbeitung-a").exists()
    assert desk_collect(team["a"]).total == 0
    with pytest.raises(NotFound):
        desk_item_done(actor=actor_for_user(team["b"]), key=f"new_post:{document.pk}")


def test_responsible_must_be_a_member_of_the_unit_and_the_change_is_logged(team):
    with pytest.raises(InvalidInput) as refused:
        case_file_responsible_set(actor=actor_for_user(team["a"]), case_file=team["A"],
                                  responsible=team["b"])
    assert refused.value.code == "NOT_A_UNIT_MEMBER"
    case_file_responsible_set(actor=actor_for_user(team["a"]), case_file=team["A"],
                              responsible=team["colleague"])
    event = Event.objects.filter(action="responsible_changed").order_by("-seq").first()
    assert event.data["old"] == "sachbearbeitung-a" and event.data["new"] == "kollegin-a"
    with pytest.raises(NotFound):
        case_file_responsible_set(actor=actor_for_user(team["b"]), case_file=team["A"],
                                  responsible=team["b"])
    with pytest.raises(PermissionDenied):
        unit_default_caseworker_set(actor=actor_for_user(team["a"]), unit=team["A"].unit,
                                    caseworker=team["a"])


@pytest.fixture
def test_source():
    """A follow-up source as another app would register it: one entry of the user's, one
    of someone else's (which the desk must drop), one for the unit."""
    saved = desk_sources()

    def follow_ups(scope):
        today = scope.today
        entries = [DeskEntry(kind="follow_up", key=f"follow_up:{user_id}", title="Wiedervorlage",
                             url="/akten/1/", due=today - timedelta(days=1), overdue=True,
                             for_user_id=user_id, created_at=timezone.now())
                   for user_id in scope.user_ids]
        entries.append(DeskEntry(kind="follow_up", key="follow_up:fremd", title="Fremd",
                                 url="/akten/2/", for_user_id=-1))
        entries += [DeskEntry(kind="follow_up", key=f"follow_up:unit{unit_id}",
                              title="Einheit", url="/akten/1/", unit_id=unit_id)
                    for unit_id in scope.unit_ids]
        return entries

    desk_source_register("follow_up", follow_ups)
    yield
    desk_source_register("follow_up", saved.get("follow_up", lambda scope: []))


def test_entries_of_registered_sources_appear_and_foreign_ones_do_not(team, test_source):
    desk = desk_collect(team["a"])
    assert _keys(desk, "own", "follow_up") == [f"follow_up:{team['a'].pk}"]
    assert _keys(desk, "unit", "follow_up") == [f"follow_up:unit{team['A'].unit_id}"]
    item = next(i for s in desk.own for i in s.items if s.kind == "follow_up")
    assert item.entry.overdue and item.new


def test_the_desk_takes_as_many_queries_for_12_items_as_for_3(team, test_source):
    def queries():
        person = user("sachbearbeitung-a")  # fresh: nothing cached on the object
        with CaptureQueriesContext(connection) as captured:
            desk = desk_collect(person)
        return len(captured.captured_queries), desk.total

    for n in range(3):
        file_document(team["A"], title=f"Brief {n}")
    few, total_few = queries()
    for n in range(9):
        document = file_document(team["A"], title=f"Weiterer Brief {n}")
        handover_create(actor=actor_for_user(team["colleague"]), to_username="sachbearbeitung-a",
                        document_id=document.pk, note=f"Notiz {n}")
    many, total_many = queries()
    assert total_many == total_few + 18
    assert many == few


def test_what_one_filed_oneself_is_not_new_post_but_a_colleagues_note_is(team):
    from signoff.notes import file_note_write

    own = file_note_write(actor=actor_for_user(team["a"]), case_file_id=team["A"].pk,
                          kind="telefonat", noted_on=timezone.localdate(),
                          text="Rückruf der Antragstellerin vereinbart.")
    assert _keys(desk_collect(team["a"]), kind="new_post") == []
    colleagues = file_note_write(actor=actor_for_user(team["colleague"]),
                                 case_file_id=team["A"].pk, kind="hausbesuch",
                                 noted_on=timezone.localdate(), text="Hausbesuch durchgeführt.")
    assert _keys(desk_collect(team["a"]), kind="new_post") == [f"new_post:{colleagues.pk}"]
    assert own.pk != colleagues.pk
