"""Legal holds (Aufbewahrungssperren) for the data-protection officer: the active and lifted
holds with who placed and lifted them and why, placing one on a case file, lifting one. While
a hold stands no path destroys anything in the file (retention/services/holds.py)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound
from archive.guards import require_role
from archive.models import Role
from archive.services.casefiles import case_file_by_reference
from retention.models import LegalHold
from retention.services.holds import hold_lift, hold_place

from ..listing import Column, listing
from ..retention_forms import HoldForm
from .actions import object_or_404, run_action

HOLD_COLUMNS = [
    Column("akte", gettext_lazy("Akte"), ("case_file__file_reference",)),
    Column("gesetzt", gettext_lazy("gesetzt"), ("placed_at",)),
    Column("aufgehoben", gettext_lazy("aufgehoben"), ("lifted_at",)),
]
STATES = {"aktiv": {"lifted_at__isnull": True}, "aufgehoben": {"lifted_at__isnull": False},
          "alle": {}}


@login_required
@require_GET
def holds_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    state = request.GET.get("status", "aktiv")
    if state not in STATES:
        state = "aktiv"
    holds = LegalHold.objects.filter(**STATES[state]).select_related("case_file")
    found = listing(request, holds, columns=HOLD_COLUMNS, default_sort="-gesetzt",
                    keep=("status",))
    return render(request, "web/holds.html", {
        "listing": found, "holds": found.page.object_list, "state": state,
        "states": [("aktiv", _("bestehende")), ("aufgehoben", _("aufgehobene")),
                   ("alle", _("alle"))],
        "form": HoldForm(initial={"file_reference": request.GET.get("akte", "")})})


@login_required
@require_POST
def hold_new(request):
    require_role(request.user, Role.DATA_PROTECTION)

    def place():
        case_file = case_file_by_reference(request.POST.get("file_reference", "").strip())
        if case_file is None or case_file.destroyed_at is not None:
            raise NotFound()
        hold_place(actor=actor_for_request(request), case_file=case_file,
                   reason=request.POST.get("reason", ""), mandate=request.POST.get("mandate", ""))

    return run_action(request, place, success=_("Die Sperre wurde gesetzt."),
                      back=reverse("web:holds"))


@login_required
@require_POST
def hold_end(request, hold_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    hold = object_or_404(LegalHold, hold_id)
    return run_action(request, lambda: hold_lift(actor=actor_for_request(request), hold=hold,
                                                 reason=request.POST.get("reason", "")),
                      success=_("Die Sperre wurde aufgehoben."), back=reverse("web:holds"))
