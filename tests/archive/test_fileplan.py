"""A file plan unit names an existing retention schedule: checked on creation, on change and
on reactivation, by the service, the page and the command line; case files are created only in
units with one, and the system check stays green after anything the form accepts."""
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput
from archive.models import FilePlanUnit
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_create
from archive.services.fileplan import plan_unit_create, plan_unit_update
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _schedule_errors():
    return [e for e in run_checks(databases=["default"]) if e.id == "retention.E001"]


def _admin():
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("schedule, code", [("10 Jahre", "PLAN_SCHEDULE_UNKNOWN"),
                                            ("", "PLAN_SCHEDULE_MISSING")])
def test_a_unit_is_created_only_with_an_existing_schedule(demo, schedule, code):
    parent = FilePlanUnit.objects.get(code="50.20")
    with pytest.raises(InvalidInput) as refused:
        plan_unit_create(actor=acting(user("admin")), code="50.20.2", title="Beihilfen",
                         parent=parent, retention_schedule=schedule)
    assert refused.value.code == code and "Aufbewahrungsfrist" in refused.value.message
    assert not FilePlanUnit.objects.filter(code="50.20.2").exists()
    unit = plan_unit_create(actor=acting(user("admin")), code="50.20.2", title="Beihilfen",
                            parent=parent, retention_schedule="SGB-10J-ZDA")
    assert unit.retention_schedule == "SGB-10J-ZDA" and _schedule_errors() == []


def test_changing_the_schedule_is_checked_and_logged_with_old_and_new(demo):
    unit = FilePlanUnit.objects.get(code="50.20.1")
    with pytest.raises(InvalidInput) as refused:
        plan_unit_update(actor=acting(user("admin")), plan_unit=unit, retention_schedule="10 Jahre")
    assert refused.value.code == "PLAN_SCHEDULE_UNKNOWN"
    unit.refresh_from_db()
    assert unit.retention_schedule == "SGB-10J-ZDA"
    plan_unit_update(actor=acting(user("admin")), plan_unit=unit,
                     retention_schedule="SGB-10J-ZDA-ANBIETEN")
    changed = events_for_object("plan_unit", unit.pk).get(action="schedule_changed")
    assert changed.actor == "admin"
    assert changed.data["changes"] == {"retention_schedule": ["SGB-10J-ZDA",
                                                              "SGB-10J-ZDA-ANBIETEN"]}


def test_no_case_file_in_a_unit_without_a_valid_schedule(demo):
    unit = FilePlanUnit.objects.get(code="50.20.1")
    FilePlanUnit.objects.filter(pk=unit.pk).update(retention_schedule="10 Jahre")  # legacy row
    unit.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        case_file_create(plan_unit=unit, unit=demo["A"].unit, title="Neu",
                         actor=acting(user("sachbearbeitung-a")))
    assert refused.value.code == "PLAN_SCHEDULE_UNKNOWN"
    assert "Aufbewahrungsfrist" in refused.value.message
    assert unit.case_files.count() == 1  # only the demo's


def test_a_unit_without_a_valid_schedule_is_not_reactivated(demo):
    unit = FilePlanUnit.objects.get(code="50.20.1")
    plan_unit_update(actor=acting(user("admin")), plan_unit=unit, active=False)
    FilePlanUnit.objects.filter(pk=unit.pk).update(retention_schedule="10 Jahre")
    unit.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        plan_unit_update(actor=acting(user("admin")), plan_unit=unit, active=True)
    assert refused.value.code == "PLAN_SCHEDULE_UNKNOWN"
    plan_unit_update(actor=acting(user("admin")), plan_unit=unit, retention_schedule="SGB-10J-ZDA")
    plan_unit_update(actor=acting(user("admin")), plan_unit=unit, active=True)
    assert _schedule_errors() == []


def test_the_form_offers_the_schedules_and_gives_bad_input_back(demo):
    client = _admin()
    page = client.get("/aktenplan/").content.decode()
    assert '<select name="retention_schedule"' in page
    assert '<option value="SGB-10J-ZDA-ANBIETEN"' in page
    refused = client.post("/aktenplan/neu", {"code": "50.20.3", "title": "Beihilfen",
                                             "retention_schedule": "10 Jahre"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Die Aufbewahrungsfrist „10 Jahre“ gibt es nicht" in body
    assert 'value="50.20.3"' in body  # what was entered comes back
    assert not FilePlanUnit.objects.filter(code="50.20.3").exists()
    assert _schedule_errors() == []
    taken = client.post("/aktenplan/neu", {"code": "50.20.1", "title": "Doppelt",
                                           "retention_schedule": "SGB-10J-ZDA"})
    assert taken.status_code == 400 and "PLAN_CODE_TAKEN" in taken.content.decode()
    created = client.post("/aktenplan/neu", {"code": "50.20.3", "title": "Beihilfen",
                                             "retention_schedule": "SGB-10J-ZDA"})
    assert created.status_code == 302
    assert FilePlanUnit.objects.get(code="50.20.3").retention_schedule == "SGB-10J-ZDA"
    assert _schedule_errors() == []


def test_the_page_changes_a_units_schedule(demo):
    client = _admin()
    unit = FilePlanUnit.objects.get(code="50.20.1")
    refused = client.post(f"/aktenplan/{unit.pk}/frist", {"retention_schedule": "10 Jahre"},
                          follow=True)
    assert "gibt es nicht" in refused.content.decode()
    unit.refresh_from_db()
    assert unit.retention_schedule == "SGB-10J-ZDA"
    client.post(f"/aktenplan/{unit.pk}/frist", {"retention_schedule": "SGB-10J-ZDA-ANBIETEN"})
    unit.refresh_from_db()
    assert unit.retention_schedule == "SGB-10J-ZDA-ANBIETEN"
    # A caseworker cannot, and learns nothing about the unit.
    other = Client()
    assert other.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert other.post(f"/aktenplan/{unit.pk}/frist",
                      {"retention_schedule": "SGB-10J-ZDA"}).status_code == 404
    unit.refresh_from_db()
    assert unit.retention_schedule == "SGB-10J-ZDA-ANBIETEN"


def _cli(*args):
    out = StringIO()
    call_command("fileplan", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_line_creates_and_changes_only_with_existing_schedules(demo):
    with pytest.raises(CommandError, match="PLAN_SCHEDULE_UNKNOWN"):
        _cli("create", "50.20.4", "Beihilfen", "--schedule", "10 Jahre", "--user", "admin")
    assert not FilePlanUnit.objects.filter(code="50.20.4").exists()
    _cli("create", "50.20.4", "Beihilfen", "--schedule", "SGB-10J-ZDA", "--user", "admin")
    with pytest.raises(CommandError, match="PLAN_SCHEDULE_UNKNOWN"):
        _cli("set-schedule", "50.20.4", "10 Jahre", "--user", "admin")
    assert '"retention_schedule": "SGB-10J-ZDA-ANBIETEN"' in _cli(
        "set-schedule", "50.20.4", "SGB-10J-ZDA-ANBIETEN", "--user", "admin")
    unit = FilePlanUnit.objects.get(code="50.20.4")
    assert unit.retention_schedule == "SGB-10J-ZDA-ANBIETEN"
    changed = events_for_object("plan_unit", unit.pk).get(action="schedule_changed").data
    assert changed["changes"] == {"retention_schedule": ["SGB-10J-ZDA", "SGB-10J-ZDA-ANBIETEN"]}
    assert changed["via"]["channel"] == "cli"
    assert "SGB-10J-ZDA-ANBIETEN" in _cli("schedules")
    assert _schedule_errors() == []
