"""On SQLite the event log gets the append-only guard PostgreSQL has had since 0003: triggers
refuse UPDATE and DELETE of an entry. PostgreSQL keeps its own trigger; this is a no-op there.
The trigger SQL lives in archive.services.dbroles, which also restores it after a migration
that rebuilt the table."""
from django.db import migrations


def forward(apps, schema_editor):
    from archive.services.dbroles import sqlite_append_only_ensure

    sqlite_append_only_ensure(schema_editor.connection)


def backward(apps, schema_editor):
    from archive.services.dbroles import sqlite_append_only_drop

    sqlite_append_only_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0009_audit_state")]
    operations = [migrations.RunPython(forward, backward)]
