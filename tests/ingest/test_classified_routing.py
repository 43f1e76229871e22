"""Post that quotes no file reference (issue 11, points 5, 7, 9): filed into the one case file
its person fits when the evidence is strong, to the review when it fits several (two people of
one name) or the learned model is unsure; every filing records who typed it (model version or
"rules") and how sure it was. Born-digital letters: the text is what recognition reads, no OCR
(the scans are in test_classified_scans.py)."""
import json

import pytest

from archive.actors import actor_for_user
from archive.models import Document, Version
from archive.selectors import events_for_object
from ingest.classification.confirmations import confirmation_data, document_confirm
from ingest.classification.examples import examples_needed
from ingest.classification.files import models_dir
from ingest.classification.model import NEVER, TrainingSet, fit, model_save
from ingest.classification.predict import forget_loaded
from ingest.classification.training_data import training_set
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.recognition.persons import sender_references
from ingest.reporting import job_outcome, job_status
from tests.conftest import user
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.typed_letters import corpus
from tests.ingest.classified_post import BECKER_NUMBER, becker_letter, two_beckers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_models(settings, tmp_path):
    """No model of another test: each test its own model directory."""
    settings.DATA_DIR = tmp_path
    forget_loaded()
    yield
    forget_loaded()


@pytest.fixture
def beckers(demo):
    return two_beckers()


def _ingest(tmp_path, name: str, lines: list[str], submitted_by: str = ""):
    path = born_digital_pdf(tmp_path / name, lines)
    job = job_receive(path=path, original_name=name, source="test", submitted_by=submitted_by)
    return job_run(job.pk, worker="test")


def _filing_event(document):
    return events_for_object("document", document.pk).get(action__in=("filed", "inbox"))


def test_the_client_number_files_post_without_a_reference_into_that_persons_file(
        beckers, tmp_path):
    job = _ingest(tmp_path, "kdnr.pdf", becker_letter(f"Kundennummer: {BECKER_NUMBER}"))
    assert job.state == JobState.FILED, job.suggestions
    assert job.document.case_file == beckers["1990"]
    person = job.suggestions["person"]
    assert (person["file_reference"], person["reason"]) == (beckers["1990"].file_reference,
                                                            "Kundennummer")
    assert person["client_number"] == BECKER_NUMBER and person["name"] == "Thomas Becker"
    # no model yet: the rules typed it, and the filing says so with its confidence
    document_type = job.suggestions["document_type"]
    assert (document_type["value"], document_type["model_version"]) == ("widerspruch", "rules")
    assert job.document.document_type == "widerspruch"
    purpose = _filing_event(job.document).clear_purpose
    assert "Kundennummer" in purpose and "widerspruch (rules, Sicherheit" in purpose
    recorded = Version.objects.get(document=job.document).provenance["recognition"]
    assert recorded["document_type"]["model_version"] == "rules"
    assert recorded["person"]["file_reference"] == beckers["1990"].file_reference


def test_a_name_two_people_share_goes_to_review_marked_for_their_unit(beckers, tmp_path):
    job = _ingest(tmp_path, "name.pdf", becker_letter())
    assert job.state == JobState.INBOX
    assert job.document.case_file is None
    person = job.suggestions["person"]
    assert person["file_reference"] is None and person["candidates"] == 2
    assert "Person nicht eindeutig" in _filing_event(job.document).clear_purpose
    # both files are unit A's: the inbox shows the post as A's
    provenance = Version.objects.get(document=job.document).provenance
    assert provenance["route_unit"] == "A"
    # the birth date tells them apart
    born = _ingest(tmp_path, "geb.pdf", becker_letter("Thomas Becker, geb. 12.11.1975"))
    assert born.state == JobState.FILED and born.document.case_file == beckers["1975"]
    assert born.suggestions["person"]["reason"] == "Name und Geburtsdatum"


def test_a_name_alone_is_not_strong_enough_to_file(demo, tmp_path):
    # one Jürgen Müller has a case file (the demo's, unit A); his name alone is a hint
    lines = ["Jürgen Müller · Grüner Weg 17 · 80331 München", "", "Stadt München",
             "Sozialreferat", "81541 München", "", "Betreff: Antrag auf Übernahme der "
             "Heizkosten", "", "Sehr geehrte Damen und Herren,", "hiermit beantrage ich die "
             "Übernahme der Heizkosten.", "Mit freundlichen Grüßen", "Jürgen Müller"]
    job = _ingest(tmp_path, "mueller.pdf", lines)
    assert job.state == JobState.INBOX
    assert job.suggestions["person"]["file_reference"] == demo["A"].file_reference
    assert "unsicher (0.70)" in _filing_event(job.document).clear_purpose


