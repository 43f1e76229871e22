"""The data-protection officer's retention overview (what waits, ends set apart from the
schedules), erasure requests, restrictions and the Art. 15 report. Schedules, holds and
disposal have their own modules (schedules.py, holds.py, disposal.py)."""
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.guards import require_role
from archive.models import Role
from archive.selectors import events_for_object
from archive.services.access import case_files_list
from archive.services.casefiles import case_file_by_reference
from archive.services.subject_rights import case_file_restriction_lift
from retention.models import (
    CaseFileRetention,
    DisposalList,
    DisposalState,
    ErasureRequest,
    LegalHold,
    RetentionSchedule,
)
from retention.services.disposal import retention_due
from retention.services.erasure import (
    erasure_decide,
    erasure_obstacle,
    erasure_request_record,
)
from retention.services.schedules import retention_end_change
from retention.services.subject_access import (
    StaffNaming,
    subject_access_csv,
    subject_access_report,
)

from ..listing import Column, listing
from ..retention_forms import ErasureDecisionForm, ErasureRequestForm
from .actions import object_or_404, run_action


def _back():
    return reverse("web:retention")


@login_required
@require_GET
def retention_page(request):
    """The officer's overview: what waits for them, the ends set apart from the schedules, and
    the form to set one case file's end."""
    require_role(request.user, Role.DATA_PROTECTION)
    return render(request, "web/retention.html", {
        "counts": {
            "schedules": RetentionSchedule.objects.count(),
            "holds": LegalHold.objects.filter(lifted_at__isnull=True).count(),
            "due": len(retention_due()),
            "proposed": DisposalList.objects.filter(state=DisposalState.PROPOSED).count(),
            "approved": DisposalList.objects.filter(state=DisposalState.APPROVED).count(),
            "erasure": ErasureRequest.objects.filter(decision="").count(),
        },
        "overrides": CaseFileRetention.objects.filter(override_end__isnull=False,
                                                      case_file__destroyed_at__isnull=True)
        .select_related("case_file").order_by("-updated_at")[:200],
    })


@login_required
@require_POST
def retention_end(request):
    """The DPO changes one case file's retention end, with a reason (logged)."""
    require_role(request.user, Role.DATA_PROTECTION)

    def change():
        case_file = case_file_by_reference(request.POST.get("file_reference", "").strip())
        if case_file is None:
            raise NotFound()
        try:
            until = date.fromisoformat(request.POST.get("until", ""))
        except ValueError:
            raise InvalidInput(_("Bitte das neue Fristende als Datum angeben."),
                               code="DATE_REQUIRED") from None
        retention_end_change(actor=actor_for_request(request), case_file=case_file, until=until,
                             reason=request.POST.get("reason", ""))

    return run_action(request, change, success=_("Das Fristende wurde geändert."),
                      back=_back())


ERASURE_COLUMNS = [
    Column("akte", gettext_lazy("Akte"), ("case_file__file_reference",)),
    Column("eingang", gettext_lazy("eingegangen"), ("received_on",)),
    Column("entscheidung", gettext_lazy("Entscheidung"), ("decision",)),
    Column("entschieden", gettext_lazy("entschieden am"), ("decided_at",)),
]
ERASURE_STATES = {"offen": {"decision": ""}, "entschieden": {"decision__gt": ""}, "alle": {}}


@login_required
@require_GET
def erasure_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    state = request.GET.get("status", "offen")
    if state not in ERASURE_STATES:
        state = "offen"
    requests = ErasureRequest.objects.filter(**ERASURE_STATES[state]).select_related("case_file")
    found = listing(request, requests, columns=ERASURE_COLUMNS, default_sort="eingang",
                    keep=("status",))
    # The officer's principals reach only restricted case files: this is their list, logged.
    restricted = case_files_list(user=request.user, purpose="Eingeschränkte Akten")
    return render(request, "web/erasure.html", {
        "listing": found, "requests": found.page.object_list, "state": state,
        "states": [("offen", _("offene")), ("entschieden", _("entschiedene")),
                   ("alle", _("alle"))],
        "restricted": restricted,
        "form": ErasureRequestForm(initial={"received_on": timezone.localdate()})})


