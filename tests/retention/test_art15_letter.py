"""The Art. 15 report is a letter of the authority (issue #12.8): the letterhead from the
settings, the date and every access in local time and German format, German labels and objects
by name, the person's rights; PDF/A-2b; German even when the officer's pages are English."""
import io
import subprocess
from datetime import UTC, datetime

import pikepdf
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from archive.services.access import document_read
from archive.services.events import event_append
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _configured_language_afterwards():
    """A request in English leaves English active in this thread (LocaleMiddleware does not
    reset it); later tests in the process expect the configured language."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)

LATE = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Berlin


@pytest.fixture
def authority(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    settings.AUTHORITY_NAME = "Stadt Beispielhausen – Amt für Soziales"
    settings.AUTHORITY_ADDRESS = ["Marktplatz 7", "54321 Beispielhausen"]
    settings.AUTHORITY_CONTACT = ["Datenschutz: datenschutz@beispielhausen.example"]


def _letter(tmp_path, headers=None) -> tuple[bytes, str]:
    client = Client(**(headers or {}))
    assert client.login(username="datenschutz", password=DEMO_PASSWORD)
    response = client.get("/datenschutz/auskunft.pdf", {"person": "K-104711"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "auskunft.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return response.content, " ".join(text.split())


@pytest.fixture
def accesses(schedules):
    case_file = schedules["A"]
    document = file_document(case_file, title="Bewilligungsbescheid")
    document_read(user=user("sachbearbeitung-a"), document_id=document.pk,
                  purpose="Prüfung Weiterbewilligung")
    event_append(action="viewed", object_type="case_file", object_id=case_file.pk,
                 actor="sachbearbeitung-a", purpose="Silvesterdienst", at=LATE,
                 data={"file_reference": case_file.file_reference})
    return case_file


def test_the_letter_has_the_letterhead_local_times_and_german_labels(authority, accesses,
                                                                     tmp_path):
    data, text = _letter(tmp_path)
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as xmp:
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("2", "B")
    # letterhead and window line
    assert "Stadt Beispielhausen – Amt für Soziales" in text
    assert "Marktplatz 7" in text and "54321 Beispielhausen" in text
    assert "datenschutz@beispielhausen.example" in text
    # addressed by name, although asked for by client number
    assert "Jürgen Müller" in text
    assert "Auskunft über die Verarbeitung Ihrer personenbezogenen Daten" in text
    # the case file and its document
    assert f"Akte {accesses.file_reference}" in text and "Bewilligungsbescheid" in text
    # the accesses: local time, German labels, objects by name, purpose
    assert "01.01.2026 00:30" in text and "31.12.2025 23:30" not in text
    assert "angesehen" in text and "viewed" not in text and "case_file" not in text
    assert "Silvesterdienst" in text and "Prüfung Weiterbewilligung" in text
    assert "Dokument „Bewilligungsbescheid“" in text
    # the reader by role and unit, not by name (CJEU C-579/21; tests/retention/
    # test_art15_staff.py)
    assert "sachbearbeitung-a" not in text and "Sachbearbeitung" in text
    # the rights and the closing
    assert "Art. 77 DSGVO" in text and "Mit freundlichen Grüßen" in text


def test_the_letter_stays_german_when_the_pages_are_english(authority, accesses, tmp_path):
    _, text = _letter(tmp_path, {"HTTP_ACCEPT_LANGUAGE": "en"})
    assert "angesehen" in text and "viewed" not in text
    assert "Mit freundlichen Grüßen" in text


def test_a_person_without_accesses_gets_a_letter_saying_so(authority, schedules, tmp_path):
    _, text = _letter(tmp_path)
    assert "kein Zugriff aufgezeichnet" in text
