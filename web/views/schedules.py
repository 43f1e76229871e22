"""The data-protection officer keeps the retention schedules (Aufbewahrungsfristen): the list
with the plan units that use each one, a form to create one and a form to change one. A
refused form comes back with what was entered and the German reason at its field."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound, RegistraturError
from archive.guards import require_role
from archive.models import Role
from archive.selectors import events_for_object
from archive.services.trail import trail_entries
from retention.models import RetentionSchedule
from retention.services.schedule_changes import schedule_create, schedule_update, schedules_usage

from ..retention_forms import ScheduleCreateForm, ScheduleForm
from .actions import object_or_404

FIELD_OF_CODE = {
    "SCHEDULE_KEY_MISSING": "key", "SCHEDULE_KEY_INVALID": "key", "SCHEDULE_KEY_TAKEN": "key",
    "SCHEDULE_NAME_MISSING": "name", "SCHEDULE_NAME_INVALID": "name",
    "SCHEDULE_TRIGGER_INVALID": "trigger", "SCHEDULE_EVENT_MISSING": "trigger_event",
    "SCHEDULE_PERIOD_MISSING": "years", "SCHEDULE_ACTION_INVALID": "action",
    "SCHEDULE_LEGAL_BASIS_MISSING": "legal_basis", "SCHEDULE_LEGAL_BASIS_INVALID": "legal_basis",
}
HISTORY_SHOWN = 20


def _officer(request) -> None:
    require_role(request.user, Role.DATA_PROTECTION)


@login_required
@require_GET
def schedule_list(request):
    _officer(request)
    usage = schedules_usage()
    return render(request, "web/schedules.html", {
        "rows": [(schedule, usage.get(schedule.key, []))
                 for schedule in RetentionSchedule.objects.order_by("key")]})


def _context(schedule=None) -> dict:
    if schedule is None:
        return {"title": _("Neue Aufbewahrungsfrist"), "action": reverse("web:schedule_create")}
    return {"title": _("Aufbewahrungsfrist %(key)s bearbeiten") % {"key": schedule.key},
            "action": reverse("web:schedule_update", args=[schedule.pk]), "schedule": schedule,
            "usage": schedules_usage().get(schedule.key, []),
            "history": _history(schedule)}


def _history(schedule) -> list[dict]:
    """Who created and changed the schedule, when, and which fields (by their German name)."""
    events = events_for_object("retention_schedule", schedule.pk).order_by("-seq")
    rows = []
    for entry in trail_entries(events[:HISTORY_SHOWN]):
        changed = (entry.data.get("changes") or {}).keys()
        rows.append({"at": entry.at, "who": entry.who, "action": entry.action_label,
                     "fields": [str(RetentionSchedule._meta.get_field(name).verbose_name)
                                for name in changed],
                     "recomputed": entry.data.get("case_files_recomputed")})
    return rows


def _submit(request, form, change, *, success: str, context: dict):
    if form.is_valid():
        try:
            schedule = change(form.cleaned_data)
        except NotFound:
            raise
        except RegistraturError as error:
            field = FIELD_OF_CODE.get(error.code)
            form.add_error(field if field in form.fields else None,
                           f"{error.message} ({error.code})")
            status = error.http_status
        else:
            messages.success(request, success)
            return redirect(reverse("web:schedule_edit", args=[schedule.pk]))
    else:
        status = 400
    return render(request, "web/schedule_form.html", {**context, "form": form}, status=status)


@login_required
@require_GET
def schedule_new(request):
    _officer(request)
    return render(request, "web/schedule_form.html",
                  {**_context(), "form": ScheduleCreateForm()})


@login_required
@require_POST
def schedule_create_action(request):
    _officer(request)
    return _submit(request, ScheduleCreateForm(request.POST),
                   lambda data: schedule_create(actor=actor_for_request(request), **data),
                   success=_("Die Aufbewahrungsfrist wurde angelegt."), context=_context())


@login_required
@require_GET
def schedule_edit(request, schedule_id: int):
    _officer(request)
    schedule = object_or_404(RetentionSchedule, schedule_id)
    initial = {name: getattr(schedule, name) for name in ScheduleForm.base_fields}
    return render(request, "web/schedule_form.html",
                  {**_context(schedule), "form": ScheduleForm(initial=initial)})


@login_required
@require_POST
def schedule_update_action(request, schedule_id: int):
    _officer(request)
    schedule = object_or_404(RetentionSchedule, schedule_id)
    return _submit(request, ScheduleForm(request.POST),
                   lambda data: schedule_update(actor=actor_for_request(request),
                                                schedule=schedule, **data),
                   success=_("Die Aufbewahrungsfrist wurde gespeichert; die Fristenden der "
                             "betroffenen Akten sind neu berechnet."),
                   context=_context(schedule))
