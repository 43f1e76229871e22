"""Follow-ups (Wiedervorlagen): create, move, close. Each authorizes its actor (who may change
the case file, archive/guards.py) and writes one event in the hash-chained trail. The trail
keeps no reason text (a note may name people, and the trail outlives destruction)."""
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.guards import require_open, require_person, require_work
from archive.models import CaseFile, Unit
from archive.selectors import (
    case_file_visible_or_404,
    case_files_visible_to,
    document_visible_or_404,
)
from archive.services.events import event_append

from .models import FollowUp

REASON_MAX = 500


def _unit_may_read(unit: Unit, case_file: CaseFile) -> bool:
    """A unit's shared desk sees the file when the unit owns it or holds a live share; staff
    cases and restricted files are never for a unit."""
    if case_file.staff_case or case_file.restricted:
        return False
    if case_file.unit_id == unit.pk:
        return True
    now = timezone.now()
    return case_file.shares.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now),
                                   unit=unit, revoked_at__isnull=True).exists()


def _assignee_checked(case_file: CaseFile, assignee, unit: Unit | None) -> None:
    if (assignee is None) == (unit is None):
        raise InvalidInput("Eine Wiedervorlage ist für genau eine Person oder eine "
                           "Organisationseinheit.", code="FOLLOW_UP_ASSIGNEE_INVALID")
    if assignee is not None:
        may_read = (assignee.is_active
                    and case_files_visible_to(assignee).filter(pk=case_file.pk).exists())
    else:
        may_read = _unit_may_read(unit, case_file)
    if not may_read:
        # Said the same way whether the person exists or only may not read the file.
        raise InvalidInput("Diese Person oder Organisationseinheit darf die Akte nicht lesen.",
                           code="FOLLOW_UP_ASSIGNEE_INVALID")


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Bitte einen Anlass angeben.", code="FOLLOW_UP_REASON_MISSING")
    return reason[:REASON_MAX]


def _due_checked(due) -> date:
    if not isinstance(due, date):
        raise InvalidInput("Bitte ein Datum angeben (TT.MM.JJJJ).", code="DATE_INVALID")
    if due < timezone.localdate():
        raise InvalidInput("Eine Wiedervorlage liegt heute oder später.",
                           code="FOLLOW_UP_DUE_PAST")
    return due


def _trail_data(follow_up: FollowUp, case_file: CaseFile) -> dict:
    return {"case_file": case_file.file_reference, "document": follow_up.document_id,
            "due": follow_up.due.isoformat(),
            "assignee": follow_up.assignee.username if follow_up.assignee_id else None,
            "unit": follow_up.unit.code if follow_up.unit_id else None}


def follow_up_create(*, actor: Actor, due: date, reason: str, case_file_id=None,
                     document_id=None, assignee=None, unit: Unit | None = None) -> FollowUp:
    """On a case file or on a document (exactly one), for one person or one unit that may
    read the file; by whoever may change the file."""
    user = require_person(actor)
    if (case_file_id is None) == (document_id is None):
        raise InvalidInput("Eine Wiedervorlage gehört zu einer Akte oder einem Dokument.",
                           code="FOLLOW_UP_TARGET_INVALID")
    document = None
    if document_id is not None:
        document = document_visible_or_404(user, document_id)
        if document.case_file_id is None:
            raise NotFound()  # inbox post is the mailroom's, not a caseworker's to plan
        case_file = document.case_file
    else:
        case_file = case_file_visible_or_404(user, case_file_id)
    require_work(user, case_file)
    require_open(case_file)
    due, reason = _due_checked(due), _reason_checked(reason)
    _assignee_checked(case_file, assignee, unit)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            case_file=None if document else case_file, document=document, due=due,
            reason=reason, assignee=assignee, unit=unit, created_by=actor.label)
        event_append(action="follow_up_created", object_type="follow_up",
                     object_id=follow_up.pk, actor=actor,
                     data=_trail_data(follow_up, case_file))
    return follow_up


def _open_follow_up_to_change(actor: Actor, follow_up_id) -> tuple[FollowUp, CaseFile]:
    user = require_person(actor)
    try:
        follow_up = (FollowUp.objects.select_for_update(of=("self",))
                     .select_related("document__case_file", "case_file", "assignee", "unit")
                     .get(pk=int(follow_up_id)))
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    case_file = follow_up.target_case_file
    if case_file is None:
        raise NotFound()
    case_file_visible_or_404(user, case_file.pk)
    require_work(user, case_file)
    if follow_up.closed_at is not None:
        raise Conflict("Die Wiedervorlage ist bereits erledigt.", code="FOLLOW_UP_CLOSED")
    return follow_up, case_file


def follow_up_move(*, actor: Actor, follow_up_id, due: date, reason: str = "") -> FollowUp:
    """Move to another day; the event names the old and the new date and, if given, why
    (as the entry's purpose, sealed like every purpose)."""
    due = _due_checked(due)
    reason = reason.strip()
    if len(reason) > 500:
        raise InvalidInput("Die Begründung ist zu lang (höchstens 500 Zeichen).",
                           code="REASON_TOO_LONG")
    with transaction.atomic():
        follow_up, case_file = _open_follow_up_to_change(actor, follow_up_id)
        require_open(case_file)
        old = follow_up.due
        follow_up.due = due
        follow_up.save(update_fields=["due"])
        event_append(action="follow_up_moved", object_type="follow_up", object_id=follow_up.pk,
                     actor=actor, purpose=reason, seal_as=("case_file", case_file.pk),
                     data={**_trail_data(follow_up, case_file), "from": old.isoformat()})
    return follow_up


def follow_up_close(*, actor: Actor, follow_up_id) -> FollowUp:
    """Done. Allowed on a closed case file too: its follow-ups must be able to go."""
    with transaction.atomic():
        follow_up, case_file = _open_follow_up_to_change(actor, follow_up_id)
        follow_up.closed_at = timezone.now()
        follow_up.closed_by = actor.label
        follow_up.save(update_fields=["closed_at", "closed_by"])
        event_append(action="follow_up_closed", object_type="follow_up",
                     object_id=follow_up.pk, actor=actor,
                     data=_trail_data(follow_up, case_file))
    return follow_up


def follow_ups_forget(*, document_ids: list[int]) -> None:
    """Destruction: nothing of a destroyed document or case file stays here."""
    FollowUp.objects.filter(Q(document_id__in=document_ids)
                            | Q(case_file__destroyed_at__isnull=False)
                            | Q(document__destroyed_at__isnull=False)).delete()


