"""System checks: every active file plan unit names a retention schedule that exists; the
xdomea schemas load."""
from django.core.checks import Error, Tags, Warning, register
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


@register()
def xdomea_schemas_load(app_configs=None, **kwargs):
    """Said at start, not first when the data-protection officer offers files to the archive.
    A warning, not an error: everything but the xdomea exchange keeps working."""
    from archive.errors import RegistraturError

    from .xdomea.schema import schema_load

    try:
        schema_load()
    except RegistraturError as error:
        return [Warning(error.message, id="retention.W001",
                        hint="REGISTRATUR_XDOMEA_SCHEMA_DIR weglassen (dann gelten die "
                             "mitgelieferten Schemas) oder auf einen Ordner mit "
                             "xdomea-Nachrichten-AussonderungDurchfuehren.xsd zeigen lassen.")]
    return []
