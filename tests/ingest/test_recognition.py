"""Recognition suggestions on letter text (pure logic): date, sender, subject."""
from datetime import date

from ingest.steps.extract import suggest_date, suggest_sender, suggest_subject

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
