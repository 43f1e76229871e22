"""Follow-ups (Wiedervorlagen), deadlines (Fristen) and the administration's deadline rules.
Thin: the services in `followups` authorize and log."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound
from archive.guards import require_role
from archive.models import Role
from followups.deadlines import DUE_SOON, OVERDUE
from followups.listing import deadlines_list, follow_ups_list
from followups.models import DeadlineRule
from followups.rules import (
    deadline_done,
    deadline_rule_add,
    deadline_rule_update,
    deadline_rules,
)
from followups.services import follow_up_close, follow_up_create, follow_up_move

from ..followup_forms import DeadlineRuleForm, FollowUpForm, FollowUpMoveForm
from .actions import cleaned, object_or_404, run_action
from .admin import _submit, administrators_only, history

UNIT_DEADLINES = "archive.view_unit_deadlines"  # on StaffProfile, see followups/permissions.py


def _desk_or(request, back: str) -> str:
    """The desk's "done" buttons send the entry's key: back to the desk then."""
    return reverse("web:desk") if "key" in request.POST else back


def _own_unit_ids(user) -> list[int]:
    return list(user.staff_profile.units.values_list("pk", flat=True))


@login_required
@require_POST
def follow_up_new(request, kind: str, object_id: int):
    """From the case file page (kind "akte") or the document page (kind "dokument")."""
    if kind not in ("akte", "dokument"):
        raise NotFound()
    back = reverse("web:case_file" if kind == "akte" else "web:document", args=[object_id])
    form = FollowUpForm(request.POST)

    def create():
        data = cleaned(form)
        target = ({"case_file_id": object_id} if kind == "akte"
                  else {"document_id": object_id})
        follow_up_create(actor=actor_for_request(request), due=data["due"],
                         reason=data["reason"], **target, **form.assignee())
    return run_action(request, create, success=_("Die Wiedervorlage ist angelegt."),
                      back=back)


def _target_url(follow_up) -> str:
    if follow_up.document_id:
        return reverse("web:document", args=[follow_up.document_id])
    return reverse("web:case_file", args=[follow_up.case_file_id])


def _changed(request, change, *, success: str):
    """Run a move or a close; back to the list when the form came from it, else to the
    follow-up's file or document (a refusal shows on the list)."""
    done = []
    response = run_action(request, lambda: done.append(change()), success=success,
                          back=_desk_or(request, reverse("web:follow_ups")))
    if done and request.POST.get("zurueck") != "liste" and "key" not in request.POST:
        return redirect(_target_url(done[0]))
    return response


@login_required
@require_POST
def follow_up_move_action(request, follow_up_id: int):
    form = FollowUpMoveForm(request.POST)
    return _changed(request, lambda: follow_up_move(
        actor=actor_for_request(request), follow_up_id=follow_up_id,
        **cleaned(form)), success=_("Die Wiedervorlage ist verschoben."))


@login_required
@require_POST
def follow_up_close_action(request, follow_up_id: int):
    return _changed(request, lambda: follow_up_close(
        actor=actor_for_request(request), follow_up_id=follow_up_id),
        success=_("Die Wiedervorlage ist erledigt."))


@login_required
@require_GET
def follow_ups_page(request):
    """The user's open follow-ups: their own and their units' shared ones."""
    require_role(request.user, Role.CASEWORKER)
    follow_ups = follow_ups_list(user=request.user, user_ids=[request.user.pk],
                                 unit_ids=_own_unit_ids(request.user))
    return render(request, "web/follow_ups.html", {
        "follow_ups": follow_ups, "today": timezone.localdate()})


def _deadlines_page(request, *, unit_view: bool):
    require_role(request.user, Role.CASEWORKER)
    may_see_units = request.user.has_perm(UNIT_DEADLINES)
    if unit_view and not may_see_units:
        raise NotFound()
    units = _own_unit_ids(request.user)
    # One's own: those one is responsible for, and those of one's units nobody is.
    which = ({"whole_units": units} if unit_view
             else {"user_ids": [request.user.pk], "unit_ids": units})
    deadlines = deadlines_list(user=request.user, list_name="unit" if unit_view else "own",
                               purpose="Fristen der Organisationseinheit" if unit_view
                               else "Fristen", **which)
    return render(request, "web/deadlines.html", {
        "deadlines": deadlines, "unit_view": unit_view, "may_see_units": may_see_units,
        "OVERDUE": OVERDUE, "DUE_SOON": DUE_SOON})


@login_required
@require_GET
def deadlines_page(request):
    return _deadlines_page(request, unit_view=False)


@login_required
@require_GET
def deadlines_unit_page(request):
    return _deadlines_page(request, unit_view=True)


@login_required
@require_POST
def deadline_done_action(request, document_id: int, rule_id: int):
    return run_action(request, lambda: deadline_done(actor=actor_for_request(request),
                                                     document_id=document_id,
                                                     rule_id=rule_id),
                      success=_("Die Frist ist als erledigt vermerkt."),
                      back=_desk_or(request, reverse("web:deadlines")))


# ---- administration: the deadline rules -------------------------------------------------

def _rule_context(rule=None) -> dict:
    if rule is None:
        return {"title": _("Neue Fristregel"),
                "action": reverse("web:admin_deadline_rule_create")}
    return {"title": _("Fristregel bearbeiten"),
            "action": reverse("web:admin_deadline_rule_update", args=[rule.pk]),
            "history": history("deadline_rule", rule.pk)}


@login_required
@require_GET
def admin_deadline_rules(request):
    administrators_only(request.user)
    return render(request, "web/admin_deadline_rules.html", {
        "rules": deadline_rules(actor=actor_for_request(request)),
        "form": DeadlineRuleForm(), **_rule_context()})


@login_required
@require_POST
def admin_deadline_rule_create(request):
    administrators_only(request.user)
    return _submit(request, DeadlineRuleForm(request.POST),
                   lambda data: deadline_rule_add(actor=actor_for_request(request), **data),
                   success=_("Die Fristregel wurde angelegt."), then="web:admin_deadline_rules",
                   template="web/admin_deadline_rule_form.html", context=_rule_context())


@login_required
@require_GET
def admin_deadline_rule_edit(request, rule_id: int):
    administrators_only(request.user)
    rule = object_or_404(DeadlineRule, rule_id)
    return render(request, "web/admin_deadline_rule_form.html", {
        **_rule_context(rule),
        "form": DeadlineRuleForm(initial=DeadlineRuleForm.initial_for(rule))})


@login_required
@require_POST
def admin_deadline_rule_update(request, rule_id: int):
    administrators_only(request.user)
    rule = object_or_404(DeadlineRule, rule_id)
    return _submit(request, DeadlineRuleForm(request.POST),
                   lambda data: deadline_rule_update(actor=actor_for_request(request),
                                                     rule_id=rule.pk, **data),
                   success=_("Die Änderungen wurden gespeichert."),
                   then="web:admin_deadline_rules",
                   template="web/admin_deadline_rule_form.html", context=_rule_context(rule))
