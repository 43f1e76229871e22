"""The learned classifier: word and character n-grams into a calibrated linear model, used once
enough confirmed examples exist; the rules decide before that and for types it never saw."""
import random

import pytest

from archive.models import DocumentType
from ingest.recognition.learned import (
    MIN_EXAMPLES_PER_TYPE,
    LearnedClassifier,
    classify_combined,
    enough_examples,
)
from tests.ingest.german_letters import BY_TYPE

# Hand-written building blocks of confirmed examples: what each kind of letter says.
PHRASES = {
    "antrag": ["hiermit beantrage ich die Übernahme der Kosten",
               "ich stelle einen Antrag auf Weiterbewilligung",
               "bitte prüfen Sie meinen Antrag auf Leistungen",
               "Antrag auf einmalige Beihilfe für die Erstausstattung",
               "ich bitte um Bewilligung eines Darlehens"],
    "bescheid": ["auf Ihren Antrag bewillige ich Ihnen Leistungen",
                 "die Leistungen werden für den Bewilligungszeitraum festgesetzt",
                 "Rechtsbehelfsbelehrung: gegen diesen Bescheid ist der Widerspruch zulässig",
                 "Berechnung des Bedarfs und des anzurechnenden Einkommens",
                 "der Bescheid wird hiermit geändert"],
    "widerspruch": ["gegen den Bescheid lege ich Widerspruch ein",
                    "ich widerspreche der Entscheidung",
                    "die Begründung meines Widerspruchs reiche ich nach",
                    "der Bescheid ist rechtswidrig und verletzt mich in meinen Rechten",
                    "ich bitte um Überprüfung der Entscheidung"],
    "mahnung": ["die Forderung ist noch offen",
                "bitte überweisen Sie den offenen Betrag bis zum",
                "bei weiterem Zahlungsverzug wird eine Mahngebühr erhoben",
                "sollte die Zahlung bereits erfolgt sein, betrachten Sie dies als gegenstandslos",
                "Zahlungserinnerung zum Kassenzeichen"],
}
NAMES = ["Sabine Krause", "Thomas Becker", "Aylin Yılmaz", "Piotr Nowak", "Maria Schulz"]


def _examples(per_type: int, seed: int = 3):
    rng = random.Random(seed)
    texts, labels = [], []
    for key, phrases in PHRASES.items():
        for _ in range(per_type):
            chosen = rng.sample(phrases, 3)
            texts.append(f"{rng.choice(NAMES)}\nLeipzig, {rng.randint(1, 28)}.0{rng.randint(1, 9)}"
                         f".2026\nSehr geehrte Damen und Herren,\n" + ". ".join(chosen) + ".")
            labels.append(key)
    return texts, labels


@pytest.fixture(scope="module")
def learned():
    return LearnedClassifier.fit(*_examples(12))


def test_enough_examples_means_several_types_with_enough_each():
    assert not enough_examples(["antrag"] * 50)  # one type: nothing to tell apart
    few = ["antrag"] * MIN_EXAMPLES_PER_TYPE + ["bescheid"] * (MIN_EXAMPLES_PER_TYPE - 1)
    assert not enough_examples(few)
    assert enough_examples(few + ["bescheid"])
    with pytest.raises(ValueError):
        LearnedClassifier.fit(*_examples(MIN_EXAMPLES_PER_TYPE - 1))


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_it_recognises_letters_it_has_not_seen(learned, key):
    # the letters of german_letters.py were not among the examples
    found = learned.predict(BY_TYPE[key])
    assert found.key == key, found.reasons


def test_probabilities_are_a_distribution_and_name_the_runner_up(learned):
    probabilities = learned.probabilities(BY_TYPE["mahnung"])
    assert set(probabilities) == set(PHRASES)
    assert sum(probabilities.values()) == pytest.approx(1.0)
    found = learned.predict(BY_TYPE["mahnung"])
    assert found.confidence == round(max(probabilities.values()), 2)
    assert found.reasons[0].startswith(f"gelernt aus {4 * 12} bestätigten Beispielen: mahnung")
    assert found.reasons[1].startswith("nächstbester Typ:")


def test_ocr_slips_do_not_throw_it(learned):
    slipped = (BY_TYPE["widerspruch"].replace("Widerspruch", "Widersprueh")
               .replace("Bescheid", "Beseheid").replace("lege", "1ege"))
    assert learned.predict(slipped).key == "widerspruch"


@pytest.mark.django_db
def test_rules_decide_without_a_model_and_for_types_the_model_never_saw(learned):
    types = list(DocumentType.objects.filter(active=True))
    # a fresh instance: no model, the rules
    assert classify_combined(BY_TYPE["attest"], types, None).key == "attest"
    # the model never saw a medical certificate; the rules know it
    found = classify_combined(BY_TYPE["attest"], types, learned)
    assert found.key == "attest" and found.reasons[-1] == "Typ hat noch keine gelernten Beispiele"
    # for the types it learned, the model speaks
    assert classify_combined(BY_TYPE["mahnung"], types, learned).reasons[0].startswith("gelernt")
