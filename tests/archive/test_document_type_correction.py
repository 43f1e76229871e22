"""Correcting a document's type and a wrong (auto-)filing: who may, what is refused, and that
each correction is exactly one event that the classifier learns from."""
from dataclasses import replace

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.models import Document, DocumentType, Event
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_close, case_file_create
from archive.services.doctypes import type_suggestion
from archive.services.documents import (
    document_correct,
    document_file_new,
    document_type_set,
)
from ingest.classification.training_data import training_documents, training_set
from tests.archive.helpers import content
from tests.conftest import user

pytestmark = pytest.mark.django_db

SUGGESTED = {"value": "antrag", "confidence": 0.83, "model_version": "20261202-120000-ab12",
             "reasons": ["Antrag: im Kopf/Betreff „Antrag“"]}


def auto_filed(case_file, text="Antrag auf Leistungen der Grundsicherung", kind="antrag",
               suggestion=SUGGESTED):
    """Post as the pipeline files it: typed (and perhaps filed) by recognition."""
    provenance = {"recognition": {"document_type": suggestion}} if suggestion else {}
    return document_file_new(
        content=replace(content(text), provenance=provenance), case_file=case_file,
        title="Schreiben", received_at=timezone.now(), document_type=kind,
        actor=system_actor("ingest", "poststelle"))


def _events(document):
    return list(events_for_object("document", document.pk).order_by("seq"))


def test_a_type_correction_is_one_event_with_the_suggestion_it_overrules(demo):
    document = auto_filed(demo["A"])
    before = Event.objects.count()
    document_type_set(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                      key="bescheid", reason="ist ein Bescheid")
    assert Event.objects.count() == before + 1
    changed = _events(document)[-1]
    assert (changed.action, changed.actor, changed.clear_purpose) == (
        "changed", "sachbearbeitung-a", "ist ein Bescheid")
    assert changed.clear_data["changes"] == {"document_type": ["antrag", "bescheid"]}
    assert changed.clear_data["document_type"] == {
        "from": "antrag", "to": "bescheid", "suggested": "antrag", "taken": False,
        "confidence": 0.83, "model_version": "20261202-120000-ab12"}
    document.refresh_from_db()
    assert document.document_type == "bescheid"


def test_setting_the_suggested_type_again_is_a_confirmation(demo):
    document = auto_filed(demo["A"])
    document_type_set(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                      key="antrag")
    confirmed = _events(document)[-1]
    assert confirmed.action == "confirmed"
    assert confirmed.clear_data["document_type"]["taken"] is True
    assert "changes" not in confirmed.data


def test_unknown_and_retired_types_are_refused_in_german_with_a_code(demo):
    document = auto_filed(demo["A"])
    DocumentType.objects.create(key="alt", name="Altes Formular", active=False)
    worker = acting(user("sachbearbeitung-a"))
    before = Event.objects.count()
    for key, code in (("gibtsnicht", "DOCUMENT_TYPE_UNKNOWN"), ("alt", "DOCUMENT_TYPE_INACTIVE"),
                      ("Bescheid", "DOCUMENT_TYPE_UNKNOWN")):
        with pytest.raises(InvalidInput) as refused:
            document_type_set(actor=worker, document_id=document.pk, key=key)
        assert refused.value.code == code and "Dokumenttyp" in refused.value.message
    assert Event.objects.count() == before
    document.refresh_from_db()
    assert document.document_type == "antrag"


def test_only_who_works_on_the_document_may_set_its_type(demo):
    filed, unfiled = auto_filed(demo["A"]), auto_filed(None)
    for username in ("sachbearbeitung-b", "poststelle", "datenschutz", "admin"):
        with pytest.raises(NotFound):
            document_type_set(actor=acting(user(username)), document_id=filed.pk, key="bescheid")
    for username in ("sachbearbeitung-a", "sachbearbeitung-b", "datenschutz", "admin"):
        with pytest.raises(NotFound):
            document_type_set(actor=acting(user(username)), document_id=unfiled.pk,
                              key="bescheid")
    with pytest.raises(PermissionDenied) as refused:  # a person decides, not the system
        document_type_set(actor=system_actor(), document_id=filed.pk, key="bescheid")
    assert refused.value.code == "PERSON_REQUIRED"
    document_type_set(actor=acting(user("poststelle")), document_id=unfiled.pk, key="bescheid")
    assert [d.document_type for d in Document.objects.filter(pk__in=[filed.pk, unfiled.pk])
            .order_by("pk")] == ["antrag", "bescheid"]


