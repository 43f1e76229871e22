"""Real OCR of scanned letters that quote no file reference (issue 11, point 12): sender,
subject, person and routing, with two people of the same name. Thomas Becker has two case
files (born 1975; born 1990 with a client number): his letter naming only himself waits for the
mailroom; one with his birth date, and the jobcenter's with his Kundennummer, are filed into
the right one."""
import pytest

from archive.models import Version
from ingest.classification.predict import forget_loaded
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from tests.conftest import sqlite_only
from tests.fixtures.letter_layouts import Text, lines_at, render_layout
from tests.ingest.classified_post import BECKER_NUMBER, two_beckers
from tests.ingest.scanned_layouts import citizen_letterhead_left

pytestmark = [sqlite_only, pytest.mark.django_db]
SUBJECT = "Widerspruch gegen den Bescheid vom 15.02.2026"


def jobcenter_to_becker() -> list[Text]:
    """The jobcenter writes to him: letterhead right, his client number in the information
    block, a subject without a label."""
    return [
        *lines_at(-20, 15, ["Jobcenter Leipzig"], size=70, font="sans-bold"),
        *lines_at(-20, 25, ["Georgiring 3", "04103 Leipzig"], size=36, font="sans"),
        Text(20, 48, "Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig", 30, "sans"),
        *lines_at(20, 56, ["Herrn", "Thomas Becker", "Mariannenstraße 5", "04315 Leipzig"]),
        *lines_at(125, 56, ["Datum: 02.03.2026", f"Kundennummer: {BECKER_NUMBER}",
                            "Telefon: 0341 913-10705"], size=40, font="sans"),
        Text(20, 105, "Anhörung zu einer Überzahlung", 46, "bold"),
        Text(20, 120, "Sehr geehrter Herr Becker,"),
        *lines_at(20, 132, ["ich beabsichtige, die Bewilligung ab dem 01.04.2026 aufzuheben.",
                            "Bevor ich entscheide, gebe ich Ihnen Gelegenheit zur",
                            "Stellungnahme bis zum 20.03.2026."]),
        *lines_at(20, 160, ["Mit freundlichen Grüßen", "Im Auftrag", "Hoffmann"]),
    ]


def _scan(tmp_path, name: str, texts: list[Text]):
    path = render_layout(tmp_path / f"{name}.png", texts)
    return job_run(job_receive(path=path, original_name=f"{name}.png", source="test").pk,
                   worker="test")


def test_scanned_post_of_two_people_of_one_name_is_routed_by_birth_date_and_number(
        demo, tmp_path, settings):
    settings.DATA_DIR = tmp_path  # no classifier model: the types' rules decide
    forget_loaded()
    beckers = two_beckers()

    by_name = _scan(tmp_path, "nur-name", citizen_letterhead_left())
    assert (by_name.document.sender, by_name.document.title) == ("Thomas Becker", SUBJECT)
    assert by_name.state == JobState.INBOX, by_name.suggestions["person"]
    person = by_name.suggestions["person"]
    assert person["name"] == "Thomas Becker" and person["candidates"] == 2
    assert person["file_reference"] is None
    assert Version.objects.get(document=by_name.document).provenance["route_unit"] == "A"
    assert by_name.document.document_type == "widerspruch"

    with_birth = _scan(tmp_path, "geburtsdatum", [
        *citizen_letterhead_left(), Text(20, 89, "Thomas Becker, geb. 12.11.1975")])
    assert with_birth.state == JobState.FILED, with_birth.suggestions["person"]
    assert with_birth.document.case_file == beckers["1975"]
    assert with_birth.document.title == SUBJECT

    jobcenter = _scan(tmp_path, "kundennummer", jobcenter_to_becker())
    assert jobcenter.state == JobState.FILED, jobcenter.suggestions["person"]
    assert jobcenter.document.case_file == beckers["1990"]
    assert jobcenter.document.sender == "Jobcenter Leipzig"
    assert jobcenter.document.title == "Anhörung zu einer Überzahlung"
    assert jobcenter.suggestions["person"]["reason"] == "Kundennummer"
    assert jobcenter.document.document_type == "anhoerung"
    forget_loaded()
