"""Retention is computed per case file, recomputed when its trigger or schedule changes,
extended by those responsible and shortened only by the data-protection officer."""
from datetime import date, timedelta

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.models import FilePlanUnit
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_close, case_file_reopen
from archive.services.fileplan import plan_unit_update
from retention.models import CaseFileRetention, RetentionSchedule
from retention.services.holds import hold_lift, hold_place
from retention.services.schedules import retention_extend, retention_shorten
from tests.archive.helpers import grant
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _end(case_file):
    return CaseFileRetention.objects.get(case_file=case_file).end


def test_closing_starts_retention_and_reopening_stops_it(schedules):
    case_file = schedules["A"]
    assert _end(case_file) is None  # open: the trigger has not happened
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    # Legal dates are local: the zdA of 31 December 23:30 UTC is one of 1 January in Berlin.
    closed = timezone.localdate(case_file.closed_at)
    assert _end(case_file) == date(closed.year + 10, 12, 31)
    changed = events_for_object("case_file", case_file.pk).filter(action="retention_changed")
    assert changed.last().clear_data["changes"]["retention_end"] == [
        None, f"{closed.year + 10}-12-31"]
    case_file_reopen(actor=acting(grant("sachbearbeitung-a", "reopen_casefile")),
                     case_file=case_file,
                     reason="Widerspruch")
    assert _end(case_file) is None


def test_changing_the_schedule_of_the_class_recomputes(schedules):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    RetentionSchedule.objects.create(key="KURZ-2J", name="kurz", trigger="closed", years=2,
                                     action="destroy", legal_basis="§ 84 SGB X")
    plan_unit_update(actor=acting(user("admin")), plan_unit=case_file.plan_unit,
                     retention_schedule="KURZ-2J")
    closed = timezone.localdate(case_file.closed_at)
    assert _end(case_file) == closed.replace(year=closed.year + 2)


def test_extend_by_the_unit_shorten_only_by_the_dpo(schedules):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    current = _end(case_file)
    retention_extend(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                     until=current + timedelta(days=365), reason="laufendes Klageverfahren")
    assert _end(case_file) == current + timedelta(days=365)
    with pytest.raises(InvalidInput):  # "extending" to an earlier date is shortening
        retention_extend(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                         until=current - timedelta(days=1), reason="x")
    with pytest.raises(PermissionDenied):  # the unit may see the file, not shorten it
        retention_shorten(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                          until=current - timedelta(days=1), reason="x")
    with pytest.raises(NotFound):  # another unit does not learn that it exists
        retention_shorten(actor=acting(user("sachbearbeitung-b")), case_file=case_file,
                          until=current - timedelta(days=1), reason="x")
    with pytest.raises(InvalidInput):
        retention_shorten(actor=acting(user("datenschutz")), case_file=case_file,
                          until=current - timedelta(days=1), reason=" ")
    retention_shorten(actor=acting(user("datenschutz")), case_file=case_file, until=date(2030, 1,
                                                                                         1),
                      reason="Löschpflicht nach Widerruf der Einwilligung")
    assert _end(case_file) == date(2030, 1, 1)
    shortened = events_for_object("case_file", case_file.pk).get(action="retention_shortened")
    assert shortened.actor == "datenschutz" and shortened.clear_purpose.startswith("Löschpflicht")


def test_system_check_fails_for_a_plan_unit_without_schedule(schedules):
    assert not [e for e in run_checks(databases=["default"]) if e.id == "retention.E001"]
    FilePlanUnit.objects.create(code="70", title="Ohne Frist")
    errors = [e for e in run_checks(databases=["default"]) if e.id == "retention.E001"]
    assert len(errors) == 1 and "70" in errors[0].msg


def test_a_change_needs_a_reason_and_shortening_waits_for_a_hold(schedules):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    current = _end(case_file)
    with pytest.raises(InvalidInput) as refused:
        retention_extend(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                         until=current + timedelta(days=1), reason=" ")
    assert refused.value.code == "REASON_REQUIRED"
    hold = hold_place(actor=acting(user("datenschutz")), case_file=case_file, reason="Klage",
                      mandate="SG Köln S 1/26")
    with pytest.raises(Conflict) as refused:
        retention_shorten(actor=acting(user("datenschutz")), case_file=case_file,
                          until=date(2030, 1, 1), reason="Löschpflicht")
    assert refused.value.code == "HELD" and _end(case_file) == current
    # Keeping longer is what a hold is about: an extension is allowed under it.
    retention_extend(actor=acting(user("datenschutz")), case_file=case_file,
                     until=current + timedelta(days=30), reason="Klage")
    hold_lift(actor=acting(user("datenschutz")), hold=hold, reason="Verfahren beendet")
    retention_shorten(actor=acting(user("datenschutz")), case_file=case_file,
                      until=date(2030, 1, 1), reason="Löschpflicht")
    assert _end(case_file) == date(2030, 1, 1)
