"""The Art. 15 report names staff only where indispensable (issue #14.6, CJEU C-579/21): by
default each access names the reader's role and unit, never the person, in the letter and in
its CSV; the officer may name staff with a reason, which the report's trail entry records. The
person is found by name, birth date or client number; documents are listed with type, date
and sender."""

import subprocess
from datetime import date

import pytest
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput, NotFound
from archive.models import Event
from archive.services.access import document_read
from retention.services.subject_access import (
    StaffNaming,
    subject_access_csv,
    subject_access_report,
)
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_by_named_staff(schedules):
    """A's file read by a caseworker with a full name, on behalf of a named colleague."""
    reader = user("sachbearbeitung-a")
    reader.first_name, reader.last_name = "Annegret", "Kowalczyk"
    reader.save()
    officer = user("datenschutz")
    officer.first_name, officer.last_name = "Dietlinde", "Hasselbrink"
    officer.save()
    case_file = schedules["A"]
    document = file_document(case_file, title="Bewilligungsbescheid")
    document.sender, document.document_type = "Jobcenter Leipzig", "bescheid"
    document.letter_date = date(2026, 3, 14)
    document.save()
    document_read(user=reader, document_id=document.pk, purpose="Vertretung für Annegret Kowalczyk")
    return case_file


def _pdf_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "auskunft.pdf"
    path.write_bytes(data)
    return " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


STAFF_TOKENS = (
    "sachbearbeitung-a",
    "Kowalczyk",
    "Annegret",
    "datenschutz ",
    "Hasselbrink",
    "Dietlinde",
)


def test_by_default_neither_letter_nor_csv_names_staff(read_by_named_staff, tmp_path):
    officer = acting(user("datenschutz"))
    text = _pdf_text(tmp_path, subject_access_report(actor=officer, person="K-104711"))
    csv = subject_access_csv(actor=officer, person="K-104711")
    for token in STAFF_TOKENS:
        assert token not in text, token
        assert token not in csv, token
    # who read it: role and unit instead
    unit = read_by_named_staff.unit.name
    assert "Sachbearbeitung" in text and unit in " ".join(text.split())
    assert f"Sachbearbeitung, {unit}" in csv
    # the purpose stays, with the colleague's name taken out
    assert "Vertretung für [Beschäftigte(r)]" in csv


def test_documents_are_listed_with_type_date_and_sender(read_by_named_staff, tmp_path):
    officer = acting(user("datenschutz"))
    text = _pdf_text(tmp_path, subject_access_report(actor=officer, person="Jürgen Müller"))
    assert "Bewilligungsbescheid" in text and "Jobcenter Leipzig" in text
    assert "14.03.2026" in text and "Bescheid" in text
    csv = subject_access_csv(actor=officer, person="Jürgen Müller")
    row = next(line for line in csv.splitlines() if "Bewilligungsbescheid" in line)
    assert row.split(";")[:6] == [
        "Dokument",
        "14.03.2026",
        read_by_named_staff.file_reference,
        "Bewilligungsbescheid",
        "Bescheid",
        "Jobcenter Leipzig",
    ]


@pytest.mark.parametrize("key", ["Jürgen Müller", "12.04.1968", "1968-04-12", "K-104711"])
def test_the_person_is_found_by_name_birth_date_or_client_number(read_by_named_staff, key):
    csv = subject_access_csv(actor=acting(user("datenschutz")), person=key)
    assert read_by_named_staff.file_reference in csv
    # someone else's birth date finds nothing of this file
    other = subject_access_csv(actor=acting(user("datenschutz")), person="01.01.1990")
    assert read_by_named_staff.file_reference not in other


def test_naming_staff_needs_a_reason_and_is_logged(read_by_named_staff, tmp_path):
    officer = acting(user("datenschutz"))
    with pytest.raises(InvalidInput):
        subject_access_report(
            actor=officer, person="K-104711", naming=StaffNaming(named=True, reason=" ")
        )
    text = _pdf_text(
        tmp_path,
        subject_access_report(
            actor=officer,
            person="K-104711",
            naming=StaffNaming(named=True, reason="Verdacht unbefugter Kenntnisnahme"),
        ),
    )
    assert "Kowalczyk" in text and "sachbearbeitung-a" in text
    report = Event.objects.filter(action="report").latest("seq")
    assert report.data["staff_named"] is True
    assert report.data["staff_reason"] == "Verdacht unbefugter Kenntnisnahme"
    subject_access_csv(actor=officer, person="K-104711")
    assert Event.objects.filter(action="report").latest("seq").data["staff_named"] is False


@pytest.mark.parametrize("path", ["/datenschutz/auskunft.pdf", "/datenschutz/auskunft.csv"])
def test_pages_default_to_unnamed_and_refuse_other_roles(read_by_named_staff, path):
    client = Client()
    assert client.login(username="datenschutz", password=DEMO_PASSWORD)
    response = client.get(path, {"person": "K-104711"})
    assert response.status_code == 200
    if path.endswith(".csv"):
        body = response.content.decode()
        assert "Kowalczyk" not in body and "sachbearbeitung-a" not in body
        named = client.get(
            path,
            {"person": "K-104711", "staff": "1", "staff_reason": "Beschwerde über einen Zugriff"},
        )
        assert "sachbearbeitung-a" in named.content.decode()
    for username in ("sachbearbeitung-b", "sachbearbeitung-a"):
        other = Client()
        assert other.login(username=username, password=DEMO_PASSWORD)
        assert other.get(path, {"person": "K-104711"}).status_code == 404
    with pytest.raises(NotFound):
        subject_access_csv(actor=acting(user("sachbearbeitung-b")), person="K-104711")
