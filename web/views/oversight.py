"""The officer's misuse alerts (oversight app): the list shows readers as pseudonyms; opening
one reveals the reader and is logged; the review marks it "geprüft" or "unbegründet"."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.guards import require_role
from archive.models import Event, Role
from archive.services.trail import trail_entries
from oversight.models import AlertState
from oversight.pseudonyms import pseudonym
from oversight.rules import rules_current
from oversight.services import alert_open, alert_review, alerts_for_officer

from .actions import run_action


@login_required
@require_GET
def alerts_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    state = request.GET.get("stand", AlertState.OPEN)
    state = state if state in AlertState.values or state == "" else AlertState.OPEN
    alerts = list(alerts_for_officer(actor=actor_for_request(request), state=state)[:200])
    for alert in alerts:
        alert.pseudonym = pseudonym(alert.username)
    return render(
        request,
        "web/alerts.html",
        {"alerts": alerts, "state": state, "states": AlertState.choices, "rules": rules_current()},
    )


@login_required
@require_GET
def alert_page(request, alert_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    opened = alert_open(actor=actor_for_request(request), alert_id=alert_id)
    entries = trail_entries(Event.objects.filter(seq__in=opened.seqs).order_by("seq"))
    return render(
        request,
        "web/alert.html",
        {
            "opened": opened,
            "alert": opened.alert,
            "entries": entries,
            "pseudonym": pseudonym(opened.alert.username),
        },
    )


@login_required
@require_POST
def alert_review_action(request, alert_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    return run_action(
        request,
        lambda: alert_review(
            actor=actor_for_request(request),
            alert_id=alert_id,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        ),
        success=_("Die Prüfung ist vermerkt."),
        back=reverse("web:alert", args=[alert_id]),
    )
