"""The caseworker's desk ("Mein Arbeitsplatz"), deputies and absences, the digest setting,
and the case file's and document's hand-over and caseworker forms. Thin: the desk app's
services decide."""
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from archive.guards import require_role
from archive.models import Role
from archive.selectors import case_file_visible_or_404
from archive.services.responsibility import case_file_responsible_set
from desk.models import Absence, Deputy, DeskPreference
from desk.services.deputies import (
    absence_add,
    absence_remove,
    deputy_add,
    deputy_candidates,
    deputy_remove,
)
from desk.services.digest import digest_set
from desk.services.done import desk_item_done
from desk.services.handovers import handover_create
from desk.services.reading import desk_read

from ..context_processors import desk_notice_forget
from .actions import run_action


def _caseworker(request):
    require_role(request.user, Role.CASEWORKER)


@login_required
@require_GET
def desk_page(request):
    _caseworker(request)
    desk = desk_read(actor=actor_for_request(request))
    desk_notice_forget(request.session)  # seen now: the header counts afresh from here
    return render(request, "web/desk.html", {"desk": desk})


@login_required
@require_POST
def desk_done(request):
    _caseworker(request)
    return run_action(request, lambda: desk_item_done(actor=actor_for_request(request),
                                                      key=request.POST.get("key", "")),
                      success=_("Der Eintrag ist erledigt."), back=reverse("web:desk"))


@login_required
@require_GET
def deputies_page(request):
    _caseworker(request)
    user = request.user
    return render(request, "web/desk_deputies.html", {
        "deputies": Deputy.objects.filter(absentee=user).select_related("deputy")
                                  .order_by("deputy__username"),
        "deputising": Deputy.objects.filter(deputy=user).select_related("absentee")
                                    .order_by("absentee__username"),
        "absences": Absence.objects.filter(user=user).order_by("starts_on"),
        "candidates": deputy_candidates(user),
        "preference": DeskPreference.objects.filter(user=user).first(),
    })


def _back_to_deputies():
    return reverse("web:desk_deputies")


def _date(value: str):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Bitte ein gültiges Datum angeben."), code="DATE_INVALID") from None


@login_required
@require_POST
def deputy_add_action(request):
    _caseworker(request)
    return run_action(request, lambda: deputy_add(actor=actor_for_request(request),
                                                  username=request.POST.get("username", "")),
                      success=_("Die Vertretung wurde eingetragen."), back=_back_to_deputies())


@login_required
@require_POST
def deputy_remove_action(request, deputy_id: int):
    _caseworker(request)
    return run_action(request, lambda: deputy_remove(actor=actor_for_request(request),
                                                     deputy_id=deputy_id),
                      success=_("Die Vertretung wurde entfernt."), back=_back_to_deputies())


@login_required
@require_POST
def absence_add_action(request):
    _caseworker(request)
    return run_action(request, lambda: absence_add(
        actor=actor_for_request(request), starts_on=_date(request.POST.get("starts_on")),
        ends_on=_date(request.POST.get("ends_on"))),
        success=_("Die Abwesenheit wurde eingetragen."), back=_back_to_deputies())


@login_required
@require_POST
def absence_remove_action(request, absence_id: int):
    _caseworker(request)
    return run_action(request, lambda: absence_remove(actor=actor_for_request(request),
                                                      absence_id=absence_id),
                      success=_("Die Abwesenheit wurde gelöscht."), back=_back_to_deputies())


@login_required
@require_POST
def digest_save(request):
    _caseworker(request)
    return run_action(request, lambda: digest_set(
        actor=actor_for_request(request), enabled=request.POST.get("enabled") == "on",
        email=request.POST.get("email", "")),
        success=_("Die Einstellung wurde gespeichert."), back=_back_to_deputies())


@login_required
@require_POST
def case_file_handover(request, case_file_id: int):
    back = reverse("web:case_file", args=[case_file_id])
    return run_action(request, lambda: handover_create(
        actor=actor_for_request(request), to_username=request.POST.get("username", ""),
        case_file_id=case_file_id, note=request.POST.get("note", "")),
        success=_("Die Akte wurde abgegeben."), back=back)


@login_required
@require_POST
def document_handover(request, document_id: int):
    back = reverse("web:document", args=[document_id])
    return run_action(request, lambda: handover_create(
        actor=actor_for_request(request), to_username=request.POST.get("username", ""),
        document_id=document_id, note=request.POST.get("note", "")),
        success=_("Das Dokument wurde abgegeben."), back=back)


@login_required
@require_POST
def case_file_responsible(request, case_file_id: int):
    case_file = case_file_visible_or_404(request.user, case_file_id)
    username = request.POST.get("username", "")

    def change():
        responsible = get_user_model().objects.filter(username=username).first()
        if username and responsible is None:
            raise InvalidInput(_("Diese Person ist nicht bekannt."), code="USER_UNKNOWN")
        case_file_responsible_set(actor=actor_for_request(request), case_file=case_file,
                                  responsible=responsible)

    return run_action(request, change, success=_("Die Bearbeitung wurde gespeichert."),
                      back=reverse("web:case_file", args=[case_file_id]))
