"""Break-glass: a caseworker opens a case file outside their unit by stating why. The opening
is time-limited, written to the trail and listed for the data-protection officer's review."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..actors import Actor
from ..errors import InvalidInput, NotFound
from ..guards import require_person, require_role
from ..models import BreakGlass, Role
from .casefiles import case_file_by_reference
from .events import event_append

MIN_REASON_CHARS = 15


def break_glass_open(*, actor: Actor, file_reference: str, reason: str) -> BreakGlass:
    user = require_person(actor)
    require_role(user, Role.CASEWORKER)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise InvalidInput("Bitte begründen Sie den Notfallzugriff nachvollziehbar "
                           f"(mindestens {MIN_REASON_CHARS} Zeichen).", code="REASON_REQUIRED")
    case_file = case_file_by_reference(file_reference.strip())
    profile = user.staff_profile
    if (case_file is None or case_file.staff_case
            or case_file.confidentiality > profile.clearance):
        # Staff cases and files above one's clearance are not opened by break-glass.
        raise NotFound()
    hours = getattr(settings, "BREAK_GLASS_HOURS", 4)
    with transaction.atomic():
        opening = BreakGlass.objects.create(
            user=user, case_file=case_file, reason=reason.strip(),
            expires_at=timezone.now() + timedelta(hours=hours))
        event_append(action="break_glass", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=reason.strip(),
                     data={"opening": opening.pk, "expires_at": opening.expires_at.isoformat(),
                           "flagged_for": "data_protection"})
    return opening


def break_glass_review(*, actor: Actor, opening: BreakGlass, note: str) -> BreakGlass:
    user = require_person(actor)
    require_role(user, Role.DATA_PROTECTION)
    with transaction.atomic():
        opening.reviewed_by, opening.reviewed_at = user.username, timezone.now()
        opening.review_note = note
        opening.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        event_append(action="break_glass_reviewed", object_type="case_file",
                     object_id=opening.case_file_id, actor=actor, purpose=note,
                     data={"opening": opening.pk})
    return opening