def test_a_closed_case_file_refuses_a_type_correction(demo):
    document = auto_filed(demo["A"])
    worker = acting(user("sachbearbeitung-a"))
    case_file_close(actor=worker, case_file=demo["A"])
    with pytest.raises(Conflict) as refused:
        document_type_set(actor=worker, document_id=document.pk, key="bescheid")
    assert refused.value.code == "CASE_FILE_CLOSED"


def test_a_wrong_auto_filing_is_corrected_by_the_caseworker_in_one_event(demo):
    worker = user("sachbearbeitung-a")
    right = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Die richtige Akte", actor=acting(worker))
    document = auto_filed(demo["A"])
    before = Event.objects.count()
    document_correct(actor=acting(worker), document_id=document.pk, case_file=right,
                     document_type="widerspruch", reason="falsch zugeordnet")
    assert Event.objects.count() == before + 1
    moved = _events(document)[-1]
    assert moved.action == "moved"
    assert (moved.clear_data["from"], moved.clear_data["to"]) == (demo["A"].file_reference,
                                                      right.file_reference)
    assert moved.clear_data["changes"] == {"document_type": ["antrag", "widerspruch"]}
    assert moved.clear_data["document_type"]["model_version"] == SUGGESTED["model_version"]
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (right, "widerspruch")


def test_a_caseworker_cannot_move_into_a_foreign_file_and_learns_nothing_from_trying(demo):
    document = auto_filed(demo["A"])
    worker = acting(user("sachbearbeitung-a"))
    refusals = []
    for target in (demo["B"],):
        with pytest.raises(InvalidInput) as refused:
            document_correct(actor=worker, document_id=document.pk, case_file=target,
                             document_type="bescheid")
        refusals.append((refused.value.code, refused.value.message))
    from archive.services.documents import target_refused

    assert refusals == [(target_refused().code, target_refused().message)]
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (demo["A"], "antrag")


def test_post_of_another_unit_goes_back_to_the_mailroom_which_files_it(demo):
    document = auto_filed(demo["A"])
    worker = acting(user("sachbearbeitung-a"))
    with pytest.raises(InvalidInput) as refused:
        document_correct(actor=worker, document_id=document.pk, to_inbox=True)
    assert refused.value.code == "REASON_MISSING"
    document_correct(actor=worker, document_id=document.pk, to_inbox=True,
                     reason="betrifft Sachgebiet B")
    returned = _events(document)[-1]
    assert (returned.action, returned.clear_data["to"]) == ("moved", None)
    document.refresh_from_db()
    assert document.in_inbox
    with pytest.raises(NotFound):  # out of A's sight now
        document_type_set(actor=worker, document_id=document.pk, key="bescheid")
    document_correct(actor=acting(user("poststelle")), document_id=document.pk,
                     case_file=demo["B"], document_type="bescheid", reason="Poststelle")
    filed = _events(document)[-1]
    assert (filed.action, filed.actor, filed.clear_data["to"]) == (
        "moved", "poststelle", demo["B"].file_reference)
    assert filed.clear_data["document_type"]["taken"] is False


def test_the_classifier_learns_the_corrected_type(demo):
    worker = acting(user("sachbearbeitung-a"))
    corrected, untouched = auto_filed(demo["A"]), auto_filed(demo["A"], text="Noch ein Antrag")
    # Filed by recognition alone, nobody has confirmed either yet: nothing to learn.
    assert not training_documents().filter(pk__in=[corrected.pk, untouched.pk]).exists()
    document_type_set(actor=worker, document_id=corrected.pk, key="bescheid")
    assert list(training_documents().values_list("pk", flat=True)) == [corrected.pk]
    data = training_set()
    assert list(zip(data.document_ids, data.types, strict=True)) == [(corrected.pk, "bescheid")]


def test_a_type_suggestion_is_read_from_old_and_partial_provenance():
    assert type_suggestion({}) == {"value": None, "confidence": None, "model_version": None,
                                   "reasons": []}
    older = {"recognition": {"document_type": {"value": "antrag", "confidence": 0.7,
                                               "reason": ["im Betreff „Antrag“"]}}}
    assert type_suggestion(older) == {"value": "antrag", "confidence": 0.7,
                                      "model_version": None,
                                      "reasons": ["im Betreff „Antrag“"]}
    odd = {"recognition": {"document_type": {"value": "", "confidence": "hoch",
                                             "reasons": "ein Grund"}}}
    assert type_suggestion(odd) == {"value": None, "confidence": None, "model_version": None,
                                    "reasons": ["ein Grund"]}
    assert type_suggestion({"recognition": "kaputt"})["value"] is None
