"""The learned classifier (issue 11): the vocabulary keeps out what only one person's post
contains, the auto-filing threshold holds its precision on senders the model never saw, and a
destruction retires every model that learned from the destroyed post."""
import json
import pickle
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.models import CaseFile
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy, destruction_finish
from archive.services.documents import document_file_new
from archive.services.events import event_append
from ingest.classification.features import CaseFileVocabulary
from ingest.classification.files import model_versions, models_dir
from ingest.classification.model import (
    NEVER,
    TrainingSet,
    auto_file_figures,
    choose_threshold,
    fit,
    model_load,
    train,
)
from ingest.classification.predict import classify, current_model, forget_loaded
from ingest.classification.service import classifier_train
from ingest.classification.training_data import examples_needed
from tests.archive.helpers import content
from tests.conftest import user
from tests.fixtures.typed_letters import Person, corpus, houses, letter

FEW_TYPES = ("antrag", "widerspruch", "mahnung", "attest", "kontoauszug")


@pytest.fixture(autouse=True)
def own_models(settings, tmp_path):
    """Each test its own model directory and nothing loaded in memory."""
    settings.DATA_DIR = tmp_path
    forget_loaded()
    yield
    forget_loaded()


# --- the vocabulary rule -------------------------------------------------------------------

def _texts_with(rare_term: str):
    """Twelve letters of six case files; `rare_term` is written in every letter of two of
    them (a name: frequent, but one family's), 'Wohngeldstelle' in letters of three."""
    texts, case_files = [], []
    for case_file in range(6):
        for n in range(2):
            words = [f"Schreiben {n}", "Sehr geehrte Damen und Herren"]
            if case_file < 2:
                words.append(f"{rare_term} {rare_term} {rare_term}")
            if case_file in (0, 3, 5):
                words.append("Wohngeldstelle")
            texts.append(" ".join(words))
            case_files.append(f"case-{case_file}")
    return texts, case_files


def test_a_term_of_fewer_than_three_case_files_enters_no_vocabulary():
    texts, case_files = _texts_with("Quastendorfer")
    vocabulary = CaseFileVocabulary(min_case_files=3).fit(texts, case_files)
    terms = vocabulary.terms()
    assert "wohngeldstelle" in terms  # three case files: a word of the trade
    assert "quastendorfer" not in terms  # six documents, but of two case files only
    # not even a character n-gram that only the name has
    assert "stendo" not in terms and "ndorf" not in terms
    assert b"quastendorfer" not in pickle.dumps(vocabulary)
    assert b"ndorf" not in pickle.dumps(vocabulary)
    # the rule, not chance, keeps it out: counted per document it would be in
    assert "quastendorfer" in CaseFileVocabulary(min_case_files=1).fit(
        texts, case_files).terms()
    # and the transformed rows have no column for it
    matrix = vocabulary.transform(["Quastendorfer Quastendorfer"])
    assert matrix.nnz == 0 or "quastendorfer" not in vocabulary.feature_names()


def test_case_files_are_counted_not_documents():
    # One person writes the same unusual word in fifty letters: still one case file.
    texts = ["Zahnspangenkostenübernahme bitte"] * 50 + ["bitte prüfen"] * 3
    case_files = ["one"] * 50 + ["a", "b", "c"]
    terms = CaseFileVocabulary(min_case_files=3).fit(texts, case_files).terms()
    assert "bitte" in terms
    assert not any("zahnspangen" in term for term in terms)


# --- the threshold -------------------------------------------------------------------------

def test_the_threshold_is_the_lowest_confidence_with_the_precision_held_out():
    # 200 right at 0.95..0.99, one wrong at 0.9, 100 at 0.8 of which 10 wrong.
    confidences = [0.95 + 0.0002 * i for i in range(200)] + [0.9] + [0.8] * 100
    correct = [True] * 200 + [False] + [True] * 90 + [False] * 10
    threshold = choose_threshold(confidences, correct, precision=0.99, min_support=30)
    # At 0.9: 200 of 201 right (99.5 %); at 0.8: 290 of 301 (96.3 %).
    assert threshold == pytest.approx(0.9)
    figures = auto_file_figures(confidences, correct, threshold)
    assert figures["precision"] >= 0.99 and figures["count"] == 201
    # Too few predictions to know: nothing is auto-filed.
    assert choose_threshold(confidences[:20], correct[:20], min_support=30) == NEVER


