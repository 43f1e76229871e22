"""A person's confirmation or correction of the recognition: the "confirmed" event that makes a
document training data (training_data.PERSON_EVENTS), carrying what was suggested, by which
model version (or "rules") and with what confidence, and what the person decided.

Both paths use it: the command line's confirmed filing (`registratur ingest PATH
--document-type KEY --file-reference REF`, appended by the pipeline's filing) and the
mailroom's review after it filed an inbox document. Light on imports (no scikit-learn), so
that the web may call it."""
from django.contrib.auth import get_user_model

from archive.actors import Actor
from archive.errors import NotFound
from archive.guards import may_work_on
from archive.models import Document, Role
from archive.permissions import user_role
from archive.services.events import event_append


def recognition_of(document: Document) -> dict:
    """The recognition recorded with the document's first version (what was suggested)."""
    first = document.versions.order_by("number").first()
    return ((first.provenance or {}).get("recognition") or {}) if first else {}


def confirmation_data(recognition: dict, *, document_type: str,
                      file_reference: str | None) -> dict:
    """What a confirmation records: the decision, and the suggestion it confirms or corrects
    with the model version ("rules" when the rules decided) and the confidence."""
    suggested_type = recognition.get("document_type") or {}
    person = recognition.get("person") or {}
    suggested_reference = ((recognition.get("file_reference") or {}).get("value")
                           or person.get("file_reference"))
    return {
        "document_type": document_type or None,
        "file_reference": file_reference,
        "model_version": suggested_type.get("model_version") or "rules",
        "confidence": suggested_type.get("confidence"),
        "suggested_type": suggested_type.get("value"),
        "suggested_file_reference": suggested_reference,
        "type_taken": bool(document_type) and suggested_type.get("value") == document_type,
        "file_reference_taken": bool(file_reference) and suggested_reference == file_reference,
    }


def _require_may_confirm(actor: Actor, document: Document) -> None:
    """The system (the pipeline filing a confirmed command-line delivery), the operator at the
    shell, the mailroom (which sorts all post) and whoever works on the document's case file."""
    if actor.user is None:
        return
    if user_role(actor.user) == Role.MAILROOM:
        return
    if document.case_file is None or not may_work_on(actor.user, document.case_file):
        raise NotFound()


def document_confirm(*, actor: Actor, document: Document, document_type: str,
                     file_reference: str | None = None, recognition: dict | None = None):
    """Append the "confirmed" event: from now on the document is an example the classifier
    learns from (when it lies in a case file and has a type). Call it after the filing or
    correction it confirms, in the same transaction."""
    _require_may_confirm(actor, document)
    recognition = recognition if recognition is not None else recognition_of(document)
    return event_append(
        action="confirmed", object_type="document", object_id=document.pk, actor=actor,
        data=confirmation_data(recognition, document_type=document_type,
                               file_reference=file_reference))


def confirming_actor(confirmed: dict) -> Actor:
    """Who confirmed on the command line, from what the ingest command recorded in the job's
    provenance: the --user (if an account), the operating-system account, the channel."""
    username = confirmed.get("user") or ""
    user = get_user_model().objects.filter(username=username).first() if username else None
    return Actor(user=user, channel="cli", os_user=confirmed.get("os_user", ""),
                 name="" if user else (username or "cli"))
