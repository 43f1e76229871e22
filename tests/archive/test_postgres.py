"""Guarantees that only PostgreSQL can give: parallel file references and an event log the
application's role cannot change."""
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, connections

from archive.actors import actor_for_user as acting
from archive.models import CaseFile, Event
from archive.services.casefiles import case_file_create
from archive.services.dbroles import app_role_restrict
from archive.services.events import event_append
from tests.conftest import user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'",
                       reason="needs PostgreSQL: set REGISTRATUR_TEST_DATABASE_URL"),
]
APP_ROLE = "registratur_app_test"


def test_fifty_parallel_case_files_get_fifty_distinct_references(demo_tx):
    template = demo_tx["A"]
    caseworker = user("sachbearbeitung-a")

    def create(number):
        try:
            return case_file_create(plan_unit=template.plan_unit, unit=template.unit,
                                    title=f"Parallel {number}",
                                    actor=acting(caseworker)).file_reference
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        references = list(pool.map(create, range(50)))
    assert len(set(references)) == 50
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert numbers == list(range(2, 52))  # the demo took number 1
    assert CaseFile.objects.filter(plan_unit=template.plan_unit).count() == 51


@pytest.fixture
def app_role_connection(transactional_db):
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        cursor.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                       f"TO {APP_ROLE}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    app_role_restrict(APP_ROLE)
    event_append(action="viewed", object_type="document", object_id=1, actor="a")
    conn = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           dbname=settings["NAME"], user=APP_ROLE, autocommit=True)
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
        cursor.execute(f"REVOKE ALL ON SCHEMA public FROM {APP_ROLE}")
        cursor.execute(f"DROP ROLE {APP_ROLE}")


@pytest.mark.parametrize("statement", [
    "UPDATE archive_event SET actor = 'x'",
    "DELETE FROM archive_event",
    "TRUNCATE archive_event",
])
def test_the_application_role_cannot_change_the_log(app_role_connection, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role_connection.execute(statement)
    assert Event.objects.filter(actor="a").count() == 1


def test_the_trigger_refuses_even_a_wrongly_granted_update(app_role_connection):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, DELETE ON archive_event TO {APP_ROLE}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        app_role_connection.execute("UPDATE archive_event SET actor = 'x'")
    assert "append-only" in str(refused.value)
    # Appending stays possible for the role.
    app_role_connection.execute("SELECT count(*) FROM archive_event")


def test_the_application_role_deletes_only_what_a_cut_names(app_role_connection):
    """Log retention (issue 14.2) runs as the application role: DELETE is granted, but the
    trigger lets through only entries a cut names, and the cuts are append-only."""
    seq = Event.objects.get(actor="a").seq
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        app_role_connection.execute("DELETE FROM archive_event WHERE seq = %s", [seq])
    app_role_connection.execute(
        "INSERT INTO archive_trailcut (removal_seq, first_seq, last_seq, last_hash) "
        "VALUES (%s, %s, %s, 'x')", [seq + 1, seq, seq])
    for statement in ("UPDATE archive_trailcut SET last_seq = last_seq + 1",
                      "DELETE FROM archive_trailcut", "TRUNCATE archive_trailcut",
                      "UPDATE archive_event SET actor = 'x'"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_role_connection.execute(statement)
    app_role_connection.execute("DELETE FROM archive_event WHERE seq = %s", [seq])
    assert not Event.objects.filter(actor="a").exists()
