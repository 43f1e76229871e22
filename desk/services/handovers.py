"""Abgabe: handing a case file or a document to a colleague with a note is one logged action.
The colleague must be allowed to read it already; a hand-over grants no reading."""
from django.contrib.auth import get_user_model
from django.db import transaction

from archive.actors import Actor
from archive.errors import InvalidInput, PermissionDenied
from archive.guards import require_person
from archive.selectors import (
    case_file_visible_or_404,
    case_files_visible_to,
    document_visible_or_404,
    documents_visible_to,
)
from archive.services.events import event_append

from ..models import Handover

NOTE_MAX = Handover._meta.get_field("note").max_length


def handover_create(*, actor: Actor, to_username: str, case_file_id=None, document_id=None,
                    note: str = "") -> Handover:
    user = require_person(actor)
    if (case_file_id is None) == (document_id is None):
        raise InvalidInput("Bitte genau eine Akte oder ein Dokument abgeben.",
                           code="HANDOVER_TARGET")
    # What the giver may not read does not exist for them (404).
    target = (case_file_visible_or_404(user, case_file_id) if case_file_id is not None
              else document_visible_or_404(user, document_id))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Die Notiz ist länger als {NOTE_MAX} Zeichen.",
                           code="HANDOVER_NOTE_TOO_LONG")
    colleague = get_user_model().objects.filter(username=to_username, is_active=True).first()
    if colleague is None or colleague.pk == user.pk:
        raise InvalidInput("Bitte eine andere aktive Kollegin oder einen anderen aktiven "
                           "Kollegen wählen.", code="HANDOVER_RECIPIENT")
    readable = (case_files_visible_to(colleague) if case_file_id is not None
                else documents_visible_to(colleague)).filter(pk=target.pk).exists()
    if not readable:
        raise PermissionDenied(
            f"{colleague.get_full_name() or colleague.username} darf "
            f"{'diese Akte' if case_file_id is not None else 'dieses Dokument'} nicht lesen; "
            "die Abgabe ist nicht möglich.", code="HANDOVER_NOT_READABLE")
    object_type = "case_file" if case_file_id is not None else "document"
    with transaction.atomic():
        handover = Handover.objects.create(
            from_user=user, to_user=colleague, note=note,
            case_file=target if case_file_id is not None else None,
            document=target if document_id is not None else None)
        # The note stays on the desk item; the trail names who handed what to whom.
        event_append(action="handed_over", object_type=object_type, object_id=target.pk,
                     actor=actor, data={"to": colleague.username, "handover": handover.pk})
    return handover
