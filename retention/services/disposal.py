"""Reviewed disposal: what is due, a proposal by one person, approval by a second, and
execution through the archive's single destruction path, with a protocol."""
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.blobstore import blob_open, blob_put_bytes
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.guards import is_data_protection_officer, require_dpo_or_system, require_person
from archive.models import CaseFile
from archive.pdfa_check import protocol_checked
from archive.selectors import events_for_object
from archive.services.destruction import case_files_destroy
from archive.services.events import event_append

from ..models import CaseFileRetention, DisposalList, DisposalState
from ..protocol import protocol_json, protocol_pdfa
from .holds import holds_active
from .schedules import retention_recompute


@dataclass(frozen=True)
class DueItem:
    case_file: CaseFile
    retention_end: object
    action: str
    schedule_key: str
    why: str


def retention_due(*, today=None) -> list[DueItem]:
    """Everything past its end that no hold protects, with the reason it is due."""
    today = today or timezone.localdate()
    for case_file in CaseFile.objects.filter(destroyed_at__isnull=True):
        retention_recompute(case_file=case_file)
    records = (CaseFileRetention.objects.filter(case_file__destroyed_at__isnull=True)
               .select_related("case_file"))
    held = set(holds_active([r.case_file_id for r in records])
               .values_list("case_file_id", flat=True))
    due = []
    for record in records:
        end = record.end
        if end is None or end >= today or record.case_file_id in held:
            continue
        why = (f"Frist {record.schedule_key} endete am {end.isoformat()}"
               + (f" (abweichend festgesetzt: {record.override_reason})"
                  if record.override_end else ""))
        due.append(DueItem(record.case_file, end, record.action, record.schedule_key, why))
    return due


def _may(user, permission: str) -> bool:
    return is_data_protection_officer(user) or user.has_perm(permission)


def disposal_propose(*, actor: Actor, case_file_ids: list[int]) -> DisposalList:
    user = require_person(actor)
    if not _may(user, "retention.propose_disposal"):
        raise PermissionDenied("Aussonderungen schlagen nur Berechtigte vor.")
    due = {item.case_file.pk: item for item in retention_due()}
    not_due = [pk for pk in case_file_ids if pk not in due]
    if not case_file_ids or not_due:
        raise InvalidInput("Nur fällige, nicht gesperrte Akten können vorgeschlagen werden.",
                           code="NOT_DUE")
    with transaction.atomic():
        disposal = DisposalList.objects.create(proposed_by=user.username)
        disposal.case_files.set(case_file_ids)
        event_append(action="disposal_proposed", object_type="disposal", object_id=disposal.pk,
                     actor=actor, data={"case_files": case_file_ids})
    return disposal


def disposal_approve(*, actor: Actor, disposal: DisposalList) -> DisposalList:
    user = require_person(actor)
    if not _may(user, "retention.approve_disposal"):
        raise PermissionDenied("Aussonderungen genehmigen nur Berechtigte.")
    if disposal.state != DisposalState.PROPOSED:
        raise Conflict("Diese Liste wartet nicht auf Genehmigung.", code="NOT_PROPOSED")
    if user.username == disposal.proposed_by:
        raise PermissionDenied("Vier-Augen-Prinzip: Wer vorschlägt, genehmigt nicht selbst.",
                               code="FOUR_EYES")
    _require_other_operator(actor, disposal)
    with transaction.atomic():
        disposal.state, disposal.approved_by = DisposalState.APPROVED, user.username
        disposal.approved_at = timezone.now()
        disposal.save(update_fields=["state", "approved_by", "approved_at"])
        event_append(action="disposal_approved", object_type="disposal", object_id=disposal.pk,
                     actor=actor, data={"proposed_by": disposal.proposed_by})
    return disposal


def _require_other_operator(actor: Actor, disposal: DisposalList) -> None:
    """Two user names are not two people if one operator typed both: the command line records
    its OS account and its run in every event, and the approval must come from another
    account and another run than the proposal."""
    proposed = (events_for_object("disposal", disposal.pk).filter(action="disposal_proposed")
                .order_by("seq").first())
    via = (proposed.data or {}).get("via", {}) if proposed else {}
    if actor.invocation and via.get("invocation") == actor.invocation:
        raise PermissionDenied("Vier-Augen-Prinzip: Vorschlag und Genehmigung kommen nie aus "
                               "demselben Aufruf.", code="FOUR_EYES_SAME_INVOCATION")
    if actor.os_user and via.get("os_user") == actor.os_user:
        raise PermissionDenied("Vier-Augen-Prinzip: Dasselbe Betriebssystemkonto hat die Liste "
                               "vorgeschlagen; genehmigen muss eine andere Person an ihrem "
                               "eigenen Zugang.", code="FOUR_EYES_SAME_OS_ACCOUNT")


