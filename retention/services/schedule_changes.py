"""Keeping the retention schedules (Aufbewahrungsfristen): the data-protection officer creates
and changes them; every change is one event with its old and new values, and the case files
whose plan unit names the schedule are recomputed at once, so that no page shows an end the
schedule no longer gives. A schedule is never deleted and its key never changes: plan units
and the residual records of destroyed files name it."""
import re

from django.db import transaction

from archive.actors import Actor
from archive.errors import InvalidInput, PermissionDenied
from archive.guards import is_data_protection_officer, require_person
from archive.models import CaseFile, FilePlanUnit
from archive.services.changes import apply_changes
from archive.services.events import event_append

from ..models import Action, RetentionSchedule, Trigger
from .schedules import retention_recompute

KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
KEY_MAX = RetentionSchedule._meta.get_field("key").max_length
NAME_MAX = RetentionSchedule._meta.get_field("name").max_length
BASIS_MAX = RetentionSchedule._meta.get_field("legal_basis").max_length
EVENT_MAX = RetentionSchedule._meta.get_field("trigger_event").max_length
# Upper bounds that no real schedule reaches; they keep a typo from meaning "for ever".
LIMITS = {"trigger_offset_years": 150, "years": 150, "months": 120, "days": 3660}
FIELDS = ("name", "trigger", "trigger_event", "trigger_offset_years", "years", "months",
          "days", "year_end_cutoff", "action", "legal_basis")


def _require_officer(actor: Actor) -> None:
    user = require_person(actor)
    if not is_data_protection_officer(user):
        raise PermissionDenied("Aufbewahrungsfristen pflegt der Datenschutz.", code="DPO_ONLY")


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise InvalidInput("Die Aufbewahrungsfrist braucht eine Kennung.",
                           code="SCHEDULE_KEY_MISSING")
    if len(key) > KEY_MAX or not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(f"Die Kennung „{key}“ ist ungültig: höchstens {KEY_MAX} Zeichen, "
                           "nur Buchstaben, Ziffern, Punkt, Binde- und Unterstrich, ohne "
                           "Leerzeichen.", code="SCHEDULE_KEY_INVALID")
    if RetentionSchedule.objects.filter(key__iexact=key).exists():
        raise InvalidInput(f"Die Kennung „{key}“ ist schon vergeben.", code="SCHEDULE_KEY_TAKEN")
    return key


def _clean(values: dict) -> dict:
    """The schedule's fields, checked together: German reasons, one code each."""
    data = {name: values.get(name) for name in FIELDS}
    data["name"] = (data["name"] or "").strip()
    data["legal_basis"] = (data["legal_basis"] or "").strip()
    data["trigger_event"] = (data["trigger_event"] or "").strip()
    data["year_end_cutoff"] = bool(data["year_end_cutoff"])
    if not data["name"]:
        raise InvalidInput("Die Aufbewahrungsfrist braucht eine Bezeichnung.",
                           code="SCHEDULE_NAME_MISSING")
    if len(data["name"]) > NAME_MAX:
        raise InvalidInput(f"Die Bezeichnung ist länger als {NAME_MAX} Zeichen.",
                           code="SCHEDULE_NAME_INVALID")
    if data["trigger"] not in Trigger.values:
        raise InvalidInput("Bitte wählen Sie einen Auslöser aus.", code="SCHEDULE_TRIGGER_INVALID")
    if data["trigger"] == Trigger.NAMED_EVENT:
        if not data["trigger_event"] or len(data["trigger_event"]) > EVENT_MAX:
            raise InvalidInput("Ein benanntes Ereignis als Auslöser braucht den Namen des "
                               f"Ereignisses (höchstens {EVENT_MAX} Zeichen), z. B. "
                               "„Leistungsende“.", code="SCHEDULE_EVENT_MISSING")
    else:
        data["trigger_event"] = ""  # only a named event has a name
    for name, limit in LIMITS.items():
        number = data[name] if data[name] is not None else 0
        if not isinstance(number, int) or not 0 <= number <= limit:
            raise InvalidInput(f"Zeitangaben sind ganze Zahlen von 0 bis {limit} "
                               f"({RetentionSchedule._meta.get_field(name).verbose_name}).",
                               code="SCHEDULE_PERIOD_INVALID")
        data[name] = number
    if not any(data[name] for name in LIMITS):
        raise InvalidInput("Die Frist braucht eine Dauer: Jahre, Monate oder Tage (oder Jahre "
                           "nach dem Auslöser).", code="SCHEDULE_PERIOD_MISSING")
    if data["action"] not in Action.values:
        raise InvalidInput("Bitte wählen Sie aus, was nach Fristende geschieht.",
                           code="SCHEDULE_ACTION_INVALID")
    if not data["legal_basis"]:
        raise InvalidInput("Die Aufbewahrungsfrist braucht ihre Rechtsgrundlage.",
                           code="SCHEDULE_LEGAL_BASIS_MISSING")
    if len(data["legal_basis"]) > BASIS_MAX:
        raise InvalidInput(f"Die Rechtsgrundlage ist länger als {BASIS_MAX} Zeichen.",
                           code="SCHEDULE_LEGAL_BASIS_INVALID")
    return data


def _recompute_users_of(key: str, actor: Actor) -> int:
    case_files = CaseFile.objects.filter(destroyed_at__isnull=True,
                                         plan_unit__retention_schedule=key)
    count = 0
    for case_file in case_files.select_related("plan_unit"):
        retention_recompute(case_file=case_file, actor=actor)
        count += 1
    return count


def schedule_create(*, actor: Actor, key: str, **values) -> RetentionSchedule:
    _require_officer(actor)
    data = _clean(values)
    with transaction.atomic():
        key = _clean_key(key)
        schedule = RetentionSchedule.objects.create(key=key, **data)
        event_append(action="created", object_type="retention_schedule", object_id=schedule.pk,
                     actor=actor, data={"key": key, **data})
    return schedule


def schedule_update(*, actor: Actor, schedule: RetentionSchedule,
                    **values) -> RetentionSchedule:
    """Only what really changed is recorded; an unchanged form writes no event. The case files
    that count by this schedule get their new end in the same transaction."""
    _require_officer(actor)
    current = {name: getattr(schedule, name) for name in FIELDS}
    data = _clean({**current, **{k: v for k, v in values.items() if k in FIELDS}})
    with transaction.atomic():
        schedule = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
        diff = apply_changes(schedule, data)
        if diff:
            schedule.save()
            recomputed = _recompute_users_of(schedule.key, actor)
            event_append(action="changed", object_type="retention_schedule",
                         object_id=schedule.pk, actor=actor,
                         data={"key": schedule.key, "changes": diff,
                               "case_files_recomputed": recomputed})
    return schedule


def schedules_usage() -> dict[str, list[FilePlanUnit]]:
    """For each schedule key, the file plan units that name it (active ones first)."""
    usage: dict[str, list[FilePlanUnit]] = {}
    for unit in FilePlanUnit.objects.order_by("-active", "code"):
        usage.setdefault(unit.retention_schedule, []).append(unit)
    return usage
