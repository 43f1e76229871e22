"""Whom a letter concerns: name, birth date and client number found in the text and matched
against the case files' covers; two people of the same name are told apart or not guessed."""
from datetime import date

import pytest
from django.utils import timezone

from archive.actors import system_actor
from archive.models import CaseFile, FilePlanUnit, Unit
from archive.services.casefiles import case_file_create
from ingest.recognition.persons import case_file_for_letter, find_person
from tests.ingest.german_letters import ANHOERUNG, ATTEST, BESCHEID, MELDEBESCHEINIGUNG


def test_the_person_is_read_from_window_labels_and_birth_lines():
    bescheid = find_person(BESCHEID)
    assert bescheid.names == ["Sabine Krause"]
    assert bescheid.client_numbers == ["25301BG0012345"]
    anhoerung = find_person(ANHOERUNG)
    assert anhoerung.names == ["Thomas Becker"] and anhoerung.surnames == ["Becker"]
    assert anhoerung.client_numbers == ["253D001234"]
    assert find_person(ATTEST).birth_dates == [date(1988, 7, 4)]
    melde = find_person(MELDEBESCHEINIGUNG)  # "Familienname: / Vornamen:" on a form
    assert melde.names == ["Thomas Becker"] and melde.birth_dates == [date(1975, 11, 12)]
    # the author of a medical certificate is not the person concerned
    assert "Katrin Vogel" not in " ".join(find_person(ATTEST).names)


@pytest.fixture
def covers(demo):
    plan, unit = FilePlanUnit.objects.filter(children__isnull=True).first(), Unit.objects.get(
        code="A")

    def cover(name, born=None, number=""):
        return case_file_create(plan_unit=plan, unit=unit, title=f"SGB II {name}",
                                actor=system_actor("system", "test"),
                                subject_name=name, subject_birth_date=born,
                                client_number=number)

    return {
        "krause": cover("Sabine Krause", date(1988, 7, 4), "25301BG0012345"),
        "becker-1975": cover("Thomas Becker", date(1975, 11, 12)),
        "becker-1990": cover("Thomas Becker", date(1990, 2, 1)),
    }


@pytest.mark.django_db
def test_the_client_number_decides_alone(covers):
    found = case_file_for_letter(BESCHEID)
    assert (found.case_file, found.reason) == (covers["krause"], "Kundennummer")
    # spaces and slashes inside the number do not matter
    assert case_file_for_letter("BG-Nummer: 25301 BG 0012345").case_file == covers["krause"]


@pytest.mark.django_db
def test_a_name_alone_finds_the_one_person_of_that_name(covers):
    text = "Frau\nSabine Krause\nEisenbahnstraße 12\n04315 Leipzig\n\nSehr geehrte Frau Krause,"
    found = case_file_for_letter(text)
    assert (found.case_file, found.reason) == (covers["krause"], "Name")
    # a birth date that contradicts the cover is another person
    assert case_file_for_letter(text + "\ngeb. 01.01.1950").case_file is None


@pytest.mark.django_db
def test_two_people_of_the_same_name_need_the_birth_date(covers):
    # the Anhörung names Thomas Becker, without a birth date: two files fit, none is chosen
    assert case_file_for_letter(ANHOERUNG) == (None, 0.0,
                                               "mehrere Akten passen zu Name und Angaben")
    # the Meldebescheinigung carries his birth date: that singles him out
    found = case_file_for_letter(MELDEBESCHEINIGUNG)
    assert (found.case_file, found.reason) == (covers["becker-1975"], "Name und Geburtsdatum")


@pytest.mark.django_db
def test_closed_files_are_no_destination(covers):
    CaseFile.objects.filter(pk=covers["becker-1990"].pk).update(closed_at=timezone.now())
    assert case_file_for_letter(ANHOERUNG).case_file == covers["becker-1975"]
