"""The officer's page shows the log retention in German, and a staff member's activity
report goes through the four-eyes pages: the officer asks, the administrator approves, and
only then does the report open (issue 14.2)."""
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import system_actor
from archive.checkpoints import checkpoint_write
from archive.models import Event, TrailAnalysis
from archive.services.events import event_append
from archive.services.log_retention import trail_segments_remove
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trail_dirs(own_trail, settings):
    settings.TRAIL_KEEP_ACCESS_DAYS = 30
    settings.TRAIL_KEEP_SEARCH_DAYS = 0
    settings.TRAIL_KEEP_ADMIN_DAYS = 3650


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_the_officers_page_shows_the_log_retention_in_german(demo):
    page = _client("datenschutz").get("/datenschutz/").content.decode()
    section = page.split('id="log-retention"', 1)[1].split("</section>", 1)[0]
    assert "Zugriffe und Anmeldungen: 30 Tage" in section
    assert "Suchanfragen: unbegrenzt" in section
    assert "Verwaltung und Aktengeschichte: 3650 Tage" in section
    assert "Bisher wurde nichts aus dem Protokoll gelöscht." in section
    assert "Ältester erhaltener Eintrag: #1 vom" in section

    old = datetime.combine(timezone.localdate() - timedelta(days=90), time(12),
                           tzinfo=timezone.get_current_timezone())
    event_append(action="viewed", object_type="document", object_id=4711, actor="x", at=old)
    checkpoint_write()
    event_append(action="viewed", object_type="document", object_id=4712, actor="x")
    checkpoint_write()
    # The demo's own entries are today's; only the old read is due.
    removal = trail_segments_remove(actor=system_actor("scheduler", "log_retention"))
    assert removal.count == 1
    page = _client("datenschutz").get("/datenschutz/").content.decode()
    when = timezone.localtime(Event.objects.get(seq=removal.removal_seq).at)
    assert (f"Zuletzt gelöscht am {when:%d.%m.%Y %H:%M}: 1 Einträge aus #{removal.seqs[0]} "
            f"bis #{removal.seqs[0]}.") in page
    due = timezone.localdate() + timedelta(days=31)
    assert f"Nächste Löschung fällig ab {due:%d.%m.%Y}" in page
    assert "Protokoll unverändert" in page


def test_four_eyes_on_the_pages(demo):
    today = timezone.localdate().isoformat()
    report = {"kind": "user", "subject": "sachbearbeitung-a", "start": today, "end": today}
    officer, admin = _client("datenschutz"), _client("admin")
    refused = officer.get("/datenschutz/bericht/", report)
    assert refused.status_code == 403
    assert "Vier-Augen-Prinzip" in refused.content.decode()
    assert "TRAIL_ANALYSIS_NOT_APPROVED" in refused.content.decode()

    officer.post("/datenschutz/auswertungen/beantragen", {
        "subject": "sachbearbeitung-a", "start": today, "end": today,
        "reason": "Hinweis auf Missbrauch vom Montag"})
    analysis = TrailAnalysis.objects.get()
    page = officer.get("/datenschutz/auswertungen/").content.decode()
    assert "Hinweis auf Missbrauch vom Montag" in page and "beantragt" in page
    assert not re.search(r'value="approve"', page)  # the officer cannot approve their own
    assert "genehmigen" in admin.get("/datenschutz/auswertungen/").content.decode()
    admin.post(f"/datenschutz/auswertungen/{analysis.pk}/entscheiden", {"decision": "approve"})
    assert TrailAnalysis.objects.get().state == TrailAnalysis.State.APPROVED

    assert officer.get("/datenschutz/bericht/", report).status_code == 200
    assert Event.objects.get(action="report").clear_data["approval"] == analysis.pk
    # Another caseworker sees nothing of it.
    assert _client("sachbearbeitung-b").get("/datenschutz/auswertungen/").status_code == 404
