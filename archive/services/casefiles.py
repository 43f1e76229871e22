"""Case files and their file references."""
from django.db import transaction
from django.utils import timezone

from ..errors import InvalidInput
from ..models import CaseFile, FilePlanUnit, FileReferenceCounter, Unit
from .events import event_append


def file_reference_format(*, plan_code: str, year: int, number: int) -> str:
    return f"{plan_code}-{year}-{number:06d}"


def _next_number(plan_unit: FilePlanUnit, year: int) -> int:
    counter, _ = FileReferenceCounter.objects.select_for_update().get_or_create(
        plan_unit=plan_unit, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def case_file_create(
    *, plan_unit: FilePlanUnit, unit: Unit, title: str, actor: str, subject_name: str = "",
    subject_birth_date=None, client_number: str = "",
) -> CaseFile:
    if not plan_unit.active:
        raise InvalidInput(f"Die Aktenplaneinheit {plan_unit.code} ist deaktiviert.",
                           code="PLAN_UNIT_INACTIVE")
    with transaction.atomic():
        year = timezone.localdate().year
        reference = file_reference_format(
            plan_code=plan_unit.code, year=year, number=_next_number(plan_unit, year)
        )
        case_file = CaseFile.objects.create(
            file_reference=reference, plan_unit=plan_unit, unit=unit, title=title,
            subject_name=subject_name, subject_birth_date=subject_birth_date,
            client_number=client_number,
        )
        event_append(action="created", object_type="case_file", object_id=case_file.pk,
                     actor=actor, data={"file_reference": reference, "unit": unit.code})
    return case_file


def case_file_by_reference(reference: str) -> CaseFile | None:
    return CaseFile.objects.filter(file_reference=reference).select_related("unit").first()
