from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.guards import is_administrator
from archive.models import FilePlanUnit
from archive.services.fileplan import plan_unit_create, plan_unit_update

from ..forms import PlanUnitForm, PlanUnitScheduleForm, schedule_options
from .actions import object_or_404, run_action


def _admin_only(user):
    if not (is_administrator(user) or user.has_perm("archive.manage_fileplan")):
        raise NotFound()


def _page(request, form, status=200):
    options = schedule_options()  # once for the page, not once per row
    known = {key for key, _label in options if key}
    rows = []
    for unit in FilePlanUnit.objects.all():
        row_form = PlanUnitScheduleForm(initial={"retention_schedule": unit.retention_schedule},
                                        auto_id=f"id_%s_{unit.pk}")
        row_form.fields["retention_schedule"].choices = options
        rows.append((unit, row_form, unit.retention_schedule in known))
    return render(request, "web/fileplan.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_GET
def file_plan_page(request):
    _admin_only(request.user)
    return _page(request, PlanUnitForm())


@login_required
@require_POST
def file_plan_create(request):
    _admin_only(request.user)
    form = PlanUnitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        parent = FilePlanUnit.objects.filter(code=data["code"].strip().rpartition(".")[0]).first()
        try:
            plan_unit_create(actor=actor_for_request(request), parent=parent, **data)
        except InvalidInput as error:
            form.add_error(None, f"{error.message} ({error.code})")
        else:
            messages.success(request, _("Die Aktenplaneinheit wurde angelegt."))
            return redirect("web:file_plan")
    # The form comes back with what was entered and why it was refused.
    return _page(request, form, status=400)


@login_required
@require_POST
def file_plan_schedule(request, plan_unit_id: int):
    _admin_only(request.user)
    unit = object_or_404(FilePlanUnit, plan_unit_id)
    form = PlanUnitScheduleForm(request.POST)

    def change():
        if not form.is_valid():
            raise InvalidInput(" ".join(form.errors["retention_schedule"]),
                               code="PLAN_SCHEDULE_UNKNOWN")
        plan_unit_update(actor=actor_for_request(request), plan_unit=unit, **form.cleaned_data)

    return run_action(request, change, success=_("Die Aufbewahrungsfrist wurde geändert."),
                      back=reverse("web:file_plan"))


@login_required
@require_POST
def file_plan_toggle(request, plan_unit_id: int):
    _admin_only(request.user)
    unit = object_or_404(FilePlanUnit, plan_unit_id)
    return run_action(request,
                      lambda: plan_unit_update(actor=actor_for_request(request), plan_unit=unit,
                                               active=not unit.active),
                      success=_("Der Status wurde geändert."), back=reverse("web:file_plan"))