def test_a_caseworker_of_another_unit_files_nothing_by_the_person(beckers, tmp_path):
    job = _ingest(tmp_path, "fremd.pdf", becker_letter(f"Kundennummer: {BECKER_NUMBER}"),
                  submitted_by="sachbearbeitung-b")
    assert job.state == JobState.INBOX
    assert "darf nicht in diese Akte ablegen" in _filing_event(job.document).clear_purpose
    # and is not told which file the person has, nor what its cover says
    seen = job_status(job, user=user("sachbearbeitung-b"))["outcome"]
    assert seen["person"]["file_reference"] is None and seen["person"]["reason"] is None
    assert seen["person"]["client_number"] == BECKER_NUMBER  # what the letter itself says
    assert job_status(job, user=user("poststelle"))["outcome"]["person"]["file_reference"] \
        == beckers["1990"].file_reference


def _save_model(letters, *, threshold: float):
    data = TrainingSet(texts=[x.text for x in letters], types=[x.type_key for x in letters],
                       units=["A"] * len(letters), case_files=[x.person for x in letters],
                       groups=[x.house for x in letters])
    model = fit(data)
    model.type_threshold, model.unit_threshold = threshold, NEVER
    return model_save(model)


def test_the_learned_model_files_only_above_its_threshold_and_is_recorded(beckers, tmp_path):
    letters, _, _ = corpus(senders=6, per_type=2, persons=12, seed=4,
                           types=("antrag", "widerspruch", "mahnung", "attest"))
    confident = _save_model(letters, threshold=0.0)
    job = _ingest(tmp_path, "modell.pdf", becker_letter(f"Kundennummer: {BECKER_NUMBER}"))
    document_type = job.suggestions["document_type"]
    assert document_type["model_version"] == confident.version
    assert document_type["source"] == "model" and document_type["auto_file"] is True
    assert any(reason.startswith("entscheidende Wörter") for reason in document_type["reason"])
    assert job.state == JobState.FILED and job.document.case_file == beckers["1990"]
    assert confident.version in _filing_event(job.document).clear_purpose

    unsure = _save_model(letters, threshold=NEVER)  # no confidence reaches it
    assert (models_dir() / f"classifier-{unsure.version}.joblib").exists()
    job = _ingest(tmp_path, "modell-2.pdf",
                  becker_letter(f"Kundennummer: {BECKER_NUMBER}", subject="Widerspruch"))
    assert job.suggestions["document_type"]["model_version"] == unsure.version
    assert job.state == JobState.INBOX
    assert "unter der Schwelle des Modells" in _filing_event(job.document).clear_purpose
    # the suggestion still stands on the document, for the review to confirm or correct
    assert job.document.document_type == job.suggestions["document_type"]["value"]


def test_a_confirmation_records_the_model_version_and_becomes_training_data(beckers,
                                                                            tmp_path):
    job = _ingest(tmp_path, "review.pdf", becker_letter())
    document = job.document
    assert document.pk not in training_set().document_ids
    before = examples_needed()
    # the mailroom files it (another branch's review page) and confirms with the correction
    from archive.services.documents import document_move, document_update

    mailroom = actor_for_user(user("poststelle"))
    document_update(actor=mailroom, document_id=document.pk, document_type="vollmacht")
    document_move(actor=mailroom, document_id=document.pk, case_file=beckers["1975"])
    event = document_confirm(actor=mailroom, document=Document.objects.get(pk=document.pk),
                             document_type="vollmacht",
                             file_reference=beckers["1975"].file_reference)
    assert event.clear_data["model_version"] == "rules"
    assert event.clear_data["suggested_type"] == "widerspruch"
    assert event.clear_data["type_taken"] is False
    assert event.clear_data["confidence"] == job.suggestions["document_type"]["confidence"] > 0
    assert event.clear_data["suggested_file_reference"] is None
    assert document.pk in training_set().document_ids
    assert examples_needed()["vollmacht"] == before["vollmacht"] - 1
    # a caseworker of another unit may not confirm what lies in A's file
    from archive.errors import NotFound

    with pytest.raises(NotFound):
        document_confirm(actor=actor_for_user(user("sachbearbeitung-b")),
                         document=Document.objects.get(pk=document.pk), document_type="antrag")


