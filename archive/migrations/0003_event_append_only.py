"""On PostgreSQL the event log is append-only for everyone but a superuser (who could drop any
trigger anyway; the hash chain and the external checkpoints catch that)."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION archive_event_append_only() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        IF TG_LEVEL = 'ROW' THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'archive_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER archive_event_no_update_delete BEFORE UPDATE OR DELETE ON archive_event
    FOR EACH ROW EXECUTE FUNCTION archive_event_append_only();
CREATE TRIGGER archive_event_no_truncate BEFORE TRUNCATE ON archive_event
    FOR EACH STATEMENT EXECUTE FUNCTION archive_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS archive_event_no_update_delete ON archive_event;
DROP TRIGGER IF EXISTS archive_event_no_truncate ON archive_event;
DROP FUNCTION IF EXISTS archive_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_records_core")]
    operations = [migrations.RunPython(forward, backward)]
