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