def test_confirmation_data_names_what_was_taken():
    recognition = {"document_type": {"value": "antrag", "confidence": 0.97,
                                     "model_version": "20261202T-abc"},
                   "file_reference": {"value": None},
                   "person": {"file_reference": "50.20.1-2026-000001"}}
    data = confirmation_data(recognition, document_type="antrag",
                             file_reference="50.20.1-2026-000001")
    assert data == {"document_type": "antrag", "file_reference": "50.20.1-2026-000001",
                    "model_version": "20261202T-abc", "confidence": 0.97,
                    "suggested_type": "antrag", "suggested_file_reference": "50.20.1-2026-000001",
                    "type_taken": True, "file_reference_taken": True}
    assert confirmation_data({}, document_type="bescheid", file_reference=None)[
        "model_version"] == "rules"


def test_examples_needed_counts_confirmed_post_per_type(demo, settings):
    from django.utils import timezone

    from archive.actors import system_actor
    from archive.services.documents import document_file_new
    from archive.services.events import event_append
    from tests.archive.helpers import content

    settings.CLASSIFIER_MIN_EXAMPLES_PER_TYPE = 3
    assert examples_needed()["antrag"] == 3 and examples_needed()["vollmacht"] == 3

    def filed(text, type_key, confirmed):
        document = document_file_new(content=content(text), case_file=demo["A"], title="x",
                                     received_at=timezone.now(), actor=system_actor("ingest"),
                                     document_type=type_key)
        if confirmed:
            event_append(action="confirmed", object_type="document", object_id=document.pk,
                         actor="poststelle", data={"document_type": type_key})

    filed("Antrag eins", "antrag", True)
    filed("Antrag zwei", "antrag", True)
    filed("Antrag drei, nur vom Modell abgelegt", "antrag", False)  # no person decided
    for n in range(4):
        filed(f"Vollmacht {n}", "vollmacht", True)
    needed = examples_needed()
    assert needed["antrag"] == 1 and needed["vollmacht"] == 0 and needed["bescheid"] == 3
    # the same figures as the trainer's own count
    from ingest.classification.training_data import examples_needed as trainer_count

    assert {key: max(0, row["need"] - row["have"]) for key, row in trainer_count().items()} \
        == needed


def test_the_outcome_line_carries_type_sender_and_person(beckers, tmp_path):
    job = _ingest(tmp_path, "zeile.pdf", becker_letter(f"Kundennummer: {BECKER_NUMBER}"))
    line = job_outcome(job)
    assert line["document_type"] == "widerspruch"
    assert 0 < line["document_type_confidence"] <= 1
    assert line["sender"] == "Thomas Becker"
    assert line["person"]["file_reference"] == beckers["1990"].file_reference
    assert line["person"]["client_number"] == BECKER_NUMBER


def test_the_senders_own_reference_is_read_and_ours_is_not():
    text = "\n".join(["Sozialgericht Leipzig",
                      "Jobcenter Leipzig      Aktenzeichen: S 12 AS 345/26",
                      "Ihr Zeichen: 4711", "Unser Zeichen: K-88/2026",
                      "Aktenzeichen: 50.20.1-2026-000001"])
    assert sender_references(text) == ["S 12 AS 345/26", "K-88/2026"]


def _court(*extra: str) -> list[str]:
    return ["Sozialgericht Leipzig · Berliner Straße 10 · 04105 Leipzig", "",
            "Stadt Leipzig", "Sozialamt", "Prager Straße 21", "04103 Leipzig", "",
            "Aktenzeichen: S 12 AS 345/26", "Datum: 05.05.2026", *extra, "",
            "Rechtsstreit Thomas Becker ./. Stadt Leipzig", "",
            "Sehr geehrte Damen und Herren,", "",
            "anbei erhalten Sie die Klageschrift mit der Bitte um Stellungnahme.", "",
            "Auf Anordnung", "Lehmann"]


