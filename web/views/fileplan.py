from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound, PermissionDenied
from archive.guards import is_administrator
from archive.models import FilePlanUnit
from archive.services.fileplan import plan_unit_create, plan_unit_update
from retention.services.fileplan_export import file_plan_export

from ..admin_forms import PlanUnitTitleForm
from ..forms import PlanUnitForm, PlanUnitScheduleForm, schedule_options
from .actions import object_or_404, run_action
from .admin import history
from .admin_lists import Column, sorted_page

COLUMNS = [
    Column(gettext_lazy("Kennzeichen"), "kennzeichen", ("code",)),
    Column(gettext_lazy("Titel"), "titel", ("title",)),
    Column(gettext_lazy("Aufbewahrungsfrist"), "frist", ("retention_schedule",)),
    Column(gettext_lazy("Status"), "status", ("-active",)),
]


def _admin_only(user):
    if not (is_administrator(user) or user.has_perm("archive.manage_fileplan")):
        raise NotFound()


def _page(request, form, status=200):
    options = schedule_options()  # once for the page, not once per row
    known = {key for key, _label in options if key}
    context = sorted_page(request, FilePlanUnit.objects.all(), COLUMNS, "kennzeichen")
    rows = []
    for unit in context["page"]:
        row_form = PlanUnitScheduleForm(initial={"retention_schedule": unit.retention_schedule},
                                        auto_id=f"id_%s_{unit.pk}")
        row_form.fields["retention_schedule"].choices = options
        rows.append((unit, row_form, unit.retention_schedule in known))
    return render(request, "web/fileplan.html", {**context, "rows": rows, "form": form},
                  status=status)


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


def _edit_context(unit) -> dict:
    return {"title": _("Aktenplaneinheit %(code)s bearbeiten") % {"code": unit.code},
            "action": reverse("web:file_plan_update", args=[unit.pk]), "plan_unit": unit,
            "history": history("plan_unit", unit.pk)}


@login_required
@require_GET
def file_plan_edit(request, plan_unit_id: int):
    _admin_only(request.user)
    unit = object_or_404(FilePlanUnit, plan_unit_id)
    return render(request, "web/admin_plan_unit_form.html",
                  {**_edit_context(unit), "form": PlanUnitTitleForm(initial={"title": unit.title})})


@login_required
@require_POST
def file_plan_update(request, plan_unit_id: int):
    _admin_only(request.user)
    unit = object_or_404(FilePlanUnit, plan_unit_id)
    form = PlanUnitTitleForm(request.POST)
    if form.is_valid():
        title = form.cleaned_data["title"].strip()
        if title:
            plan_unit_update(actor=actor_for_request(request), plan_unit=unit, title=title)
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect("web:file_plan")
        form.add_error("title", _("Bitte geben Sie einen Titel an."))
    return render(request, "web/admin_plan_unit_form.html",
                  {**_edit_context(unit), "form": form}, status=400)


@login_required
@require_GET
def file_plan_xdomea(request):
    """The plan as xdomea 0301, for the administration and the officer (404 for others)."""
    try:
        name, data = file_plan_export(actor=actor_for_request(request))
    except PermissionDenied:
        raise NotFound() from None
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
