"""Reports for the data-protection officer: who accessed case file X or anything concerning
person Y in a period, with purpose; everything user U did."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import NotFound
from archive.models import Event
from archive.services.access import document_read
from archive.services.breakglass import break_glass_open
from archive.services.reports import (
    Period,
    report_case_file,
    report_csv,
    report_person,
    report_user,
)
from tests.archive.helpers import file_document, trail_analysis_approved
from tests.conftest import user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PERIOD = Period(TODAY - timedelta(days=1), TODAY)


@pytest.fixture
def accesses(demo):
    document = file_document(demo["A"])
    document_read(user=user("sachbearbeitung-a"), document_id=document.pk,
                  purpose="Bearbeitung des Antrags")
    reason = "Vertretung, Bürger vorsprechend ohne Termin"
    break_glass_open(actor=acting(user("sachbearbeitung-b")),
                     file_reference=demo["A"].file_reference,
                     reason=reason)
    document_read(user=user("sachbearbeitung-b"), document_id=document.pk, purpose=reason)
    other = file_document(demo["B"], text="Anderer Fall")
    document_read(user=user("sachbearbeitung-b"), document_id=other.pk)
    return document, other


def _reads(events):
    return [(e.actor, e.clear_purpose) for e in events if e.action == "viewed"]


def test_who_accessed_a_case_file_with_purpose(demo, accesses):
    events = report_case_file(actor=acting(user("datenschutz")),
                              file_reference=demo["A"].file_reference,
                              period=PERIOD)
    assert _reads(events) == [("sachbearbeitung-a", "Bearbeitung des Antrags"),
                              ("sachbearbeitung-b", "Vertretung, Bürger vorsprechend ohne Termin")]
    assert any(e.action == "break_glass" for e in events)
    assert not any(e.object_id == str(accesses[1].pk) for e in events)  # B's own case


@pytest.mark.parametrize("person", ["Jürgen Müller", "müller", "K-104711"])
def test_everything_concerning_a_person(demo, accesses, person):
    events = report_person(actor=acting(user("datenschutz")), person=person, period=PERIOD)
    assert len(_reads(events)) == 2


def test_everything_a_user_did_and_csv(demo, accesses):
    trail_analysis_approved("sachbearbeitung-b", PERIOD.start, PERIOD.end)
    events = list(report_user(actor=acting(user("datenschutz")), username="sachbearbeitung-b",
                              period=PERIOD))
    assert {e.action for e in events} >= {"break_glass", "viewed"}
    assert all(e.actor == "sachbearbeitung-b" for e in events)
    rows = list(csv.reader(io.StringIO(report_csv(events).removeprefix("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["Nr.", "Zeitpunkt", "Wer", "Was", "Objekt", "Aktenzeichen",
                       "Betroffene Person", "Zweck", "Kanal", "Rolle", "Grundlage",
                       "Gezeigte Dokumente"]
    assert len(rows) == len(events) + 1
    assert {row[3] for row in rows[1:]} >= {"Notfallzugriff geöffnet", "angesehen"}


def test_a_period_before_the_accesses_is_empty(demo, accesses):
    old = Period(date(2020, 1, 1), date(2020, 12, 31))
    trail_analysis_approved("sachbearbeitung-b", old.start, old.end)
    assert list(report_user(actor=acting(user("datenschutz")), username="sachbearbeitung-b",
                            period=old)) == []


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "poststelle", "admin"])
def test_only_the_data_protection_officer_runs_reports(demo, accesses, username):
    with pytest.raises(NotFound):
        report_user(actor=acting(user(username)), username="sachbearbeitung-b", period=PERIOD)


def test_running_a_report_is_logged(demo, accesses):
    report_person(actor=acting(user("datenschutz")), person="Müller", period=PERIOD)
    logged = Event.objects.filter(action="report", actor="datenschutz").get()
    assert logged.clear_data["subject"] == "Müller"
