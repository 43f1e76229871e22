"""The officer's overview checks only what was appended since the last verified entry; the
full check (daily task, `audit verify`) still catches a change to entries verified before, and
the page says when that full check last ran."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.models import AuditState, Event
from archive.services.dbroles import SQLITE_TRIGGERS
from archive.services.events import event_append, trail_status
from archive.tasks import verify_trail
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def trail_dirs(own_trail):
    """Checkpoints and signing key of this test's own trail (tests/conftest.py)."""


def _append(count: int):
    for number in range(count):
        event_append(action="viewed", object_type="document", object_id=number, actor="a")


def _officer() -> Client:
    client = Client()
    assert client.login(username="datenschutz", password=DEMO_PASSWORD)
    return client


def _tamper(seq: int):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("UPDATE archive_event SET actor = 'jemand' WHERE seq = %s", [seq])


def _shown_time() -> str:
    return timezone.localtime(AuditState.objects.get().full_checked_at).strftime("%d.%m.%Y %H:%M")


def test_a_page_load_after_the_full_check_reads_only_the_new_entries(demo):
    _append(200)
    client = _officer()
    first = client.get("/datenschutz/")
    total = Event.objects.count()
    # The very first load has nothing to build on and checks everything once.
    assert first.context["trail"].ok and first.context["trail"].newly_checked == total
    _append(3)
    second = client.get("/datenschutz/")
    trail = second.context["trail"]
    assert trail.ok and trail.newly_checked == 3
    # The page's own reads (login, the page view) are logged too and count as new next time.
    assert trail.checked == Event.objects.filter(seq__lte=trail.checked).count() >= total + 3
    html = second.content.decode()
    assert f"Zuletzt vollständig geprüft: {_shown_time()}" in html


def test_the_incremental_check_reads_no_more_than_it_needs(db):
    _append(300)
    assert trail_status().newly_checked == 300  # the first, full check
    _append(2)
    with CaptureQueriesContext(connection) as queries:
        status = trail_status()
    assert status.ok and status.newly_checked == 2
    reads = [q["sql"] for q in queries.captured_queries if "archive_event" in q["sql"]]
    # The last verified entry and the entries after it: never a scan from the start.
    assert len(reads) == 2 and all('"seq" >' in sql or '"seq" =' in sql for sql in reads)


def test_a_change_to_an_already_verified_entry_is_caught_by_the_full_check(demo):
    _append(20)
    client = _officer()
    assert client.get("/datenschutz/").context["trail"].ok
    _tamper(5)
    # The page checks only what is new: entry 5 was verified already.
    assert client.get("/datenschutz/").context["trail"].ok
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", stdout=out, stderr=err)
    assert "#5" in err.getvalue()
    page = client.get("/datenschutz/")
    assert not page.context["trail"].ok and page.context["trail"].first_bad_seq == 5
    assert "erster fehlerhafter Eintrag #5" in page.content.decode()


def test_the_daily_task_runs_the_full_check(db):
    _append(10)
    trail_status()
    _tamper(3)
    assert trail_status().ok  # not seen incrementally
    assert verify_trail() is False
    status = trail_status()
    assert not status.ok and status.first_bad_seq == 3 and status.newly_checked == 0


def test_a_changed_last_verified_entry_is_seen_on_the_next_page_load(db):
    _append(10)
    trail_status()
    _tamper(10)
    status = trail_status()
    assert not status.ok and status.first_bad_seq == 10
