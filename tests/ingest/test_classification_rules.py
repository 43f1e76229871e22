"""Rule-based classification: the document types' own rules decide, deterministically and with
reasons that name the words found."""
import pytest

from archive.actors import actor_for_user as acting
from archive.models import DocumentType
from archive.services.doctypes import document_type_add
from ingest.recognition.rules import classify, classify_by_rules
from tests.conftest import user
from tests.ingest.german_letters import (
    ANTRAG,
    BESCHEID,
    BY_TYPE,
    SOZIALGERICHT,
    WIDERSPRUCH,
    WIDERSPRUCHSBESCHEID,
)


@pytest.mark.django_db
@pytest.mark.parametrize("expected", sorted(BY_TYPE))
def test_each_kind_of_letter_gets_its_type(expected):
    key, confidence, reasons = classify_by_rules(BY_TYPE[expected])
    assert key == expected, reasons
    assert confidence >= 0.6, reasons


@pytest.mark.django_db
def test_the_reasons_name_the_words_that_decided():
    key, _, reasons = classify_by_rules(WIDERSPRUCHSBESCHEID)
    assert key == "widerspruchsbescheid"
    assert reasons[0].startswith("Widerspruchsbescheid: im Kopf/Betreff „Widerspruchsbescheid“")
    assert "„Klage beim Sozialgericht“" in reasons[0]
    # the runner-up is named too, so a person sees why it lost
    assert any(r.startswith("auch möglich: Bescheid") for r in reasons[1:])
    court = classify_by_rules(SOZIALGERICHT)
    assert court.key == "sozialgericht" and "S 12 AS 345/26" in court.reasons[0]


@pytest.mark.django_db
def test_the_subject_outweighs_documents_the_body_mentions():
    # The application mentions a Bescheid in its body; the Bescheid mentions the Antrag.
    assert classify_by_rules(ANTRAG).key == "antrag"
    assert classify_by_rules(BESCHEID).key == "bescheid"
    # The objection names the Bescheid in its subject, but objects.
    assert classify_by_rules(WIDERSPRUCH).key == "widerspruch"


@pytest.mark.django_db
def test_the_more_specific_type_wins_a_tie_by_priority():
    text = "Widerspruchsbescheid\nWiderspruch gegen den Bescheid vom 02.02.2026"
    key, confidence, reasons = classify_by_rules(text)
    assert key == "widerspruchsbescheid", reasons
    assert confidence < 0.7  # a tie is no certainty
    lowered = DocumentType.objects.get(key="widerspruchsbescheid")
    lowered.priority = 1
    lowered.save()
    assert classify_by_rules(text).key == "widerspruch"


@pytest.mark.django_db
def test_a_court_letter_needs_the_court_reference():
    # A Widerspruchsbescheid names the court in its instructions, without a court reference.
    assert classify_by_rules(WIDERSPRUCHSBESCHEID).key != "sozialgericht"
    assert classify_by_rules("Sozialgericht Dresden\nAz. S 3 SO 17/25\nLadung").key \
        == "sozialgericht"


@pytest.mark.django_db
def test_nothing_matches_and_inactive_types_are_ignored(demo):
    assert classify_by_rules("Grüße aus dem Urlaub") == ("", 0.0, [
        "keine Regel eines Dokumenttyps trifft zu"])
    DocumentType.objects.filter(key="kontoauszug").update(active=False)
    assert classify_by_rules(BY_TYPE["kontoauszug"]).key != "kontoauszug"


@pytest.mark.django_db
def test_a_type_the_administrator_adds_is_recognised_at_once(demo):
    text = "Stadt Leipzig\nBescheid über den Elternbeitrag für die Kita „Sonnenschein“"
    assert classify_by_rules(text).key == "bescheid"
    document_type_add(actor=acting(user("admin")), key="kita-beitrag", name="Kita-Beitragsbescheid",
                      rule="Elternbeitrag, Kita", priority=55)
    key, _, reasons = classify_by_rules(text)
    assert key == "kita-beitrag", reasons
    assert "„Elternbeitrag“" in reasons[0] and "„Kita“" in reasons[0]


def test_words_split_across_lines_and_word_endings_are_found():
    types = [DocumentType(key="widerspruch", name="Widerspruch", rule="Widerspruch"),
             DocumentType(key="bescheid", name="Bescheid", rule="Bescheid")]
    assert classify("Hiermit lege ich Wider-\nspruch ein.", types).key == "widerspruch"
    assert classify("Ihres Bescheides vom 1.2.2026", types).key == "bescheid"
    # a word inside another word is no hit: "Widerspruchsbescheid" is no "Bescheid"
    assert classify("Widerspruchsbescheid", types[1:]).key == ""


def test_the_same_text_gives_the_same_answer_whatever_the_order_of_the_types():
    types = [DocumentType(key="a", name="A", rule="Antrag"),
             DocumentType(key="b", name="B", rule="Antrag")]
    assert classify("Antrag", types) == classify("Antrag", types[::-1])
    assert classify("Antrag", types).key == "a"  # same score, same priority: by key
