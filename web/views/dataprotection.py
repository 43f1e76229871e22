"""The data-protection officer's pages: break-glass review, access reports, fixity, trail."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.checkpoints import checkpoint_lines
from archive.guards import require_role
from archive.models import BreakGlass, Role
from archive.selectors import break_glass_open_for_review
from archive.services.breakglass import break_glass_review
from archive.services.events import trail_status
from archive.services.fixity import fixity_alerts
from archive.services.log_retention import log_retention_status
from archive.services.reports import Narrowing, Period, report_csv, report_groups, report_run
from archive.services.trail import trail_entries
from archive.timestamps import tsa_status
from oversight.services import alerts_open_count

from ..forms import ReportForm
from .actions import object_or_404, run_action


@login_required
@require_GET
def overview(request):
    require_role(request.user, Role.DATA_PROTECTION)
    return render(request, "web/dataprotection.html", {
        "openings": break_glass_open_for_review()[:200],
        "alerts": fixity_alerts()[:100],
        # Only what was appended since the last check; the full check runs daily.
        "trail": trail_status(),
        "tsa": tsa_status(len(checkpoint_lines())),
        "form": ReportForm(),
        "alerts_open": alerts_open_count(request.user),
        "log_retention": log_retention_status(),
    })


@login_required
@require_POST
def review(request, opening_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    opening = object_or_404(BreakGlass, opening_id)
    return run_action(request, lambda: break_glass_review(
        actor=actor_for_request(request), opening=opening, note=request.POST.get("note", "")),
        success=_("Als geprüft vermerkt."), back=reverse("web:data_protection"))


@login_required
@require_GET
def report(request):
    require_role(request.user, Role.DATA_PROTECTION)
    form = ReportForm(request.GET or None)
    groups = entries = None
    if form.is_valid():
        data = form.cleaned_data
        entries = trail_entries(report_run(
            actor=actor_for_request(request), kind=data["kind"], subject=data["subject"],
            period=Period(data["start"], data["end"]),
            narrowing=Narrowing(user=data.get("user") or "", action=data.get("action") or "")))
        if request.GET.get("format") == "csv":
            response = HttpResponse(report_csv(entries), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="zugriffsbericht.csv"'
            return response
        groups = report_groups(entries)
    return render(request, "web/report.html", {"form": form, "groups": groups,
                                               "entries": entries})
