"""The officer's side of misuse alerts (issue #14.7): readers appear as pseudonyms until an
alert is opened, opening is logged, the review is "geprüft" or "unbegründet" with a note; the
page, the dashboard count and the command line; nobody else sees any of it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import Event
from archive.services.breakglass import break_glass_open
from oversight.models import Alert, AlertState
from oversight.pseudonyms import pseudonym
from oversight.services import alert_open, alert_review, alerts_for_officer, alerts_scan
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
REASON = "Vertretung im Eilfall, Kollegin erkrankt"


@pytest.fixture
def alert(demo):
    reader = user("sachbearbeitung-b")
    reader.first_name, reader.last_name = "Bernhard", "Zwiebelhuber"
    reader.save()
    for _ in range(3):
        break_glass_open(
            actor=acting(reader), file_reference=demo["A"].file_reference, reason=REASON
        )
    [raised] = alerts_scan(actor=system_actor("scheduler", "test"))
    return raised


def _client(username="datenschutz"):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_the_list_shows_a_pseudonym_and_the_trail_never_the_reader(alert):
    page = _client().get("/datenschutz/hinweise/").content.decode()
    assert pseudonym("sachbearbeitung-b") in page
    assert "sachbearbeitung-b" not in page and "Zwiebelhuber" not in page
    raised = Event.objects.get(action="alert_raised")
    assert "sachbearbeitung-b" not in json.dumps(raised.data)
    # the pseudonym is a keyed hash: stable, and different for another person
    assert pseudonym("sachbearbeitung-b") == pseudonym("sachbearbeitung-b")
    assert pseudonym("sachbearbeitung-a") != pseudonym("sachbearbeitung-b")


def test_opening_reveals_the_reader_and_is_logged(alert):
    before = Event.objects.filter(action="alert_opened").count()
    page = _client().get(f"/datenschutz/hinweise/{alert.pk}/").content.decode()
    assert "Bernhard Zwiebelhuber (sachbearbeitung-b)" in page
    opened = Event.objects.filter(action="alert_opened").latest("seq")
    assert Event.objects.filter(action="alert_opened").count() == before + 1
    assert opened.actor == "datenschutz" and opened.object_id == str(alert.pk)
    assert Alert.objects.get(pk=alert.pk).opened_by == "datenschutz"


def test_review_needs_opening_an_outcome_and_a_note(alert):
    officer = acting(user("datenschutz"))
    with pytest.raises(Conflict):
        alert_review(actor=officer, alert_id=alert.pk, outcome="unfounded", note="Eilfall")
    alert_open(actor=officer, alert_id=alert.pk)
    with pytest.raises(InvalidInput):
        alert_review(actor=officer, alert_id=alert.pk, outcome="vielleicht", note="x")
    with pytest.raises(InvalidInput):
        alert_review(actor=officer, alert_id=alert.pk, outcome="unfounded", note=" ")
    response = _client().post(
        f"/datenschutz/hinweise/{alert.pk}/pruefen",
        {"outcome": "unfounded", "note": "Eilfall, belegt"},
    )
    assert response.status_code == 302
    reviewed = Alert.objects.get(pk=alert.pk)
    assert (reviewed.state, reviewed.review_note, reviewed.reviewed_by) == (
        AlertState.UNFOUNDED,
        "Eilfall, belegt",
        "datenschutz",
    )
    assert (
        Event.objects.filter(action="alert_reviewed").latest("seq").data["outcome"] == "unfounded"
    )
    with pytest.raises(Conflict):
        alert_review(actor=officer, alert_id=alert.pk, outcome="confirmed", note="doch")
    # reviewed alerts leave the open list and the counts
    assert not alerts_for_officer(actor=officer, state=AlertState.OPEN).exists()


def test_the_dashboard_counts_open_alerts_for_the_officer_only(alert):
    assert "Hinweise auf Missbrauch (1 offen)" in _client().get("/datenschutz/").content.decode()
    home = _client().get("/").content.decode()
    assert "Hinweise auf Missbrauch zu prüfen" in home
    for username in ("sachbearbeitung-a", "sachbearbeitung-b"):
        assert "Hinweise auf Missbrauch" not in _client(username).get("/").content.decode()


@pytest.mark.parametrize(
    "username", ["sachbearbeitung-b", "sachbearbeitung-a", "admin", "poststelle"]
)
def test_nobody_else_sees_anything(alert, username):
    client = _client(username)
    assert client.get("/datenschutz/hinweise/").status_code == 404
    assert client.get(f"/datenschutz/hinweise/{alert.pk}/").status_code == 404
    assert (
        client.post(
            f"/datenschutz/hinweise/{alert.pk}/pruefen", {"outcome": "unfounded", "note": "x"}
        ).status_code
        == 404
    )
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    assert not Event.objects.filter(action="alert_opened").exists()
    with pytest.raises(NotFound):
        alert_open(actor=acting(user(username)), alert_id=alert.pk)


def _cli(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_line_scans_and_lists_pseudonymised(demo):
    for _ in range(3):
        break_glass_open(
            actor=acting(user("sachbearbeitung-b")),
            file_reference=demo["A"].file_reference,
            reason=REASON,
        )
    assert _cli("alerts", "scan").strip() == "1 new alert(s)."
    assert _cli("alerts", "scan").strip() == "0 new alert(s)."
    [line] = _cli("alerts", "list", "--user", "datenschutz", "--json").splitlines()
    record = json.loads(line)
    assert record["reader"] == pseudonym("sachbearbeitung-b") and record["state"] == "open"
    assert "sachbearbeitung-b" not in line
    with pytest.raises(CommandError):
        _cli("alerts", "list", "--user", "sachbearbeitung-a")
    with pytest.raises(CommandError):
        _cli("alerts", "rule", "bulk_previews", "--threshold", "5", "--user", "sachbearbeitung-a")
    assert "threshold 5" in _cli(
        "alerts", "rule", "bulk_previews", "--threshold", "5", "--user", "datenschutz"
    )
    assert Event.objects.filter(action="alert_rule_changed").exists()


def test_the_scan_is_scheduled():
    from django.conf import settings

    from oversight.tasks import scan_alerts

    assert settings.CELERY_BEAT_SCHEDULE["oversight-scan-alerts"]["task"] == scan_alerts.name
