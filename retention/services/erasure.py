"""Erasure requests: erase where the law allows it, restrict processing where retention or a
hold forbids erasure, and record the decision with its reason."""
from datetime import date

from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.guards import is_data_protection_officer, require_person
from archive.models import CaseFile
from archive.services.destruction import case_files_destroy
from archive.services.events import event_append
from archive.services.subject_rights import case_file_restrict

from ..models import CaseFileRetention, ErasureDecision, ErasureRequest
from .holds import holds_active
from .schedules import retention_recompute


def _dpo_only(user) -> None:
    if not is_data_protection_officer(user):
        raise NotFound()


def erasure_request_record(*, actor: Actor, case_file: CaseFile, received_on: date,
                           note: str = "") -> ErasureRequest:
    user = require_person(actor)
    _dpo_only(user)
    if case_file.destroyed_at is not None:
        raise NotFound()
    if received_on > timezone.localdate():
        raise InvalidInput("Der Eingang eines Antrags liegt nicht in der Zukunft.",
                           code="DATE_IN_FUTURE")
    with transaction.atomic():
        request = ErasureRequest.objects.create(case_file=case_file, received_on=received_on,
                                                note=note, recorded_by=user.username)
        event_append(action="erasure_requested", object_type="case_file",
                     object_id=case_file.pk, actor=actor,
                     data={"request": request.pk, "received_on": received_on.isoformat()})
    return request


def erasure_obstacle(case_file: CaseFile) -> str | None:
    """What forbids erasing this case file now (a hold, retention, the duty to offer), in
    German, or None."""
    if holds_active([case_file.pk]).exists():
        return "Eine Aufbewahrungssperre steht der Löschung entgegen."
    record = retention_recompute(case_file=case_file)
    today = timezone.localdate()
    if record.end is None:
        return "Die Aufbewahrungsfrist hat noch nicht begonnen (Akte nicht zdA verfügt)."
    if record.end >= today:
        return f"Die gesetzliche Aufbewahrungsfrist läuft bis {record.end.isoformat()}."
    if record.action == "offer" and record.archive_decision != "destroy":
        return "Die Akte ist dem Archiv anzubieten; dessen Entscheidung steht aus."
    return None


OUTCOMES = ("erase", "restrict", "refuse")


def erasure_decide(*, actor: Actor, request: ErasureRequest, reason: str,
                   outcome: str = "erase") -> ErasureRequest:
    """The officer's decision. "erase": erase if nothing forbids it, otherwise restrict
    processing instead (Art. 18 GDPR, § 84 Abs. 3 SGB X). "restrict": restrict although
    erasure might be allowed (the person asked for it, or erasure would harm their interests).
    "refuse": neither, e.g. the right does not apply (Art. 17 Abs. 3 GDPR); the file stays as
    it is. Restricting or refusing by choice needs a reason. Either way the decision and its
    reason are recorded."""
    user = require_person(actor)
    _dpo_only(user)
    if outcome not in OUTCOMES:
        raise InvalidInput("Bitte wählen Sie eine Entscheidung: löschen, einschränken oder "
                           "ablehnen.", code="ERASURE_OUTCOME_INVALID")
    if request.decision:
        raise Conflict("Über diesen Antrag ist bereits entschieden.", code="DECIDED")
    if outcome != "erase" and not reason.strip():
        raise InvalidInput("Wer einschränkt statt löscht oder den Antrag ablehnt, begründet "
                           "das.", code="REASON_REQUIRED")
    case_file = CaseFile.objects.get(pk=request.case_file_id)  # the current state decides
    if case_file.destroyed_at is not None:
        raise Conflict(f"Die Akte {case_file.file_reference} ist bereits vernichtet.",
                       code="DESTROYED")
    obstacle = erasure_obstacle(case_file) if outcome == "erase" else None
    full_reason = " ".join(part for part in (obstacle, reason.strip()) if part)
    if outcome == "refuse":
        decision = ErasureDecision.REFUSED
    elif obstacle or outcome == "restrict":
        if not case_file.restricted:
            case_file_restrict(actor=actor, case_file=case_file, reason=full_reason)
        decision = ErasureDecision.RESTRICTED
    else:
        record = CaseFileRetention.objects.get(case_file=case_file)
        case_files_destroy(case_file_ids=[case_file.pk], actor=actor, approval={
            "list": f"erasure-{request.pk}", "proposed_by": request.recorded_by,
            "approved_by": user.username,
            "schedules": {str(case_file.pk): {"key": record.schedule_key,
                                              "retention_end": record.end.isoformat()}}})
        decision = ErasureDecision.ERASED
    with transaction.atomic():
        request.decision, request.reason = decision, full_reason
        request.decided_by, request.decided_at = user.username, timezone.now()
        request.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        event_append(action="erasure_decided", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=full_reason,
                     data={"request": request.pk, "decision": decision, "asked": outcome})
    return request