ERASURE_HISTORY = ("erasure_requested", "erasure_decided", "restricted", "unrestricted",
                   "hold_placed", "hold_lifted", "retention_shortened", "retention_extended",
                   "destroyed")


@login_required
@require_GET
def erasure_request_page(request, request_id: int):
    """One request: what was asked, what stands in the way of erasure now, the decision (or
    the form to make it) and its history in the trail."""
    require_role(request.user, Role.DATA_PROTECTION)
    erasure = object_or_404(ErasureRequest, request_id)
    case_file = erasure.case_file
    obstacle = None
    if not erasure.decision and case_file.destroyed_at is None:
        obstacle = erasure_obstacle(case_file)
    return render(request, "web/erasure_request.html", {
        "erasure": erasure, "case_file": case_file, "obstacle": obstacle,
        "form": ErasureDecisionForm(),
        "history": events_for_object("case_file", case_file.pk)
        .filter(action__in=ERASURE_HISTORY).order_by("seq")})


@login_required
@require_POST
def restriction_lift(request, case_file_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    return run_action(request, lambda: case_file_restriction_lift(
        actor=actor_for_request(request), case_file_id=case_file_id,
        reason=request.POST.get("reason", "")),
        success=_("Die Einschränkung der Verarbeitung ist aufgehoben."),
        back=reverse("web:erasure"))


@login_required
@require_POST
def erasure_new(request):
    require_role(request.user, Role.DATA_PROTECTION)

    def record():
        case_file = case_file_by_reference(request.POST.get("file_reference", "").strip())
        if case_file is None:
            raise NotFound()
        try:
            received = date.fromisoformat(request.POST.get("received_on", ""))
        except ValueError:
            raise InvalidInput(_("Bitte das Eingangsdatum angeben."),
                               code="DATE_REQUIRED") from None
        erasure_request_record(actor=actor_for_request(request), case_file=case_file,
                               received_on=received, note=request.POST.get("note", ""))

    return run_action(request, record, success=_("Der Antrag wurde erfasst."),
                      back=reverse("web:erasure"))


@login_required
@require_POST
def erasure_decision(request, request_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    erasure = object_or_404(ErasureRequest, request_id)
    labels = {"erased": _("Die Akte wurde gelöscht."),
              "restricted": _("Die Verarbeitung der Akte ist eingeschränkt."),
              "refused": _("Der Antrag wurde abgelehnt.")}

    return run_action(request, lambda: erasure_decide(
        actor=actor_for_request(request), request=erasure, reason=request.POST.get("reason", ""),
        outcome=request.POST.get("outcome", "erase")),
        success=lambda decided: labels[decided.decision],
        back=reverse("web:erasure_request", args=[erasure.pk]))


def _subject_access_request(request) -> tuple[str, StaffNaming]:
    require_role(request.user, Role.DATA_PROTECTION)
    person = request.GET.get("person", "").strip()
    if not person:
        raise InvalidInput(_("Bitte Name, Geburtsdatum oder Kundennummer angeben."))
    # Staff are named only on the officer's explicit choice, with a reason (CJEU C-579/21).
    naming = StaffNaming(named=request.GET.get("staff") == "1",
                         reason=request.GET.get("staff_reason", ""))
    return person, naming


@login_required
@require_GET
def subject_access_pdf(request):
    person, naming = _subject_access_request(request)
    response = HttpResponse(subject_access_report(actor=actor_for_request(request),
                                                  person=person, naming=naming),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="auskunft-art15.pdf"'
    return response


@login_required
@require_GET
def subject_access_csv_download(request):
    person, naming = _subject_access_request(request)
    response = HttpResponse(subject_access_csv(actor=actor_for_request(request), person=person,
                                               naming=naming),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="auskunft-art15.csv"'
    return response