def _training_set(letters) -> TrainingSet:
    return TrainingSet(texts=[x.text for x in letters], types=[x.type_key for x in letters],
                       units=[x.unit for x in letters], case_files=[x.person for x in letters],
                       groups=[x.house for x in letters])


def test_auto_filing_is_99_percent_right_on_senders_the_model_never_saw():
    # Training: ten senders. Held out: six other senders with their own layouts and habits.
    letters, _, _ = corpus(senders=16, per_type=2, persons=40, types=FEW_TYPES, seed=11)
    seen = [x for x in letters if x.house < 10]
    unseen = [x for x in letters if x.house >= 10]
    model = train(_training_set(seen), folds=3, min_support=20)
    assert model.type_threshold < 1.0, "some post must be auto-filed"
    types, confidences, *_ = model.predict([x.text for x in unseen])
    right = np.array(types) == np.array([x.type_key for x in unseen])
    auto = confidences >= model.type_threshold
    assert auto.sum() >= len(unseen) // 2
    assert right[auto].mean() >= 0.99
    figures = model.metadata["cross_validation"]
    assert figures["auto_file"]["precision"] >= 0.99


# --- with the archive: training data, destruction, no model --------------------------------

def _file_confirmed(case_file, text, type_key):
    document = document_file_new(content=content(text), case_file=case_file, title="Post",
                                 received_at=timezone.now(), actor=system_actor("ingest"),
                                 document_type=type_key, sender="")
    event_append(action="confirmed", object_type="document", object_id=document.pk,
                 actor="poststelle", data={"document_type": type_key})
    return document


def _rules(text):
    return ("antrag", 0.6, ["Regel: Antrag"])


@pytest.fixture
def archive_post(demo, settings):
    """Post of three types in twelve case files, confirmed by the mailroom; one person with an
    unmistakable name wrote three letters."""
    settings.CLASSIFIER_MIN_EXAMPLES_PER_TYPE = 6
    template = demo["A"]
    files = [case_file_create(plan_unit=template.plan_unit, unit=template.unit,
                              actor=system_actor("system", "test"),
                              title=f"Akte {n}") for n in range(11)]
    doomed_person = Person(name="Xaverius Quastendorfer", street="Ufergasse 3",
                           city="99084 Erfurt", unit="SGB2", birth="01.02.1960",
                           iban="DE00123456789012345678")
    doomed_file = case_file_create(plan_unit=template.plan_unit, unit=template.unit,
                                   actor=system_actor("system", "test"), title="Akte Q")
    letters, people, senders = corpus(senders=6, per_type=2, persons=11,
                                      types=("antrag", "widerspruch", "mahnung"), seed=5)
    for x in letters:
        _file_confirmed(files[x.person], x.text, x.type_key)
    import random

    rng = random.Random(1)
    for type_key in ("antrag", "widerspruch", "mahnung"):
        own = letter(type_key, doomed_person, houses(3)[2], rng)
        _file_confirmed(doomed_file, own.text, type_key)
    # filed by the pipeline alone, never confirmed: not a training example
    document_file_new(content=content("Antrag ungeprüft"), case_file=files[0], title="x",
                      received_at=timezone.now(), actor=system_actor("ingest"),
                      document_type="antrag")
    return {"doomed": doomed_file, "letters": letters}


def _model_files_contain(needle: bytes) -> bool:
    return any(needle in path.read_bytes() for path in models_dir().iterdir() if path.is_file())


def test_without_enough_examples_the_rules_decide_and_the_need_is_told(demo, settings):
    settings.CLASSIFIER_MIN_EXAMPLES_PER_TYPE = 20
    _file_confirmed(demo["A"], "Antrag auf Wohngeld", "antrag")
    assert examples_needed(type_keys=["antrag", "bescheid"]) == {
        "antrag": {"have": 1, "need": 20}, "bescheid": {"have": 0, "need": 20}}
    result = classifier_train()
    assert result["trained"] is False
    suggestion = classify("Antrag auf Wohngeld", rules=_rules)
    assert suggestion.source == "rules" and suggestion.model_version is None
    assert suggestion.type_key == "antrag" and not suggestion.auto_file
    assert classify("Antrag auf Wohngeld") is None


