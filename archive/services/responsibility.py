"""Who works on a case file (Bearbeitung): the file's responsible caseworker, else the unit's
default caseworker, else the unit's shared desk. Both must be caseworkers of the owning unit;
every change is one event."""
from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_admin_or_operator, require_open, require_person, require_work
from ..models import CaseFile, Role, Unit
from .events import event_append


def _require_member(user, unit: Unit) -> None:
    profile = getattr(user, "staff_profile", None)
    if (user is None or not user.is_active or profile is None
            or profile.role != Role.CASEWORKER or not profile.units.filter(pk=unit.pk).exists()):
        raise InvalidInput(f"Bearbeitung kann nur eine Sachbearbeiterin oder ein Sachbearbeiter "
                           f"der Organisationseinheit {unit.code} übernehmen.",
                           code="NOT_A_UNIT_MEMBER")


def case_file_responsible_set(*, actor: Actor, case_file: CaseFile, responsible) -> CaseFile:
    """Name the caseworker of an open file (None: back to the unit's default). Whoever may
    work on the file may do so; an unchanged choice writes no event."""
    require_person(actor)
    require_work(actor.user, case_file)
    require_open(case_file)
    if responsible is not None:
        _require_member(responsible, case_file.unit)
    with transaction.atomic():
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        old = case_file.responsible
        if (old.pk if old else None) == (responsible.pk if responsible else None):
            return case_file
        case_file.responsible = responsible
        case_file.save(update_fields=["responsible"])
        event_append(action="responsible_changed", object_type="case_file",
                     object_id=case_file.pk, actor=actor,
                     data={"file_reference": case_file.file_reference,
                           "old": old.username if old else None,
                           "new": responsible.username if responsible else None})
    return case_file


def unit_default_caseworker_set(*, actor: Actor, unit: Unit, caseworker) -> Unit:
    """The administration names whose desk a unit's files without a caseworker land on."""
    require_admin_or_operator(actor, "Organisationseinheiten pflegt die Administration.")
    if caseworker is not None:
        _require_member(caseworker, unit)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        old = unit.default_caseworker
        if (old.pk if old else None) == (caseworker.pk if caseworker else None):
            return unit
        unit.default_caseworker = caseworker
        unit.save(update_fields=["default_caseworker"])
        event_append(action="changed", object_type="unit", object_id=unit.pk, actor=actor,
                     data={"code": unit.code, "changes": {"default_caseworker": [
                         old.username if old else None,
                         caseworker.username if caseworker else None]}})
    return unit
