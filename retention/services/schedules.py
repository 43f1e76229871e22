"""The retention end of each case file: computed from its schedule and trigger, recomputed
when either changes, extended by those responsible, shortened only by the DPO."""
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.guards import is_data_protection_officer, may_work_on, require_person
from archive.models import CaseFile
from archive.services.events import event_append

from ..dates import retention_end
from ..models import CaseFileRetention, NamedEvent, RetentionSchedule, Trigger
from .holds import holds_active


def _trigger_date(case_file: CaseFile, schedule: RetentionSchedule) -> date | None:
    documents = case_file.documents.filter(destroyed_at__isnull=True)
    if schedule.trigger == Trigger.CLOSED:
        return timezone.localdate(case_file.closed_at) if case_file.closed_at else None
    if schedule.trigger == Trigger.BIRTH_DATE:
        return case_file.subject_birth_date
    if schedule.trigger == Trigger.LETTER_DATE:
        return documents.aggregate(latest=Max("letter_date"))["latest"]
    if schedule.trigger == Trigger.RECEIVED:
        latest = documents.aggregate(latest=Max("received_at"))["latest"]
        return timezone.localdate(latest) if latest else None
    latest = NamedEvent.objects.filter(case_file=case_file, name=schedule.trigger_event) \
        .aggregate(latest=Max("date"))["latest"]
    return latest


def schedule_for(case_file: CaseFile) -> RetentionSchedule | None:
    return RetentionSchedule.objects.filter(key=case_file.plan_unit.retention_schedule).first()


def retention_recompute(*, case_file: CaseFile,
                        actor: Actor | str = "system") -> CaseFileRetention:
    schedule = schedule_for(case_file)
    end = None
    if schedule is not None:
        end = retention_end(_trigger_date(case_file, schedule),
                            offset_years=schedule.trigger_offset_years, years=schedule.years,
                            months=schedule.months, days=schedule.days,
                            year_end_cutoff=schedule.year_end_cutoff)
    with transaction.atomic():
        record, _ = CaseFileRetention.objects.select_for_update().get_or_create(
            case_file=case_file)
        old = (record.schedule_key, record.computed_end, record.action)
        new = (schedule.key if schedule else "", end, schedule.action if schedule else "")
        if old != new:
            record.schedule_key, record.computed_end, record.action = new
            record.save()
            event_append(action="retention_changed", object_type="case_file",
                         object_id=case_file.pk, actor=actor,
                         data={"changes": {
                             "schedule": [old[0], new[0]],
                             "retention_end": [old[1].isoformat() if old[1] else None,
                                               end.isoformat() if end else None],
                             "action": [old[2], new[2]]}})
    return record


def _override(*, actor, case_file, until: date, reason: str, shorten: bool):
    record = retention_recompute(case_file=case_file, actor=actor)
    current = record.end
    with transaction.atomic():
        record.override_end, record.override_reason = until, reason.strip()
        record.save(update_fields=["override_end", "override_reason", "updated_at"])
        event_append(action="retention_shortened" if shorten else "retention_extended",
                     object_type="case_file", object_id=case_file.pk, actor=actor,
                     purpose=reason.strip(), data={"changes": {"retention_end": [
                         current.isoformat() if current else None, until.isoformat()]}})
    return record


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise InvalidInput(f"Eine {what} braucht eine Begründung.", code="REASON_REQUIRED")


def retention_extend(*, actor: Actor, case_file: CaseFile, until: date, reason: str):
    """Keep a case file longer (e.g. a pending lawsuit): those who work on it, or the DPO."""
    user = require_person(actor)
    if not (may_work_on(user, case_file) or is_data_protection_officer(user)):
        raise NotFound()
    _require_reason(reason, "Verlängerung")
    current = retention_recompute(case_file=case_file, actor=actor).end
    if current is not None and until <= current:
        raise InvalidInput("Eine Verlängerung muss nach dem bisherigen Fristende liegen; "
                           "verkürzen darf nur der Datenschutz.", code="NOT_AN_EXTENSION")
    return _override(actor=actor, case_file=case_file, until=until, reason=reason, shorten=False)


def retention_shorten(*, actor: Actor, case_file: CaseFile, until: date, reason: str):
    """Destroy earlier than the schedule says (e.g. an erasure obligation): the DPO alone, and
    never while a legal hold stands, since the hold's reason may need the file."""
    user = require_person(actor)
    if not is_data_protection_officer(user):
        if may_work_on(user, case_file):
            raise PermissionDenied("Eine Aufbewahrungsfrist verkürzen darf nur der Datenschutz.",
                                   code="DPO_ONLY")
        raise NotFound()
    _require_reason(reason, "Verkürzung")
    if holds_active([case_file.pk]).exists():
        raise Conflict(f"Die Akte {case_file.file_reference} ist gesperrt "
                       "(Aufbewahrungssperre); die Frist kann erst nach Aufhebung der Sperre "
                       "verkürzt werden.", code="HELD")
    return _override(actor=actor, case_file=case_file, until=until, reason=reason, shorten=True)


def retention_end_change(*, actor: Actor, case_file: CaseFile, until: date, reason: str):
    """The one entry of page and command line: a later end is an extension, an earlier one a
    shortening, each with its own rule."""
    user = require_person(actor)
    if not (may_work_on(user, case_file) or is_data_protection_officer(user)):
        raise NotFound()  # before anything is computed or logged for this user
    current = retention_recompute(case_file=case_file, actor=actor).end
    if current is not None and until == current:
        raise InvalidInput(f"Das Fristende ist bereits der {until:%d.%m.%Y}.",
                           code="NO_CHANGE")
    if current is None or until > current:
        return retention_extend(actor=actor, case_file=case_file, until=until, reason=reason)
    return retention_shorten(actor=actor, case_file=case_file, until=until, reason=reason)


def named_event_record(*, actor: Actor, case_file: CaseFile, name: str, when: date) -> NamedEvent:
    user = require_person(actor)
    if not may_work_on(user, case_file):
        raise NotFound()
    event = NamedEvent.objects.create(case_file=case_file, name=name, date=when,
                                      recorded_by=user.username)
    event_append(action="event_recorded", object_type="case_file", object_id=case_file.pk,
                 actor=actor, data={"name": name, "date": when.isoformat()})
    retention_recompute(case_file=case_file, actor=actor)
    return event