def test_destruction_retires_the_model_and_the_retrained_one_knows_no_trace(archive_post,
                                                                            settings):
    # The rule that keeps names out is switched off here, so that this test proves the
    # second guard on its own: a model that saw destroyed post does not survive it.
    settings.CLASSIFIER_MIN_CASE_FILES = 1
    out = StringIO()
    call_command("classifier", "train", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["trained"] and first["version"] == model_versions()[-1]
    assert set(first["cross_validation"]) >= {"type_accuracy", "auto_file", "folds"}
    assert first["needed"]["antrag"] == {"have": 13, "need": 6}
    assert _model_files_contain(b"quastendorfer")
    path = models_dir() / f"classifier-{first['version']}.joblib"
    assert path.stat().st_mode & 0o777 == 0o600
    suggestion = classify(archive_post["letters"][0].text, rules=_rules)
    assert suggestion.model_version == first["version"] and suggestion.source == "model"
    assert suggestion.reasons and 0 <= suggestion.type_confidence <= 1

    doomed = archive_post["doomed"]
    doomed_ids = list(doomed.documents.values_list("pk", flat=True))
    case_files_destroy(case_file_ids=[doomed.pk], actor=acting(user("datenschutz")),
                       approval={"list": 1, "proposed_by": "a", "approved_by": "b"})
    destruction_finish(document_ids=doomed_ids)

    assert first["version"] not in model_versions()  # retired at once
    assert not _model_files_contain(b"quastendorfer")
    before_retraining = classify(archive_post["letters"][0].text, rules=_rules)
    assert before_retraining.source == "rules"

    second = classifier_train()
    assert second["trained"] and second["version"] != first["version"]
    assert second["needed"]["antrag"]["have"] == 12
    assert not _model_files_contain(b"quastendorfer")
    assert not set(doomed_ids) & set(model_load(second["version"]).metadata["document_ids"])
    assert current_model().version == second["version"]


def test_a_model_that_learned_from_a_restricted_case_file_is_not_used(archive_post):
    result = classifier_train()
    assert result["trained"]
    CaseFile.objects.filter(pk=archive_post["doomed"].pk).update(restricted=True)
    forget_loaded()  # another process, or a restart: it checks on loading
    assert current_model() is None


def test_a_cross_validation_fold_sees_only_its_training_rows_vocabulary():
    """Tokenising once for all folds must give what a vocabulary fitted on the fold's training
    rows alone gives: no term of a held-out letter may enter through the back door."""
    letters, _, _ = corpus(senders=4, per_type=1, persons=8, types=FEW_TYPES, seed=2)
    texts, case_files = [x.text for x in letters], [x.person for x in letters]
    train_rows, test_rows = list(range(0, 14)), list(range(14, len(texts)))
    counted = CaseFileVocabulary(min_case_files=2).counted(texts)
    train_matrix, test_matrix = counted.fold(train_rows, test_rows, case_files)
    alone = CaseFileVocabulary(min_case_files=2)
    expected_train = alone.fit_transform([texts[i] for i in train_rows],
                                         [case_files[i] for i in train_rows])
    expected_test = alone.transform([texts[i] for i in test_rows])
    assert train_matrix.shape == expected_train.shape
    assert abs(train_matrix - expected_train).max() < 1e-6
    assert abs(test_matrix - expected_test).max() < 1e-6
    # and the final model, from the same counts, is what fitting afresh gives
    vocabulary, matrix = counted.fit_all(case_files)
    fresh = CaseFileVocabulary(min_case_files=2)
    expected = fresh.fit_transform(texts, case_files)
    assert vocabulary.terms() == fresh.terms()
    assert abs(matrix - expected).max() < 1e-6
    sample = ["Widerspruch gegen den Bescheid, Kontoauszug anbei"]
    assert abs(vocabulary.transform(sample) - fresh.transform(sample)).max() < 1e-6


def test_character_ngrams_counted_per_distinct_word_are_sklearns_counts():
    """The fast count (each distinct word cut once) must be exactly CountVectorizer's."""
    from sklearn.base import clone

    from ingest.classification.features import _fit_counts

    letters, _, _ = corpus(senders=3, per_type=1, persons=8, types=FEW_TYPES, seed=4)
    texts = [x.text for x in letters] + ["a  b\tc\n\nÄrger 12,50 € ab", "Straße ß ü-ö"]
    (chars,) = [v for v in CaseFileVocabulary().vectorizers if v.analyzer == "char_wb"]
    reference, fast = clone(chars), clone(chars)
    expected = reference.fit_transform(texts)
    counted = _fit_counts(fast, texts)
    assert fast.vocabulary_ == reference.vocabulary_
    assert counted.shape == expected.shape and abs(counted - expected).max() == 0
    assert abs(fast.transform(texts[:3]) - reference.transform(texts[:3])).max() == 0


def test_the_unlabelled_pool_widens_the_count_but_keeps_the_rule():
    """Filed but unconfirmed post counts towards the rule's case files, never as an example:
    a term of two case files stays out however many pool letters have it; a term of three
    case files of the pool enters; a fold never counts its held-out sender's pool letters."""
    labelled = TrainingSet(
        texts=["Widerspruch gegen Bescheid", "Antrag auf Wohngeld", "Widerspruch eingelegt",
               "Antrag gestellt"] * 3,
        types=["widerspruch", "antrag"] * 6, units=["SGB2"] * 12,
        case_files=[f"l{n}" for n in range(12)], groups=[n % 4 for n in range(12)],
        document_ids=list(range(12)))
    pool_texts = (["Heizkostenpauschale Quastendorfer"] * 6  # name: two case files only
                  + ["Heizkostenpauschale"] * 3)
    pool = TrainingSet(texts=pool_texts, types=[""] * 9, units=[""] * 9,
                       case_files=["p1", "p2"] * 3 + ["p3", "p4", "p5"],
                       groups=[9] * 9, document_ids=list(range(100, 109)))
    without = fit(labelled).vocabulary.terms()
    model = fit(labelled, pool=pool)
    terms = model.vocabulary.terms()
    assert "heizkostenpauschale" not in without and "heizkostenpauschale" in terms
    assert not any("quastendorf" in term for term in terms)
    assert b"quastendorf" not in pickle.dumps(model)
    assert set(model.type_head.classes_) == {"widerspruch", "antrag"}  # no pool label
    trained = train(labelled, folds=2, min_support=1, pool=pool)
    assert set(range(100, 109)) <= set(trained.metadata["document_ids"])
    assert trained.metadata["vocabulary_pool"] == 9


def test_a_fold_does_not_count_the_held_out_groups_pool_letters():
    texts = ["Antrag Wohngeld", "Widerspruch Bescheid", "Antrag Wohngeld",
             "Widerspruch Bescheid", "Mietbescheinigung Vermieter"]
    case_files = ["a", "b", "c", "d", "e"]
    counted = CaseFileVocabulary(min_case_files=2, chars=False).counted(
        texts + ["Mietbescheinigung Vermieter"] * 2)
    everything = case_files + ["f", "g"]
    # the pool letters (rows 5, 6) count: "mietbescheinigung" is in two case files
    counted.fold([0, 1, 2, 3], [4], everything, rule_rows=[0, 1, 2, 3, 5, 6])
    with_pool = set(counted.columns.tolist())
    # held out with its group, they do not: the term is in one case file of the rest
    counted.fold([0, 1, 2, 3], [4], everything, rule_rows=[0, 1, 2, 3])
    without_pool = set(counted.columns.tolist())
    names = counted.vectorizers[0].get_feature_names_out()
    assert "mietbescheinigung" in {names[c] for c in with_pool}
    assert "mietbescheinigung" not in {names[c] for c in without_pool}


def test_training_counts_the_unconfirmed_filed_post_up_to_the_limit(archive_post, settings):
    from archive.models import Document

    unconfirmed = Document.objects.get(title="x", case_file__title="Akte 0")
    result = classifier_train()
    assert result["trained"] and result["vocabulary_pool"] == 1
    learned = model_load(result["version"]).metadata["document_ids"]
    assert unconfirmed.pk in learned  # its destruction retires the model too
    settings.CLASSIFIER_POOL_UP_TO = 0  # no room left beside the examples: no pool
    assert classifier_train()["vocabulary_pool"] == 0
