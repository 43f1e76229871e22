"""The data-protection officer's retention pages: due list, proposals, approval, execution,
holds."""
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.guards import require_role
from archive.models import Role
from archive.services.access import case_files_list
from archive.services.casefiles import case_file_by_reference
from archive.services.subject_rights import case_file_restriction_lift
from retention.models import CaseFileRetention, DisposalList, ErasureRequest, LegalHold
from retention.services.disposal import (
    disposal_approve,
    disposal_execute,
    disposal_propose,
    retention_due,
)
from retention.services.erasure import erasure_decide, erasure_request_record
from retention.services.holds import hold_lift, hold_place
from retention.services.schedules import retention_end_change
from retention.services.subject_access import subject_access_report

from ..params import whole_number
from .actions import object_or_404, run_action


def _back():
    return reverse("web:retention")


@login_required
@require_GET
def retention_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    return render(request, "web/retention.html", {
        "due": retention_due(),
        "lists": DisposalList.objects.prefetch_related("case_files")[:50],
        "holds": LegalHold.objects.filter(lifted_at__isnull=True).select_related("case_file"),
        "overrides": CaseFileRetention.objects.filter(override_end__isnull=False)
        .select_related("case_file").order_by("-updated_at")[:200],
    })


@login_required
@require_POST
def propose(request):
    require_role(request.user, Role.DATA_PROTECTION)
    ids = [pk for pk in map(whole_number, request.POST.getlist("case_file")) if pk is not None]
    return run_action(request, lambda: disposal_propose(actor=actor_for_request(request),
                                                        case_file_ids=ids),
                      success=_("Die Aussonderungsliste wurde vorgeschlagen."), back=_back())


@login_required
@require_POST
def approve(request, disposal_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    disposal = object_or_404(DisposalList, disposal_id)
    return run_action(request, lambda: disposal_approve(actor=actor_for_request(request),
                                                        disposal=disposal),
                      success=_("Die Liste wurde genehmigt."), back=_back())


@login_required
@require_POST
def execute(request, disposal_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    object_or_404(DisposalList, disposal_id)
    return run_action(request, lambda: disposal_execute(disposal_id=disposal_id,
                                                        actor=actor_for_request(request)),
                      success=_("Die Liste wurde vollzogen; das Protokoll ist gespeichert."),
                      back=_back())


@login_required
@require_POST
def hold_new(request):
    require_role(request.user, Role.DATA_PROTECTION)

    def place():
        case_file = case_file_by_reference(request.POST.get("file_reference", "").strip())
        if case_file is None:
            raise NotFound()
        hold_place(actor=actor_for_request(request), case_file=case_file,
                   reason=request.POST.get("reason", ""), mandate=request.POST.get("mandate", ""))

    return run_action(request, place, success=_("Die Sperre wurde gesetzt."), back=_back())


@login_required
@require_POST
def hold_end(request, hold_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    hold = object_or_404(LegalHold, hold_id)
    return run_action(request, lambda: hold_lift(actor=actor_for_request(request), hold=hold,
                                                 reason=request.POST.get("reason", "")),
                      success=_("Die Sperre wurde aufgehoben."), back=_back())


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


@login_required
@require_GET
def erasure_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    # The officer's principals reach only restricted case files: this is their list, logged.
    restricted = case_files_list(user=request.user, purpose="Eingeschränkte Akten")
    return render(request, "web/erasure.html",
                  {"requests": ErasureRequest.objects.select_related("case_file")[:200],
                   "restricted": restricted})


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
            raise InvalidInput(_("Bitte das Eingangsdatum angeben.")) from None
        erasure_request_record(actor=actor_for_request(request), case_file=case_file,
                               received_on=received, note=request.POST.get("note", ""))

    return run_action(request, record, success=_("Der Antrag wurde erfasst."),
                      back=reverse("web:erasure"))


@login_required
@require_POST
def erasure_decision(request, request_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    erasure = object_or_404(ErasureRequest, request_id)
    return run_action(request, lambda: erasure_decide(actor=actor_for_request(request),
                                                      request=erasure,
                                                      reason=request.POST.get("reason", "")),
                      success=_("Entschieden."), back=reverse("web:erasure"))


@login_required
@require_GET
def subject_access_pdf(request):
    require_role(request.user, Role.DATA_PROTECTION)
    person = request.GET.get("person", "").strip()
    if not person:
        raise InvalidInput(_("Bitte Name oder Kundennummer angeben."))
    response = HttpResponse(subject_access_report(actor=actor_for_request(request), person=person),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="auskunft-art15.pdf"'
    return response
