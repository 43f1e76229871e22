"""Schedules are data. These defaults cover the common case of social-services case files;
each city adapts them to its own Aufbewahrungsbestimmungen."""
from django.db import migrations

DEFAULTS = [
    {"key": "SGB-10J-ZDA", "name": "Sozialleistungsakte, 10 Jahre nach zdA",
     "trigger": "closed", "years": 10, "year_end_cutoff": True, "action": "destroy",
     "legal_basis": "§ 84 Abs. 2 SGB X; § 35 SGB I; kommunale Aufbewahrungsbestimmungen"},
    {"key": "SGB-10J-ZDA-ANBIETEN",
     "name": "Sozialleistungsakte, 10 Jahre nach zdA, dem Archiv anzubieten",
     "trigger": "closed", "years": 10, "year_end_cutoff": True, "action": "offer",
     "legal_basis": "§ 84 Abs. 2 SGB X; § 71 Abs. 1 Satz 3 SGB X; Landesarchivgesetz "
                    "(Anbietungspflicht)"},
    {"key": "POSTEINGANG-5J-PRUEFEN", "name": "Schriftgut, Prüfung 5 Jahre nach Eingang",
     "trigger": "received", "years": 5, "year_end_cutoff": True, "action": "review",
     "legal_basis": "§ 84 Abs. 2 SGB X"},
]


def create(apps, schema_editor):
    schedule = apps.get_model("retention", "RetentionSchedule")
    for values in DEFAULTS:
        schedule.objects.get_or_create(key=values["key"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
