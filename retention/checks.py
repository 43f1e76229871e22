"""System check: every active file plan unit names a retention schedule that exists."""
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.database)
def every_plan_unit_has_a_schedule(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from archive.models import FilePlanUnit

    from .models import RetentionSchedule

    try:
        known = set(RetentionSchedule.objects.values_list("key", flat=True))
        units = list(FilePlanUnit.objects.filter(active=True)
                     .values_list("code", "retention_schedule"))
    except DatabaseError:
        return []  # not migrated yet
    return [
        Error(f"Aktenplaneinheit {code} hat keine gültige Aufbewahrungsfrist "
              f"({schedule or 'keine'}).", id="retention.E001",
              hint="Weisen Sie eine vorhandene Aufbewahrungsfrist zu: "
                   "registratur fileplan set-schedule CODE KEY --user ADMIN")
        for code, schedule in units if schedule not in known
    ]
