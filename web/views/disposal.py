"""Reviewed disposal (Aussonderung) for the data-protection officer: the case files due (their
retention ended and no hold stands), proposing a list of them, a second officer approving or
rejecting it, executing it and the destruction protocol. The four eyes are the services':
the page says beforehand who may not approve, and shows the refusal if they try.

The pages name case files by their file reference and plan unit only, never by person or
title: what the officer decides here is whether retention allows destruction, which needs no
social data."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.guards import require_role
from archive.models import Role
from archive.selectors import events_for_object
from archive.services.trail import trail_entries
from retention.models import (
    Action,
    CaseFileRetention,
    DisposalList,
    DisposalState,
)
from retention.services.disposal import (
    disposal_approve,
    disposal_execute,
    disposal_propose,
    disposal_protocol,
    disposal_reject,
    retention_due,
)
from retention.services.holds import holds_active

from ..errors import as_domain_error
from ..listing import Column, listing, listing_rows
from ..params import whole_number
from .actions import object_or_404, run_action

DUE_COLUMNS = [
    Column("akte", gettext_lazy("Aktenzeichen"), ("case_file__file_reference",)),
    Column("fristende", gettext_lazy("Fristende"), ("retention_end",)),
    Column("frist", gettext_lazy("Aufbewahrungsfrist"), ("schedule_key",)),
    Column("massnahme", gettext_lazy("Maßnahme"), ("action",)),
]
LIST_COLUMNS = [
    Column("nummer", gettext_lazy("Nr."), ("pk",)),
    Column("vorgeschlagen", gettext_lazy("vorgeschlagen"), ("proposed_at",)),
    Column("status", gettext_lazy("Status"), ("state",)),
    Column("akten", gettext_lazy("Akten"), ("files",)),
]
PENDING = (DisposalState.PROPOSED, DisposalState.APPROVED)


def _officer(request) -> None:
    require_role(request.user, Role.DATA_PROTECTION)


def _detail(disposal_id) -> str:
    return reverse("web:disposal", args=[disposal_id])


@login_required
@require_GET
def due_page(request):
    _officer(request)
    due = retention_due()
    found = listing_rows(request, due, columns=DUE_COLUMNS, default_sort="fristende")
    pending = {}
    for disposal in DisposalList.objects.filter(state__in=PENDING).prefetch_related("case_files"):
        for case_file in disposal.case_files.all():
            pending.setdefault(case_file.pk, []).append(disposal)
    rows = [{"item": item, "action": Action(item.action).label if item.action else "–",
             "pending": pending.get(item.case_file.pk, []),
             "plan_unit": item.case_file.plan_unit.code}
            for item in found.page.object_list]
    return render(request, "web/disposal_due.html", {"listing": found, "rows": rows})


@login_required
@require_POST
def propose(request):
    _officer(request)
    ids = [pk for pk in map(whole_number, request.POST.getlist("case_file")) if pk is not None]
    try:
        disposal = disposal_propose(actor=actor_for_request(request), case_file_ids=ids)
    except NotFound:
        raise
    except Exception as exception:
        error = as_domain_error(exception)
        if error is None:
            raise
        messages.error(request, f"{error.message} ({error.code})")
        return redirect("web:disposal_due")
    messages.success(request, _("Die Aussonderungsliste Nr. %(number)s wurde vorgeschlagen. "
                                "Genehmigen muss sie eine zweite Person aus dem Datenschutz.")
                     % {"number": disposal.pk})
    return redirect(_detail(disposal.pk))


@login_required
@require_GET
def lists_page(request):
    _officer(request)
    state = request.GET.get("status", "")
    lists = DisposalList.objects.annotate(files=Count("case_files"))
    if state in DisposalState.values:
        lists = lists.filter(state=state)
    else:
        state = ""
    found = listing(request, lists, columns=LIST_COLUMNS, default_sort="-vorgeschlagen",
                    keep=("status",))
    return render(request, "web/disposal_lists.html", {
        "listing": found, "lists": found.page.object_list, "state": state,
        "states": DisposalState.choices})


def _files(disposal) -> list[dict]:
    case_files = list(disposal.case_files.select_related("plan_unit", "unit")
                      .order_by("file_reference"))
    ids = [case_file.pk for case_file in case_files]
    records = {record.case_file_id: record
               for record in CaseFileRetention.objects.filter(case_file_id__in=ids)}
    held = set(holds_active(ids).values_list("case_file_id", flat=True))
    return [{"case_file": case_file, "record": records.get(case_file.pk),
             "held": case_file.pk in held} for case_file in case_files]


@login_required
@require_GET
def detail_page(request, disposal_id: int):
    _officer(request)
    disposal = object_or_404(DisposalList, disposal_id)
    files = _files(disposal)
    return render(request, "web/disposal.html", {
        "disposal": disposal, "files": files,
        "held": [row for row in files if row["held"]],
        "own_proposal": disposal.proposed_by == request.user.username,
        # A blocked execution carries its reason in the data, not as a purpose.
        "history": [{"entry": entry, "note": entry.purpose or entry.data.get("message", "")}
                    for entry in trail_entries(events_for_object("disposal", disposal.pk)
                                               .order_by("seq"))]})


@login_required
@require_POST
def approve(request, disposal_id: int):
    _officer(request)
    disposal = object_or_404(DisposalList, disposal_id)
    return run_action(request, lambda: disposal_approve(actor=actor_for_request(request),
                                                        disposal=disposal),
                      success=_("Die Liste wurde genehmigt. Sie kann jetzt vollzogen werden."),
                      back=_detail(disposal.pk))


@login_required
@require_POST
def reject(request, disposal_id: int):
    _officer(request)
    disposal = object_or_404(DisposalList, disposal_id)
    return run_action(request, lambda: disposal_reject(actor=actor_for_request(request),
                                                       disposal=disposal,
                                                       reason=request.POST.get("reason", "")),
                      success=_("Die Liste wurde abgelehnt; ihre Akten sind wieder fällig."),
                      back=_detail(disposal.pk))


@login_required
@require_POST
def execute(request, disposal_id: int):
    """Destruction cannot be undone: the form asks for a confirmation first."""
    _officer(request)
    disposal = object_or_404(DisposalList, disposal_id)

    def run():
        if request.POST.get("confirm") != "1":
            raise InvalidInput(_("Bitte bestätigen Sie, dass die Akten der Liste endgültig "
                                 "vernichtet werden sollen."), code="CONFIRMATION_REQUIRED")
        disposal_execute(disposal_id=disposal.pk, actor=actor_for_request(request))

    return run_action(request, run,
                      success=_("Die Liste wurde vollzogen: Die Akten sind vernichtet, das "
                                "Vernichtungsprotokoll ist gespeichert."),
                      back=_detail(disposal.pk))


@login_required
@require_GET
def protocol_download(request, disposal_id: int, kind: str):
    _officer(request)
    disposal = object_or_404(DisposalList, disposal_id)
    if kind not in ("pdf", "json"):
        raise NotFound()
    body = disposal_protocol(actor=actor_for_request(request), disposal=disposal, kind=kind)
    response = HttpResponse(body, content_type="application/pdf" if kind == "pdf"
                            else "application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="vernichtungsprotokoll-{disposal.pk}.{kind}"')
    return response
