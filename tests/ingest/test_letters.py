"""Sender and subject read as a person reads a letter: the letterhead or the return-address
line above the window is the sender, never the recipient in the window; the subject is the
emphasised line before the salutation, with or without "Betreff:"."""
import pytest

from ingest.recognition.letters import letter_sender, letter_subject, return_address
from tests.ingest.german_letters import ATTEST, MELDEBESCHEINIGUNG, SOZIALGERICHT, WIDERSPRUCH

LETTERHEAD_RIGHT_AS_OCR_READS_IT = """Jobcenter Leipzig
Georgiring 3

04103 Leipzig.

Jobcenter Leipzig : Georgiring 3 : 04103 Leipzig

Frau

Sabine Krause

Datum: 02.02.2026

Team 412

Eisenbahnstraße 12

Telefon: 0341 913-10705

04315 Leipzig

Bewilligung von Leistungen nach dem SGB II

Sehr geehrte Frau Krause,

auf Ihren Antrag vom 12.01.2026 bewillige ich Ihnen Leistungen.
"""

# The right-hand letterhead read after the window, and no return-address line.
LETTERHEAD_AFTER_THE_WINDOW = """Herrn
Thomas Becker
Mariannenstraße 5
04315 Leipzig

Landratsamt Nordsachsen
Sozialamt
Dr.-Belian-Straße 4
04838 Eilenburg

Eilenburg, 12.03.2026
Unser Zeichen: 50-123

Einstellung der Hilfe zur Pflege

Sehr geehrter Herr Becker,
"""

CITIZEN_WITH_BETREFF = """Thomas Becker
Mariannenstraße 5
04315 Leipzig

Stadt Leipzig
Sozialamt
Prager Straße 21
04103 Leipzig
Leipzig, den 03.03.2026

Betreff: Widerspruch gegen den Bescheid vom 15.02.2026
Sehr geehrte Damen und Herren,
"""

ONLY_THE_RECIPIENT = """Jobcenter Leipzig
Georgiring 3
04103 Leipzig

Leipzig, 20.02.2026

Sehr geehrte Damen und Herren,

bitte senden Sie mir die Unterlagen erneut zu.

Mit freundlichen Grüßen

Sabine Krause
"""


@pytest.mark.parametrize("text, sender, subject", [
    (LETTERHEAD_RIGHT_AS_OCR_READS_IT, "Jobcenter Leipzig",
     "Bewilligung von Leistungen nach dem SGB II"),
    (LETTERHEAD_AFTER_THE_WINDOW, "Landratsamt Nordsachsen", "Einstellung der Hilfe zur Pflege"),
    (CITIZEN_WITH_BETREFF, "Thomas Becker", "Widerspruch gegen den Bescheid vom 15.02.2026"),
    (WIDERSPRUCH, "Sabine Krause", "Widerspruch gegen den Bescheid vom 02.02.2026"),
    (SOZIALGERICHT, "Sozialgericht Leipzig", "Sabine Krause ./. Jobcenter Leipzig"),
])
def test_sender_and_subject_of_each_layout(text, sender, subject):
    assert letter_sender(text).value == sender
    assert letter_subject(text).value == subject


def test_letterhead_and_return_line_agreeing_are_nearly_certain():
    found = letter_sender(LETTERHEAD_RIGHT_AS_OCR_READS_IT)
    assert found.confidence == 0.9 and found.reason == "Briefkopf und Rücksendeangabe"
    # the recipient in the window is never the sender
    assert "Krause" not in found.value


def test_the_recipient_is_never_the_sender_even_when_it_comes_first():
    assert letter_sender(LETTERHEAD_AFTER_THE_WINDOW).value != "Thomas Becker"
    # only the recipient above the salutation: the signature names the sender
    only = letter_sender(ONLY_THE_RECIPIENT)
    assert only.value == "Sabine Krause" and only.confidence == 0.5


@pytest.mark.parametrize("line, name", [
    ("Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig", "Jobcenter Leipzig"),
    ("Jobcenter Leipzig : Georgiring 3 : 04103 Leipzig", "Jobcenter Leipzig"),  # OCR's dots
    ("Jobcenter Leipzig - Team 412 - Georgiring 3 - 04103 Leipzig", "Jobcenter Leipzig"),
    ("Jobcenter Leipzig Georgiring 3 04103 Leipzig", "Jobcenter Leipzig"),  # dots lost
    ("Sozialgericht Leipzig, Berliner Straße 10, 04105 Leipzig", "Sozialgericht Leipzig"),
    ("Stadt Leipzig · Stadtkasse · 04092 Leipzig", "Stadt Leipzig"),
    ("Berliner Straße 10, 04105 Leipzig", ""),  # a letterhead's address line names no one
    ("Anschrift: Mariannenstraße 5, 04315 Leipzig", ""),  # a label
    ("Frau Sabine Krause · Eisenbahnstraße 12 · 04315 Leipzig", ""),  # the recipient
])
def test_return_address_lines(line, name):
    assert return_address(line) == name


def test_a_sender_label_wins():
    assert letter_sender("Absender: Familienkasse Sachsen\n\nSehr geehrte Frau Krause,") \
        == ("Familienkasse Sachsen", 0.9, "Absenderangabe")


def test_subject_without_label_skips_date_and_reference_lines():
    text = ("Stadt Leipzig · Sozialamt · 04092 Leipzig\nFrau\nSabine Krause\nEisenbahnstraße 12\n"
            "04315 Leipzig\n\nAntrag auf Wohngeld\nIhr Zeichen: K-12\nLeipzig, 03.03.2026\n\n"
            "Sehr geehrte Frau Krause,\nText")
    assert letter_subject(text) == ("Antrag auf Wohngeld", 0.75,
                                    "hervorgehobene Zeile vor der Anrede")


def test_no_subject_before_the_salutation_is_no_subject():
    # the line above the salutation is the recipient's town: no subject, not the address
    text = "Sabine Krause\nEisenbahnstraße 12\n04315 Leipzig\n\nSehr geehrte Damen und Herren,"
    assert letter_subject(text) == ("", 0.0, "kein Betreff erkannt")


def test_a_certificate_without_salutation_has_its_heading_as_subject():
    assert letter_subject(ATTEST).value == "Ärztliches Attest"
    assert letter_subject(MELDEBESCHEINIGUNG).value == "Meldebescheinigung"
    assert letter_sender(ATTEST).value == "Dr. med. Katrin Vogel"


def test_a_lone_heading_at_the_top_is_no_sender():
    text = "Widerspruch\nAz. 50.20.1-2026-000001 und 50.20.1-2026-000002"
    assert letter_sender(text) == ("", 0.0, "kein Absender erkannt")
    # two words, or a name over an address, still are
    assert letter_sender("Sparkasse Leipzig\nKontoauszug 3/2026").value == "Sparkasse Leipzig"
    assert letter_sender("Stadtkasse\nMarkt 1\n04109 Leipzig").value == "Stadtkasse"
