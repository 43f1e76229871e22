"""The desk source of kind "signoff" (archive/desk_sources.py): steps awaiting the user's
co-signature or sign-off (their own and their units'), and refused rounds returned to them as
the author. Two queries whatever the length of the lists."""
from django.urls import reverse
from django.utils import timezone

from archive.desk_sources import DeskEntry, DeskScope

from .models import StepKind, StepState
from .selectors import routes_returned, steps_awaiting


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def signoff_desk_entries(scope: DeskScope) -> list[DeskEntry]:
    user = scope.user
    entries = []
    for step in steps_awaiting(user, unit_ids=scope.unit_ids):
        route, document = step.route, step.route.document
        what = ("Schlusszeichnung" if step.kind == StepKind.SIGN_OFF else "Mitzeichnung")
        entries.append(DeskEntry(
            kind="signoff", key=f"signoff_step:{step.pk}", title=document.title,
            url=reverse("web:document", args=[document.pk]) + "#zeichnung",
            case_file_id=document.case_file_id, document_id=document.pk,
            detail=f"{what} erbeten (Runde {route.round}, Version {route.version_number}) "
                   f"von {_who(route.author)}",
            for_user_id=step.user_id, unit_id=step.unit_id, created_at=route.created_at))
    returned = list(routes_returned(user).prefetch_related("steps__acted_by"))
    for route in returned:
        document = route.document
        refusal = next((s for s in route.steps.all() if s.state == StepState.REFUSED), None)
        entries.append(DeskEntry(
            kind="signoff", key=f"signoff_returned:{route.pk}", title=document.title,
            url=reverse("web:document", args=[document.pk]) + "#zeichnung",
            case_file_id=document.case_file_id, document_id=document.pk,
            detail=f"Zeichnung abgelehnt (Runde {route.round}) von "
                   f"{_who(refusal.acted_by) if refusal else ''}: überarbeiten und neu "
                   "in Umlauf geben",
            for_user_id=user.pk, created_at=route.closed_at or timezone.now()))
    return entries
