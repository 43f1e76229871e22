"""Marks that data-subject rights put on a case file: restriction of processing (hidden from
caseworkers, overseen by the DPO) and 'disputed' (shown wherever the data appears)."""
from django.db import transaction

from ..actors import Actor
from ..errors import Conflict, InvalidInput, NotFound
from ..guards import is_data_protection_officer, may_work_on, require_person
from ..models import CaseFile
from ..signals import case_file_access_changed
from .events import event_append


def _reindex(case_file: CaseFile) -> None:
    case_file_access_changed.send(
        sender=CaseFile, case_file_id=case_file.pk,
        document_ids=list(case_file.documents.values_list("pk", flat=True)))


def case_file_restrict(*, actor: Actor, case_file: CaseFile, reason: str, restricted: bool = True):
    user = require_person(actor)
    if not is_data_protection_officer(user):
        raise NotFound()
    if not reason.strip():
        raise InvalidInput("Die Einschränkung braucht eine Begründung.", code="REASON_REQUIRED")
    with transaction.atomic():
        old = case_file.restricted
        case_file.restricted = restricted
        case_file.save(update_fields=["restricted"])
        event_append(action="restricted" if restricted else "unrestricted",
                     object_type="case_file", object_id=case_file.pk, actor=actor,
                     purpose=reason, data={"changes": {"restricted": [old, restricted]}})
        _reindex(case_file)
    return case_file


def case_file_restriction_lift(*, actor: Actor, case_file_id, reason: str) -> CaseFile:
    """End a restriction of processing (Art. 18 Abs. 3 GDPR: the person is told before it
    ends). Only the data-protection officer, only with a reason; the case file is re-indexed,
    so its unit finds it again."""
    user = require_person(actor)
    if not is_data_protection_officer(user):
        raise NotFound()
    case_file = CaseFile.objects.filter(pk=case_file_id, destroyed_at__isnull=True).first()
    if case_file is None:
        raise NotFound()
    if not case_file.restricted:
        raise Conflict("Die Verarbeitung dieser Akte ist nicht eingeschränkt.",
                       code="NOT_RESTRICTED")
    return case_file_restrict(actor=actor, case_file=case_file, reason=reason, restricted=False)


def case_file_mark_disputed(*, actor: Actor, case_file: CaseFile, note: str) -> CaseFile:
    """Note empty: the dispute is settled and the mark is removed."""
    user = require_person(actor)
    if not (may_work_on(user, case_file) or is_data_protection_officer(user)):
        raise NotFound()
    with transaction.atomic():
        old = case_file.disputed_note
        case_file.disputed_note = note.strip()[:500]
        case_file.save(update_fields=["disputed_note"])
        event_append(action="disputed" if note.strip() else "dispute_settled",
                     object_type="case_file", object_id=case_file.pk, actor=actor,
                     data={"changes": {"disputed": [bool(old), bool(note.strip())]}})
    return case_file