def disposal_reject(*, actor: Actor, disposal: DisposalList, reason: str) -> DisposalList:
    """A proposed list that should not be carried out: rejected by a second officer, or
    withdrawn by the one who proposed it. It stays, with who and why, and its files become
    due again for a new proposal."""
    user = require_person(actor)
    if not _may(user, "retention.approve_disposal"):
        raise PermissionDenied("Aussonderungen lehnen nur Berechtigte ab.")
    if not reason.strip():
        raise InvalidInput("Eine Ablehnung braucht eine Begründung.", code="REASON_REQUIRED")
    with transaction.atomic():
        disposal = DisposalList.objects.select_for_update().get(pk=disposal.pk)
        if disposal.state != DisposalState.PROPOSED:
            raise Conflict("Diese Liste wartet nicht auf Genehmigung.", code="NOT_PROPOSED")
        disposal.state = DisposalState.REJECTED
        disposal.save(update_fields=["state"])
        event_append(action="disposal_rejected", object_type="disposal", object_id=disposal.pk,
                     actor=actor, purpose=reason.strip(),
                     data={"proposed_by": disposal.proposed_by})
    return disposal


def disposal_protocol(*, actor: Actor, disposal: DisposalList, kind: str = "pdf") -> bytes:
    """The destruction protocol of an executed list, as PDF/A or JSON; reading it is logged."""
    require_dpo_or_system(actor, "Vernichtungsprotokolle liest nur der Datenschutz.")
    if disposal.state != DisposalState.EXECUTED:
        raise Conflict("Ein Protokoll gibt es erst, wenn die Liste vollzogen ist.",
                       code="NOT_EXECUTED")
    sha256 = disposal.protocol_pdf_sha256 if kind == "pdf" else disposal.protocol_sha256
    with blob_open(sha256) as stream:
        body = stream.read()
    event_append(action="downloaded", object_type="disposal", object_id=disposal.pk,
                 actor=actor, purpose="Vernichtungsprotokoll",
                 data={"format": kind, "sha256": sha256})
    return body


def disposal_execute(*, disposal_id: int, actor: Actor) -> DisposalList:
    """Every path (page, API, command, scheduled run) ends here, and destruction itself asks
    the holds once more right before it acts. The data-protection officer or the scheduled
    run executes; nobody else."""
    require_dpo_or_system(actor, "Aussonderungen vollzieht nur der Datenschutz.")
    disposal = DisposalList.objects.filter(pk=disposal_id).first()
    if disposal is None:
        raise NotFound()
    if disposal.state != DisposalState.APPROVED:
        raise Conflict("Nur genehmigte Listen werden vollzogen.", code="NOT_APPROVED")
    ids = list(disposal.case_files.values_list("pk", flat=True))
    records = {r.case_file_id: r for r in CaseFileRetention.objects.filter(case_file_id__in=ids)}
    # Everything on the list goes to the kernel, whose veto (holds, a pending decision of the
    # public archive) refuses the whole list rather than silently skipping a file.
    to_destroy = ids
    approval = {
        "list": disposal.pk, "proposed_by": disposal.proposed_by,
        "approved_by": disposal.approved_by,
        "schedules": {str(pk): {"key": records[pk].schedule_key,
                                "retention_end": records[pk].end.isoformat()}
                      for pk in ids},
    }
    residuals = case_files_destroy(case_file_ids=to_destroy, approval=approval, actor=actor)
    protocol = {
        "list": disposal.pk, "proposed_by": disposal.proposed_by,
        "proposed_at": disposal.proposed_at.isoformat(), "approved_by": disposal.approved_by,
        "approved_at": disposal.approved_at.isoformat(),
        "executed_at": timezone.now().isoformat(), "executed_by": actor.label,
        "executed_via": actor.trail(),
        "case_files": residuals["case_files"],
        "documents": [residual["id"] for residual in residuals["documents"]],
    }
    body, pdf = protocol_json(protocol), protocol_pdfa(protocol)
    pdfa = protocol_checked(pdf, what=f"destruction protocol of list {disposal.pk}")
    json_blob, pdf_blob = blob_put_bytes(body), blob_put_bytes(pdf)
    with transaction.atomic():
        disposal.state, disposal.executed_at = DisposalState.EXECUTED, timezone.now()
        disposal.protocol_sha256, disposal.protocol_pdf_sha256 = json_blob.sha256, pdf_blob.sha256
        disposal.save(update_fields=["state", "executed_at", "protocol_sha256",
                                     "protocol_pdf_sha256"])
        event_append(action="disposal_executed", object_type="disposal", object_id=disposal.pk,
                     actor=actor, data={"protocol_sha256": hashlib.sha256(body).hexdigest(),
                                        "protocol_pdf_sha256": pdf_blob.sha256,
                                        "protocol_pdf_pdfa": pdfa.as_data(),
                                        "destroyed_case_files": to_destroy})
    return disposal


def disposal_execute_approved(*, actor: Actor) -> list[int]:
    """The scheduled run: execute approved lists; a held list stays approved and is reported."""
    if not actor.is_system:
        raise PermissionDenied("Alle genehmigten Listen vollzieht nur der geplante Lauf.")
    executed = []
    for disposal in DisposalList.objects.filter(state=DisposalState.APPROVED):
        try:
            disposal_execute(disposal_id=disposal.pk, actor=actor)
            executed.append(disposal.pk)
        except Conflict as refusal:
            event_append(action="disposal_blocked", object_type="disposal",
                         object_id=disposal.pk, actor=actor,
                         data={"code": refusal.code, "message": refusal.message})
    return executed
