"""Four eyes before the trail is analysed beyond a single report (issue 14.2).

A report on one case file or one person concerned answers a question about social data and
stays the officer's own. Everything a staff member did, across files (the report of kind
`user`), is an analysis of staff behaviour, which staff-council agreements (§ 80 BPersVG,
§ 87 Abs. 1 Nr. 6 BetrVG) let happen only with a second pair of eyes: the data-protection
officer asks, naming whose activity, the period and why; an administrator (another person
and another role, who reads no case files and gains nothing from the answer) approves or
refuses; an approval is usable for `TRAIL_ANALYSIS_APPROVAL_DAYS`, by the officer who asked,
for that staff member and within that period. Request, approval and refusal are trail
entries; each use is the report's own entry, which names the approval."""
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..actors import Actor
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..guards import require_person, require_role
from ..models import Role, TrailAnalysis
from ..permissions import user_role
from .events import event_append


def trail_analysis_request(*, actor: Actor, subject: str, start: date, end: date,
                           reason: str) -> TrailAnalysis:
    officer = require_person(actor)
    require_role(officer, Role.DATA_PROTECTION)
    subject, reason = subject.strip(), reason.strip()
    if not subject or not reason:
        raise InvalidInput("Bitte die Person und den Anlass der Auswertung angeben.",
                           code="TRAIL_ANALYSIS_PERIOD")
    if start > end:
        raise InvalidInput("Der Zeitraum endet vor seinem Beginn.", code="TRAIL_ANALYSIS_PERIOD")
    with transaction.atomic():
        analysis = TrailAnalysis.objects.create(subject=subject, start=start, end=end,
                                                reason=reason, requested_by=officer)
        event_append(action="trail_analysis_requested", object_type="trail_analysis",
                     object_id=analysis.pk, actor=actor, data=_recorded(analysis))
    return analysis


def trail_analysis_decide(*, actor: Actor, analysis: TrailAnalysis, approve: bool,
                          note: str = "") -> TrailAnalysis:
    """The second pair of eyes: another person, of another role than the officer's."""
    decider = require_person(actor)
    if decider.pk == analysis.requested_by_id:
        raise PermissionDenied("Wer die Auswertung beantragt, genehmigt sie nicht selbst.",
                               code="TRAIL_ANALYSIS_SAME_PERSON")
    if user_role(decider) != Role.ADMINISTRATOR:
        raise PermissionDenied("Genehmigen darf nur eine Person einer anderen Rolle "
                               "(Administration).", code="TRAIL_ANALYSIS_SAME_ROLE")
    with transaction.atomic():
        analysis = TrailAnalysis.objects.select_for_update().get(pk=analysis.pk)
        if analysis.state != TrailAnalysis.State.REQUESTED:
            raise Conflict("Über diesen Antrag ist bereits entschieden.",
                           code="TRAIL_ANALYSIS_DECIDED")
        now = timezone.now()
        analysis.state = (TrailAnalysis.State.APPROVED if approve
                          else TrailAnalysis.State.REFUSED)
        analysis.decided_by, analysis.decided_at = decider, now
        analysis.decision_note = note.strip()
        if approve:
            analysis.valid_until = now + timedelta(days=settings.TRAIL_ANALYSIS_APPROVAL_DAYS)
        analysis.save()
        event_append(action="trail_analysis_approved" if approve else "trail_analysis_refused",
                     object_type="trail_analysis", object_id=analysis.pk, actor=actor,
                     data={**_recorded(analysis), "valid_until": analysis.valid_until})
    return analysis


def trail_analysis_approval(*, user, subject: str, start: date, end: date) -> TrailAnalysis:
    """The approval that covers this analysis by this officer, or TRAIL_ANALYSIS_NOT_APPROVED."""
    approval = (TrailAnalysis.objects
                .filter(state=TrailAnalysis.State.APPROVED, requested_by=user,
                        subject=subject.strip(), start__lte=start, end__gte=end,
                        valid_until__gt=timezone.now())
                .order_by("-decided_at").first())
    if approval is None:
        raise PermissionDenied("Diese Auswertung des Protokolls braucht eine gültige "
                               "Genehmigung nach dem Vier-Augen-Prinzip (Datenschutz und "
                               "Administration) für diese Person und diesen Zeitraum.",
                               code="TRAIL_ANALYSIS_NOT_APPROVED")
    return approval


def trail_analyses_visible(user):
    """The requests the officer and the administrators see; nobody else any."""
    if user_role(user) in (Role.DATA_PROTECTION, Role.ADMINISTRATOR):
        return TrailAnalysis.objects.select_related("requested_by", "decided_by")
    return TrailAnalysis.objects.none()


def _recorded(analysis: TrailAnalysis) -> dict:
    return {"subject_user": analysis.subject, "from": analysis.start.isoformat(),
            "to": analysis.end.isoformat()}
