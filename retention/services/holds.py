"""Legal holds (Aufbewahrungssperren): while one stands, nothing in the case file is destroyed,
whichever path asks."""
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, PermissionDenied
from archive.guards import is_data_protection_officer, require_person
from archive.models import CaseFile
from archive.services.events import event_append

from ..models import CaseFileRetention, LegalHold, TransferItem


def _require_hold_permission(user) -> None:
    if not (is_data_protection_officer(user) or user.has_perm("retention.manage_holds")):
        raise PermissionDenied("Sperren setzen und aufheben dürfen nur Berechtigte.")


def holds_list(*, user, page, purpose: str = "Aufbewahrungssperren",
               list_name: str = "api") -> list[LegalHold]:
    """A page of holds (file references, reasons, mandates) for who may manage holds: one
    logged read naming the holds and their case files."""
    _require_hold_permission(user)
    holds = list(page)
    event_append(action="listed", object_type="hold_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"holds": [hold.pk for hold in holds],
                       "case_files": sorted({hold.case_file_id for hold in holds})})
    return holds


def holds_active(case_file_ids) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(case_file_id__in=list(case_file_ids), lifted_at__isnull=True)


def hold_place(*, actor: Actor, case_file: CaseFile, reason: str, mandate: str) -> LegalHold:
    user = require_person(actor)
    _require_hold_permission(user)
    if not reason.strip() or not mandate.strip():
        raise InvalidInput("Eine Sperre braucht Grund und Anordnung.", code="REASON_REQUIRED")
    with transaction.atomic():
        hold = LegalHold.objects.create(case_file=case_file, reason=reason, mandate=mandate,
                                        placed_by=user.username)
        event_append(action="hold_placed", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=reason,
                     data={"hold": hold.pk, "mandate": mandate})
    return hold


def hold_lift(*, actor: Actor, hold: LegalHold, reason: str) -> LegalHold:
    user = require_person(actor)
    _require_hold_permission(user)
    if hold.lifted_at is not None:
        raise Conflict("Die Sperre ist bereits aufgehoben.", code="HOLD_LIFTED")
    if not reason.strip():
        raise InvalidInput("Wer eine Sperre aufhebt, begründet das.", code="REASON_REQUIRED")
    with transaction.atomic():
        hold.lifted_by, hold.lifted_at = user.username, timezone.now()
        hold.lift_reason = reason.strip()
        hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        event_append(action="hold_lifted", object_type="case_file", object_id=hold.case_file_id,
                     actor=actor, purpose=reason, data={"hold": hold.pk})
    return hold


def destruction_veto(case_file_ids) -> None:
    """Raise if anything in these case files must not be destroyed now."""
    held = sorted(set(holds_active(case_file_ids).values_list("case_file__file_reference",
                                                              flat=True)))
    if held:
        raise Conflict(f"Gesperrt (Aufbewahrungssperre): {', '.join(held)}.", code="HELD")
    awaiting = CaseFileRetention.objects.filter(case_file_id__in=list(case_file_ids),
                                                action="offer").exclude(archive_decision="destroy")
    # What the archive has confirmed importing (xdomea 0506) is no longer awaited.
    awaiting = awaiting.exclude(case_file_id__in=TransferItem.objects.filter(
        import_confirmed=True).values("case_file_id"))
    pending = sorted(awaiting.values_list("case_file__file_reference", flat=True))
    if pending:
        raise Conflict("Dem Archiv anzubieten; vor dessen Entscheidung wird nichts vernichtet: "
                       f"{', '.join(pending)}.", code="AWAITING_ARCHIVE")
