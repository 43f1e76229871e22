"""Schedules are kept by the data-protection officer alone; the service itself refuses
everyone else, whatever page or command calls it."""
import pytest

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import InvalidInput, PermissionDenied
from archive.selectors import events_for_object
from retention.models import RetentionSchedule
from retention.services.schedule_changes import schedule_create, schedule_update
from tests.conftest import user

pytestmark = pytest.mark.django_db
VALUES = {"name": "Prüffrist", "trigger": "closed", "years": 5, "action": "destroy",
          "legal_basis": "§ 84 SGB X"}


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "admin", "poststelle"])
def test_only_the_officer_keeps_schedules(demo, username):
    with pytest.raises(PermissionDenied) as refused:
        schedule_create(actor=acting(user(username)), key="PRUEF-5J", **VALUES)
    assert refused.value.code == "DPO_ONLY"
    schedule = RetentionSchedule.objects.get(key="SGB-10J-ZDA")
    with pytest.raises(PermissionDenied):
        schedule_update(actor=acting(user(username)), schedule=schedule, years=1)
    with pytest.raises(PermissionDenied):  # nor the system: a person decides
        schedule_create(actor=system_actor("scheduler"), key="PRUEF-5J", **VALUES)
    schedule.refresh_from_db()
    assert schedule.years == 10 and not RetentionSchedule.objects.filter(key="PRUEF-5J").exists()


def test_a_named_event_needs_its_name_and_an_unchanged_form_writes_nothing(demo):
    officer = acting(user("datenschutz"))
    with pytest.raises(InvalidInput) as refused:
        schedule_create(actor=officer, key="EREIGNIS", **{**VALUES, "trigger": "named_event"})
    assert refused.value.code == "SCHEDULE_EVENT_MISSING"
    schedule = schedule_create(actor=officer, key="EREIGNIS",
                               **{**VALUES, "trigger": "named_event",
                                  "trigger_event": "Leistungsende"})
    schedule_update(actor=officer, schedule=schedule, name="Prüffrist")
    assert list(events_for_object("retention_schedule", schedule.pk)
                .values_list("action", flat=True)) == ["created"]