def test_later_post_under_the_senders_reference_follows_the_first(beckers, tmp_path):
    first = _ingest(tmp_path, "klage.pdf", _court("Thomas Becker, geb. 12.11.1975"))
    assert first.state == JobState.FILED and first.document.case_file == beckers["1975"]
    assert first.document.sender == "Sozialgericht Leipzig"
    assert first.suggestions["person"]["sender_reference"] == "S 12 AS 345/26"
    # the court writes again, naming only the name two people share: its reference decides
    later = _ingest(tmp_path, "ladung.pdf", _court("Ladung zum Termin"))
    assert later.state == JobState.FILED, later.suggestions["person"]
    assert later.document.case_file == beckers["1975"]
    assert later.suggestions["person"]["reason"] == \
        "Zeichen des Absenders S 12 AS 345/26 wie in früherer Post"


def test_a_copy_of_another_units_post_tells_neither_its_type_nor_sender(beckers, tmp_path):
    path = born_digital_pdf(tmp_path / "kopie.pdf",
                            becker_letter(f"Kundennummer: {BECKER_NUMBER}"))
    first = job_run(job_receive(path=path, original_name="kopie.pdf", source="test").pk,
                    worker="test")
    assert first.state == JobState.FILED and first.document.case_file == beckers["1990"]
    again = job_run(job_receive(path=path, original_name="kopie.pdf", source="upload",
                                submitted_by="sachbearbeitung-b").pk, worker="test")
    assert again.state == JobState.DUPLICATE
    hidden = job_status(again, user=user("sachbearbeitung-b"))["outcome"]
    assert (hidden["document_type"], hidden["sender"], hidden["person"]) == (None, None, None)
    shown = job_status(again, user=user("sachbearbeitung-a"))["outcome"]
    assert (shown["document_type"], shown["sender"]) == ("widerspruch", "Thomas Becker")


def test_a_quoted_reference_that_contradicts_the_person_goes_to_review(demo, beckers,
                                                                       tmp_path):
    # Becker's client number, but the reference of Jürgen Müller's file: one of them is a slip
    job = _ingest(tmp_path, "widerspruch.pdf", becker_letter(
        f"Kundennummer: {BECKER_NUMBER}", f"Aktenzeichen: {demo['A'].file_reference}"))
    assert job.state == JobState.INBOX
    purpose = _filing_event(job.document).clear_purpose
    assert demo["A"].file_reference in purpose and beckers["1990"].file_reference in purpose


def test_post_filed_by_its_reference_does_not_tell_where_a_named_person_has_a_file(
        demo, tmp_path):
    # B's caseworker files a letter for B's file that mentions Jürgen Müller, who has a file
    # in unit A: filed by the quoted reference; that A holds a file on him stays A's business
    job = _ingest(tmp_path, "b.pdf", [
        "Stadt Leipzig · Sozialamt · Prager Straße 21 · 04103 Leipzig", "",
        "Betreff: Vermerk", f"Aktenzeichen: {demo['B'].file_reference}",
        "Name: Jürgen Müller", "Bitte zur Akte nehmen."], submitted_by="sachbearbeitung-b")
    assert job.state == JobState.FILED and job.document.case_file == demo["B"]
    assert job.suggestions["person"]["file_reference"] == demo["A"].file_reference
    seen = job_status(job, user=user("sachbearbeitung-b"))
    assert seen["suggestions"]["person"]["file_reference"] is None
    assert seen["suggestions"]["person"]["name"] == "Jürgen Müller"  # the letter says so
    assert seen["outcome"]["person"]["file_reference"] is None
    assert demo["A"].file_reference not in json.dumps(seen)


def test_a_submitter_is_not_told_how_many_files_fit_a_name(beckers, tmp_path):
    job = _ingest(tmp_path, "zwei.pdf", becker_letter(), submitted_by="sachbearbeitung-b")
    assert job.state == JobState.INBOX and job.suggestions["person"]["candidates"] == 2
    seen = job_status(job, user=user("sachbearbeitung-b"))
    assert seen["outcome"]["person"] == {
        "name": "Thomas Becker", "birth_date": None, "client_number": None,
        "sender_reference": None, "file_reference": None, "confidence": None, "reason": None}
    assert "mehrere Akten" not in json.dumps(seen)
    assert "mehrere Akten" in job_status(job, user=user("poststelle"))["outcome"]["person"][
        "reason"]
