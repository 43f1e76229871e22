"""Grants for the application's PostgreSQL role: it may read and append to the event log,
never change or truncate it, and delete only what the log retention cut (`TrailCut`, which the
triggers consult); the cuts themselves are append-only too."""
from django.db import connection

from ..errors import InvalidInput

EVENT_TABLE = "archive_event"
CUT_TABLE = "archive_trailcut"


def app_role_restrict(role: str) -> None:
    if connection.vendor != "postgresql":
        raise InvalidInput("Rollenrechte gibt es nur mit PostgreSQL.", code="NOT_POSTGRESQL")
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT SELECT, INSERT ON {EVENT_TABLE} TO {quoted}")
        # DELETE is granted for the log retention alone: the trigger refuses every row that
        # no cut names (archive/services/log_retention.py).
        cursor.execute(f"GRANT DELETE ON {EVENT_TABLE} TO {quoted}")
        cursor.execute(f"REVOKE UPDATE, TRUNCATE ON {EVENT_TABLE} FROM {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT ON {CUT_TABLE} TO {quoted}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {CUT_TABLE} FROM {quoted}")


# SQLite has no roles; triggers refuse every UPDATE and DELETE of a log entry instead, also
# those that bypass Event.save()/delete() (queryset .update()/.delete(), raw SQL). Whoever can
# write the database file can drop them, which the hash chain and the checkpoints then catch.
# A connection that created the TEMP table below may delete (the test database's flush
# between tests); it is visible to that connection only and gone when it closes.
SQLITE_MIGRATION = "0010_event_append_only_sqlite"
SQLITE_UNLOCK_TABLE = "archive_event_unlock"
_SQLITE_UNLOCKED = (f"EXISTS (SELECT 1 FROM pragma_table_list "
                    f"WHERE schema = 'temp' AND name = '{SQLITE_UNLOCK_TABLE}')")
# The log retention may delete an entry that a cut names; nothing else may.
_SQLITE_CUT = (f"EXISTS (SELECT 1 FROM {CUT_TABLE} "
               f"WHERE OLD.seq BETWEEN {CUT_TABLE}.first_seq AND {CUT_TABLE}.last_seq)")
SQLITE_TRIGGERS = {
    "archive_event_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS archive_event_no_update BEFORE UPDATE ON {EVENT_TABLE}
        BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE} is append-only: UPDATE refused'); END""",
    "archive_event_no_delete_uncut": f"""
        CREATE TRIGGER IF NOT EXISTS archive_event_no_delete_uncut
        BEFORE DELETE ON {EVENT_TABLE}
        WHEN NOT {_SQLITE_UNLOCKED} AND NOT {_SQLITE_CUT}
        BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE} is append-only: DELETE refused'); END""",
    "archive_trailcut_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS archive_trailcut_no_update BEFORE UPDATE ON {CUT_TABLE}
        BEGIN SELECT RAISE(ABORT, '{CUT_TABLE} is append-only: UPDATE refused'); END""",
    "archive_trailcut_no_delete": f"""
        CREATE TRIGGER IF NOT EXISTS archive_trailcut_no_delete BEFORE DELETE ON {CUT_TABLE}
        WHEN NOT {_SQLITE_UNLOCKED}
        BEGIN SELECT RAISE(ABORT, '{CUT_TABLE} is append-only: DELETE refused'); END""",
}
# Triggers of earlier versions, dropped when the current ones are made.
SQLITE_FORMER_TRIGGERS = ("archive_event_no_delete",)


def sqlite_append_only_ensure(connection) -> None:
    """Create the SQLite triggers where missing: SQLite drops a table's triggers when a
    migration rebuilds the table, so this runs after every migrate as well."""
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for name in SQLITE_FORMER_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in SQLITE_TRIGGERS.values():
            if CUT_TABLE in statement and CUT_TABLE not in tables:
                # Before migration 0020 there are no cuts: the former trigger stands in.
                cursor.execute(f"""
                    CREATE TRIGGER IF NOT EXISTS archive_event_no_delete
                    BEFORE DELETE ON {EVENT_TABLE} WHEN NOT {_SQLITE_UNLOCKED}
                    BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE} is append-only: DELETE refused');
                    END""")
                continue
            cursor.execute(statement)


def sqlite_append_only_drop(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in (*SQLITE_TRIGGERS, *SQLITE_FORMER_TRIGGERS):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
