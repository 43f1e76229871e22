"""Recognition suggestions on letter text (pure logic): date, sender, subject; and the
configuration a deployment sets: the autofile threshold and the file reference pattern."""
from datetime import date

import pytest
from django.test import override_settings

from archive.models import Correspondent
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.steps.extract import suggest_date, suggest_sender, suggest_subject
from tests.conftest import sqlite_only
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letter_layouts import render_layout
from tests.ingest.scanned_layouts import LAYOUTS

LETTER = """Jürgen Müller · Grüner Weg 17 · 80331 München

Landeshauptstadt München
Sozialreferat

Rechnung vom 01.02.2026 liegt bei.
München, den 14.03.2026
Betreff: Antrag auf Übernahme der Heizkosten
"""


def test_date_with_context_wins_over_an_earlier_date():
    assert suggest_date(LETTER) == (date(2026, 3, 14), 0.9)
    assert suggest_date("Am 3. März 2026 erhalten")[0] == date(2026, 3, 3)
    assert suggest_date("31.02.2026 und 99.99.9999") == (None, 0.0)


def test_sender_from_the_return_address_line():
    assert suggest_sender(LETTER) == ("Jürgen Müller", 0.7)
    assert suggest_sender("Absender: Jobcenter Nord\nText")[0] == "Jobcenter Nord"
    assert suggest_sender("nur Text") == ("", 0.0)


def test_subject_or_a_low_confidence_fallback():
    assert suggest_subject(LETTER, "scan.pdf") == ("Antrag auf Übernahme der Heizkosten", 0.9)
    assert suggest_subject("ohne Betreffzeile", "scan.pdf") == ("scan.pdf", 0.2)


def _ingest(tmp_path, name: str, lines: list[str]):
    path = born_digital_pdf(tmp_path / name, lines)
    return job_run(job_receive(path=path, original_name=name, source="test").pk, worker="test")


@pytest.mark.django_db
def test_the_autofile_threshold_moves_post_between_case_file_and_inbox(demo, tmp_path):
    own, other = demo["A"], demo["B"]
    one = ["Antrag auf Wohngeld", f"Aktenzeichen {own.file_reference}"]
    two = ["Widerspruch", f"Az. {own.file_reference} und {other.file_reference}"]
    assert _ingest(tmp_path, "eins.pdf", one).state == JobState.FILED  # 0.95 >= 0.8
    assert _ingest(tmp_path, "zwei.pdf", two).state == JobState.INBOX  # 0.5 < 0.8
    with override_settings(INGEST_AUTOFILE_CONFIDENCE=0.99):
        strict = _ingest(tmp_path, "eins-streng.pdf", [*one, "streng"])
    assert strict.state == JobState.INBOX  # the same recognition, a stricter threshold
    assert strict.suggestions["file_reference"]["confidence"] == 0.95
    with override_settings(INGEST_AUTOFILE_CONFIDENCE=0.4):
        lenient = _ingest(tmp_path, "zwei-locker.pdf", [*two, "locker"])
    assert lenient.state == JobState.FILED and lenient.document.case_file == own


@pytest.mark.django_db
def test_a_custom_file_reference_pattern_is_honoured(demo, tmp_path):
    case_file = demo["A"]
    plan, year, number = case_file.file_reference.rsplit("-", 2)
    lines = ["Schreiben des Jobcenters", f"Gesch.-Z. {plan}/{year}/{number}"]
    assert _ingest(tmp_path, "jobcenter.pdf", lines).state == JobState.INBOX  # default: unseen
    pattern = r"Gesch\.-Z\.\s*([\d.]+)/(\d{4})/(\d{6})"
    with override_settings(FILE_REFERENCE_PATTERN=pattern):
        job = _ingest(tmp_path, "jobcenter-2.pdf", [*lines, "Zweitschrift"])
    assert job.state == JobState.FILED, job.suggestions
    assert job.document.case_file == case_file
    assert job.suggestions["file_reference"]["found"] == [case_file.file_reference]


@pytest.mark.django_db
def test_the_pipeline_suggests_the_document_type_with_its_process(demo, tmp_path):
    lines = ["Jobcenter Leipzig - Georgiring 3 - 04103 Leipzig", "", "Widerspruchsbescheid",
             "", "Sehr geehrte Frau Krause,",
             "Ihr Widerspruch wird als unbegründet zurückgewiesen."]
    suggestion = _ingest(tmp_path, "wb.pdf", lines).suggestions["document_type"]
    assert suggestion["value"] == "widerspruchsbescheid"
    assert suggestion["process"] == "Widerspruchsverfahren"
    assert suggestion["confidence"] >= 0.6
    assert "„Widerspruchsbescheid“" in suggestion["reason"][0]


@sqlite_only
@pytest.mark.django_db
def test_scanned_letters_of_three_layouts_get_their_sender_and_subject(demo, tmp_path):
    """Real OCR of skewed, noisy 300-dpi scans: letterhead right with a return-address line
    (an authority), letterhead left with "Betreff:" (a citizen), letterhead left with an
    organisation in the window (a court writing to the jobcenter)."""
    for name, (layout, sender, subject) in LAYOUTS.items():
        path = render_layout(tmp_path / f"{name}.pdf", layout())
        job = job_run(job_receive(path=path, original_name=f"{name}.pdf", source="test").pk,
                      worker="test")
        assert job.state == JobState.INBOX, (name, job.message)
        assert (job.document.sender, job.document.title) == (sender, subject), \
            (name, job.suggestions)
    assert set(Correspondent.objects.values_list("name", flat=True)) == {
        "Jobcenter Leipzig", "Sozialgericht Leipzig"}  # organisations, not the citizen
