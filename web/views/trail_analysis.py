"""Four-eyes approvals of trail analyses: the officer asks, an administrator decides
(archive/services/trail_analysis.py). Thin: the services authorize."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound
from archive.guards import require_role
from archive.models import Role
from archive.permissions import user_role
from archive.services.trail_analysis import (
    trail_analyses_visible,
    trail_analysis_decide,
    trail_analysis_request,
)

from ..forms import TrailAnalysisForm
from .actions import cleaned, run_action


@login_required
@require_GET
def analyses_page(request):
    require_role(request.user, Role.DATA_PROTECTION, Role.ADMINISTRATOR)
    return render(request, "web/trail_analyses.html", {
        "analyses": trail_analyses_visible(request.user)[:200],
        "form": TrailAnalysisForm(),
        "may_request": user_role(request.user) == Role.DATA_PROTECTION,
        "may_decide": user_role(request.user) == Role.ADMINISTRATOR})


@login_required
@require_POST
def analysis_request(request):
    require_role(request.user, Role.DATA_PROTECTION)

    def run():
        data = cleaned(TrailAnalysisForm(request.POST))
        return trail_analysis_request(actor=actor_for_request(request), subject=data["subject"],
                                      start=data["start"], end=data["end"],
                                      reason=data["reason"])
    return run_action(request, run, success=_("Auswertung beantragt; eine Person der "
                                              "Administration muss sie genehmigen."),
                      back=reverse("web:trail_analyses"))


@login_required
@require_POST
def analysis_decide(request, analysis_id: int):
    require_role(request.user, Role.ADMINISTRATOR)
    analysis = trail_analyses_visible(request.user).filter(pk=analysis_id).first()
    if analysis is None:
        raise NotFound()
    approve = request.POST.get("decision") == "approve"
    return run_action(request, lambda: trail_analysis_decide(
        actor=actor_for_request(request), analysis=analysis, approve=approve,
        note=request.POST.get("note", "")),
        success=_("Genehmigt.") if approve else _("Abgelehnt."),
        back=reverse("web:trail_analyses"))
