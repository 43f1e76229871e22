"""Legal dates are local (Europe/Berlin). At 23:30 UTC on 31 December it is already 1 January
in Berlin: the zdA, the file reference's year, what is due, the residual record and the Art. 15
report all take the local date. The clock is set by patching django.utils.timezone.now, which
every one of these reads."""
from datetime import UTC, date, datetime

import pypdfium2
import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.models import CaseFile
from archive.services.casefiles import case_file_close, case_file_create
from archive.services.destruction import case_files_destroy
from archive.services.fileplan import plan_unit_update
from retention.models import CaseFileRetention, RetentionSchedule
from retention.services.disposal import retention_due
from retention.services.subject_access import subject_access_report
from tests.archive.helpers import file_document
from tests.conftest import user

pytestmark = pytest.mark.django_db

LATE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Berlin


@pytest.fixture
def late_evening(monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    monkeypatch.setattr("django.utils.timezone.now", lambda: LATE)
    assert timezone.localdate() == date(2027, 1, 1)  # the premise of every test here


def _end(case_file):
    return CaseFileRetention.objects.get(case_file=case_file).end


def test_the_zda_at_2330_utc_counts_from_the_local_date(schedules, late_evening):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    # 10 years after zdA to the end of the year: from 1 January 2027, not 31 December 2026.
    assert _end(case_file) == date(2037, 12, 31)
    RetentionSchedule.objects.create(key="KURZ-2J", name="kurz", trigger="closed", years=2,
                                     action="destroy", legal_basis="§ 84 SGB X")
    plan_unit_update(actor=acting(user("admin")), plan_unit=case_file.plan_unit,
                     retention_schedule="KURZ-2J")
    assert _end(case_file) == date(2029, 1, 1)


def test_the_received_trigger_takes_the_local_date(schedules, late_evening):
    RetentionSchedule.objects.create(key="EINGANG-1J", name="Eingang", trigger="received",
                                     years=1, action="review", legal_basis="§ 84 SGB X")
    plan_unit_update(actor=acting(user("admin")), plan_unit=schedules["A"].plan_unit,
                     retention_schedule="EINGANG-1J")
    file_document(schedules["A"], text="Brief zum Jahreswechsel")
    assert _end(schedules["A"]) == date(2028, 1, 1)


def test_the_file_reference_takes_the_local_year(schedules, late_evening):
    case_file = case_file_create(plan_unit=schedules["A"].plan_unit, unit=schedules["A"].unit,
                                 title="Neujahr", actor=acting(user("sachbearbeitung-a")))
    assert "-2027-" in case_file.file_reference


def test_an_end_of_31_december_is_due_once_it_is_1_january_locally(schedules, late_evening):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    CaseFileRetention.objects.filter(case_file=case_file).update(
        override_end=date(2026, 12, 31), override_reason="Test")
    assert [item.case_file.pk for item in retention_due()] == [case_file.pk]


def test_the_residual_record_keeps_local_dates(schedules, late_evening):
    case_file = schedules["A"]
    file_document(case_file, text="Bescheid")
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    approval = {"list": "1", "proposed_by": "datenschutz", "approved_by": "datenschutz-2"}
    residuals = case_files_destroy(case_file_ids=[case_file.pk], approval=approval,
                                   actor=system_actor("scheduler"))
    assert residuals["case_files"][0]["closed_at"] == "2027-01-01"
    assert residuals["documents"][0]["received_at"] == "2027-01-01"
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is not None


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_the_art_15_report_shows_local_dates_and_times(schedules, late_evening):
    file_document(schedules["A"], text="Antrag zum Jahreswechsel", title="Antrag Neujahr")
    text = _pdf_text(subject_access_report(actor=acting(user("datenschutz")), person="Müller"))
    assert "eingegangen am 01.01.2027" in text
    assert "31.12.2026" not in text
