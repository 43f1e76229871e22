"""Grants for the application's PostgreSQL role: it may read and append to the event log,
never change, delete or truncate it."""
from django.db import connection

from ..errors import InvalidInput

EVENT_TABLE = "archive_event"


def app_role_restrict(role: str) -> None:
    if connection.vendor != "postgresql":
        raise InvalidInput("Rollenrechte gibt es nur mit PostgreSQL.", code="NOT_POSTGRESQL")
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT SELECT, INSERT ON {EVENT_TABLE} TO {quoted}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {EVENT_TABLE} FROM {quoted}")


# SQLite has no roles; triggers refuse every UPDATE and DELETE of a log entry instead, also
# those that bypass Event.save()/delete() (queryset .update()/.delete(), raw SQL). Whoever can
# write the database file can drop them, which the hash chain and the checkpoints then catch.
# A connection that created the TEMP table below may delete (the test database's flush
# between tests); it is visible to that connection only and gone when it closes.
SQLITE_MIGRATION = "0010_event_append_only_sqlite"
SQLITE_UNLOCK_TABLE = "archive_event_unlock"
_SQLITE_UNLOCKED = (f"EXISTS (SELECT 1 FROM pragma_table_list "
                    f"WHERE schema = 'temp' AND name = '{SQLITE_UNLOCK_TABLE}')")
SQLITE_TRIGGERS = {
    "archive_event_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS archive_event_no_update BEFORE UPDATE ON {EVENT_TABLE}
        BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE} is append-only: UPDATE refused'); END""",
    "archive_event_no_delete": f"""
        CREATE TRIGGER IF NOT EXISTS archive_event_no_delete BEFORE DELETE ON {EVENT_TABLE}
        WHEN NOT {_SQLITE_UNLOCKED}
        BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE} is append-only: DELETE refused'); END""",
}


def sqlite_append_only_ensure(connection) -> None:
    """Create the SQLite triggers where missing: SQLite drops a table's triggers when a
    migration rebuilds the table, so this runs after every migrate as well."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)


def sqlite_append_only_drop(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
