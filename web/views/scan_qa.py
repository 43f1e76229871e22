"""The mailroom's replacement-scanning pages (BSI TR-RESISCAN): the visual check of sampled
scans with pass/reject, the open rescan requests, and the paper-release list. Thin: the
services (archive/services/scan_qa.py) authorize, decide and log."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.services.access import inbox_list
from archive.services.scan_qa import (
    paper_candidates,
    paper_release,
    paper_release_list,
    papers_released,
    rescan_requests,
    scan_check_pass,
    scan_check_reject,
    scan_checks_open,
)

from ..params import whole_number
from .actions import run_action
from .mailroom import _mailroom_only


@login_required
@require_GET
def scan_qa_page(request):
    """Sampled scans waiting for the visual check, and rejected ones waiting for a rescan.
    They are inbox post, so the list is the inbox's logged read."""
    _mailroom_only(request.user)
    checks = list(scan_checks_open(request.user)[:200])
    rescans = list(rescan_requests(request.user)[:200])
    shown = inbox_list(user=request.user, purpose="Sichtprüfung",
                       page=[check.document for check in checks + rescans])
    visible = {document.pk for document in shown}
    return render(request, "web/scan_qa.html", {
        "checks": [check for check in checks if check.document_id in visible],
        "rescans": [check for check in rescans if check.document_id in visible]})


@login_required
@require_POST
def scan_qa_decide(request, check_id):
    _mailroom_only(request.user)
    actor = actor_for_request(request)
    if request.POST.get("ergebnis") == "bestanden":
        return run_action(request, lambda: scan_check_pass(actor=actor, check_id=check_id),
                          success=_("Sichtprüfung bestanden; der Scan wird abgelegt."),
                          back=reverse("web:scan_qa"))
    return run_action(request, lambda: scan_check_reject(
        actor=actor, check_id=check_id, reason=request.POST.get("grund", "")),
        success=_("Sichtprüfung abgelehnt; bitte neu scannen."), back=reverse("web:scan_qa"))


@login_required
@require_GET
def paper_page(request):
    """Scanned documents with what still blocks the release of their paper, and the paper
    released so far (who, when). No titles: the mailroom may not read filed post."""
    _mailroom_only(request.user)
    rows = paper_release_list(user=request.user, documents=paper_candidates()[:500])
    return render(request, "web/paper_release.html", {
        "rows": rows, "released": papers_released()[:100]})


@login_required
@require_POST
def paper_release_action(request):
    _mailroom_only(request.user)
    ids = [pk for pk in map(whole_number, request.POST.getlist("dokument")) if pk is not None]
    return run_action(request, lambda: paper_release(actor=actor_for_request(request),
                                                     documents=ids),
                      success=lambda released: _("%(count)d Papieroriginal(e) zur Vernichtung "
                                                 "freigegeben.") % {"count": len(released)},
                      back=reverse("web:paper_release"))
