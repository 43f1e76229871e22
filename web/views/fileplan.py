from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.errors import NotFound
from archive.guards import is_administrator
from archive.models import FilePlanUnit
from archive.services.fileplan import plan_unit_create, plan_unit_update

from ..forms import PlanUnitForm
from .actions import cleaned, object_or_404, run_action


def _admin_only(user):
    if not (is_administrator(user) or user.has_perm("archive.manage_fileplan")):
        raise NotFound()


@login_required
@require_GET
def file_plan_page(request):
    _admin_only(request.user)
    return render(request, "web/fileplan.html",
                  {"units": FilePlanUnit.objects.all(), "form": PlanUnitForm()})


@login_required
@require_POST
def file_plan_create(request):
    _admin_only(request.user)
    form = PlanUnitForm(request.POST)

    def create():
        data = cleaned(form)
        parent = FilePlanUnit.objects.filter(code=data["code"].strip().rpartition(".")[0]).first()
        plan_unit_create(user=request.user, parent=parent, **data)

    return run_action(request, create, success=_("Die Aktenplaneinheit wurde angelegt."),
                      back=reverse("web:file_plan"))


@login_required
@require_POST
def file_plan_toggle(request, plan_unit_id: int):
    _admin_only(request.user)
    unit = object_or_404(FilePlanUnit, plan_unit_id)
    return run_action(request,
                      lambda: plan_unit_update(user=request.user, plan_unit=unit,
                                               active=not unit.active),
                      success=_("Der Status wurde geändert."), back=reverse("web:file_plan"))
