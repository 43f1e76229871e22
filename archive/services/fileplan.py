"""The file plan: units are created, changed and deactivated, never deleted."""
from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_perm, require_person
from ..models import CaseFile, FilePlanUnit
from ..schedules import schedule_exists, schedule_require
from ..signals import retention_basis_changed
from .changes import apply_changes
from .events import event_append

PERMISSION = "archive.manage_fileplan"
DENIED = "Den Aktenplan pflegt die Administration."


def plan_unit_create(*, actor: Actor, code: str, title: str, parent: FilePlanUnit | None = None,
                     retention_schedule: str = "") -> FilePlanUnit:
    user = require_person(actor)
    require_perm(user, PERMISSION, DENIED)
    code = code.strip()
    # Without an existing schedule, case files closed in this unit would get no retention.
    retention_schedule = schedule_require(retention_schedule)
    if parent is not None and not code.startswith(parent.code + "."):
        raise InvalidInput(f"Das Kennzeichen {code} gehört nicht unter {parent.code}.",
                           code="PLAN_CODE_MISMATCH")
    if FilePlanUnit.objects.filter(code=code).exists():
        raise InvalidInput(f"Das Kennzeichen {code} ist schon vergeben.", code="PLAN_CODE_TAKEN")
    with transaction.atomic():
        unit = FilePlanUnit.objects.create(code=code, title=title, parent=parent,
                                           retention_schedule=retention_schedule)
        event_append(action="created", object_type="plan_unit", object_id=unit.pk,
                     actor=actor, data={"code": code, "title": title,
                                                "retention_schedule": retention_schedule})
    return unit


def plan_unit_update(*, actor: Actor, plan_unit: FilePlanUnit, **changes) -> FilePlanUnit:
    user = require_person(actor)
    require_perm(user, PERMISSION, DENIED)
    allowed = {"title", "retention_schedule", "active"}
    if set(changes) - allowed:
        raise InvalidInput("Nur Titel, Aufbewahrungsfrist und Status sind änderbar.")
    if "retention_schedule" in changes:
        changes["retention_schedule"] = schedule_require(changes["retention_schedule"])
    if changes.get("active") and not plan_unit.active and not schedule_exists(
            changes.get("retention_schedule", plan_unit.retention_schedule)):
        # An active unit must be one that case files can be created in.
        raise InvalidInput(f"Die Aktenplaneinheit {plan_unit.code} hat keine gültige "
                           "Aufbewahrungsfrist; bitte zuerst eine zuweisen.",
                           code="PLAN_SCHEDULE_UNKNOWN")
    with transaction.atomic():
        diff = apply_changes(plan_unit, changes)
        if diff:
            plan_unit.save()
            action = "changed"
            if set(diff) == {"active"}:
                action = "reactivated" if plan_unit.active else "deactivated"
            elif set(diff) == {"retention_schedule"}:
                action = "schedule_changed"
            event_append(action=action, object_type="plan_unit", object_id=plan_unit.pk,
                         actor=actor, data={"changes": diff})
            if "retention_schedule" in diff:
                for case_file_id in plan_unit.case_files.values_list("pk", flat=True):
                    retention_basis_changed.send(sender=CaseFile, case_file_id=case_file_id)
    return plan_unit
