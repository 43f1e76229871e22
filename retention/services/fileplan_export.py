"""The file plan as xdomea 0301 (Aktenplan.Aktenplan.0301): for the public archive, which
appraises the plan ahead of any offer, or for another system taking the plan over. Each unit
carries its retention in years and its default Aussonderungsart from its schedule."""
import uuid

from django.conf import settings
from django.utils import timezone

from archive.actors import Actor
from archive.errors import PermissionDenied
from archive.guards import is_administrator, is_data_protection_officer
from archive.models import FilePlanUnit
from archive.services.events import event_append

from ..models import RetentionSchedule
from ..xdomea import codes, messages
from ..xdomea.records import header
from ..xdomea.schema import ENTRY_FILE_PLAN, schema_assert_valid

DENIED = "Den Aktenplan exportieren die Verwaltung und der Datenschutz."


def _units() -> list[messages.PlanUnitData]:
    schedules = {s.key: s for s in RetentionSchedule.objects.all()}
    units = list(FilePlanUnit.objects.order_by("code"))
    children: dict[int | None, list[FilePlanUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def data(unit: FilePlanUnit) -> messages.PlanUnitData:
        schedule = schedules.get(unit.retention_schedule)
        return messages.PlanUnitData(
            code=unit.code, title=unit.title, active=unit.active,
            appraisal=codes.APPRAISAL_BY_ACTION.get(schedule.action, codes.TO_APPRAISE)
            if schedule else codes.TO_APPRAISE,
            years=schedule.years if schedule else None,
            children=[data(child) for child in children.get(unit.pk, [])])

    return [data(unit) for unit in children.get(None, [])]


def file_plan_export(*, actor: Actor) -> tuple[str, bytes]:
    """The 0301 message (file name, bytes), checked against the official schema; the export
    is logged. The administration keeps the plan, the officer hands it to the archive."""
    user = actor.user
    if not actor.is_operator and (user is None or not (
            is_administrator(user) or is_data_protection_officer(user))):
        raise PermissionDenied(DENIED)
    process_id = str(uuid.uuid4())
    version = timezone.localdate().isoformat()
    tree = messages.file_plan(header(process_id), name=settings.XDOMEA_SENDER_NAME,
                              version=version, units=_units())
    schema_assert_valid(tree, what=codes.MESSAGES["0301"], entry_name=ENTRY_FILE_PLAN)
    event_append(action="file_plan_exported", object_type="file_plan", object_id="",
                 actor=actor, data={"process_id": process_id, "format": "xdomea 0301",
                                    "units": FilePlanUnit.objects.count()})
    return f"{process_id}_{codes.MESSAGES['0301']}.xml", messages.serialise(tree)
