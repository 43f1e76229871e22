"""File notes (Aktenvermerke) and signing routes (Mitzeichnung, Schlusszeichnung): thin views
over the signoff app's services, which authorize the actor themselves."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound
from archive.guards import may_work_on
from archive.models import Document
from archive.selectors import (
    case_file_visible_or_404,
    document_visible_or_404,
    documents_visible_to,
)
from archive.services.access import documents_list
from signoff.models import RouteState, SigningRoute, StepState
from signoff.notes import file_note_correct, file_note_write, note_of
from signoff.routes import (
    signoff_route_start,
    signoff_route_withdraw,
    signoff_step_refuse,
    signoff_step_sign,
)
from signoff.selectors import routes_of_document, routes_returned, steps_awaiting

from ..signoff_forms import FileNoteCorrectForm, FileNoteForm, RouteStartForm, StepForm
from .actions import cleaned, run_action


def _member_of(user, unit_id) -> bool:
    profile = getattr(user, "staff_profile", None)
    return profile is not None and unit_id in {unit.pk for unit in profile.units.all()}


def signoff_context(user, document: Document, closed: bool) -> dict:
    """The document page's route panel: every round with its steps, what the user may do now,
    and the note's correction form. The page has read the document through the access
    function already; the rounds are its metadata."""
    routes = list(routes_of_document(document.pk))
    current = next((route for route in routes if route.state == RouteState.OPEN), None)
    step = next((s for s in current.steps.all() if s.state == StepState.PENDING), None) \
        if current else None
    works = bool(document.case_file_id) and may_work_on(user, document.case_file)
    signed_off = any(route.state == RouteState.SIGNED_OFF for route in routes)
    may_act = bool(step and user.pk != current.author_id and (
        step.user_id == user.pk or (step.user_id is None and _member_of(user, step.unit_id))))
    note = note_of(document) if works and not closed and not signed_off and not current \
        else None
    return {"signing_routes": routes, "signing_current": current, "signing_step": step,
            "signing_may_act": may_act, "signing_signed_off": signed_off,
            "signing_may_start": works and not closed and not current and not signed_off,
            "signing_may_withdraw": bool(current and current.author_id == user.pk),
            "route_form": RouteStartForm(), "step_form": StepForm(),
            "note_correct_form": FileNoteCorrectForm(initial={
                "kind": note["kind"], "noted_on": note["date"]}) if note else None}


def _back(document_id) -> str:
    return reverse("web:document", args=[document_id]) + "#zeichnung"


@login_required
@require_POST
def file_note_new(request, case_file_id: int):
    case_file = case_file_visible_or_404(request.user, case_file_id)
    form = FileNoteForm(request.POST)

    def write():
        data = cleaned(form)
        file_note_write(actor=actor_for_request(request), case_file_id=case_file.pk,
                        kind=data["kind"], noted_on=data["noted_on"], text=data["text"])

    return run_action(request, write, success=_("Der Aktenvermerk wurde abgelegt."),
                      back=reverse("web:case_file", args=[case_file.pk]))


@login_required
@require_POST
def file_note_correct_action(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = FileNoteCorrectForm(request.POST)

    def correct():
        data = cleaned(form)
        file_note_correct(actor=actor_for_request(request), document_id=document.pk,
                          kind=data["kind"], noted_on=data["noted_on"], text=data["text"],
                          reason=data["reason"])

    return run_action(request, correct,
                      success=_("Die Berichtigung ist als neue Version abgelegt."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_POST
def signing_route_start(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = RouteStartForm(request.POST)

    def start():
        data = cleaned(form)
        signoff_route_start(actor=actor_for_request(request), document_id=document.pk,
                            cosigners=form.cosigner_list(), final_signer=data["final_signer"],
                            amount=data["amount"], note=data["note"])

    return run_action(request, start, success=_("Das Dokument ist im Umlauf."),
                      back=_back(document.pk))


def _route_back(user, route_id: int) -> str:
    """Where a step's form leads back to: the document page. A route of a document the user
    may not read is as unknown as one that does not exist (404, before anything else)."""
    document_id = SigningRoute.objects.filter(pk=route_id).values_list("document_id",
                                                                        flat=True).first()
    if document_id is None or not documents_visible_to(user).filter(pk=document_id).exists():
        raise NotFound()
    return _back(document_id)


def _step_action(request, route_id: int, service, success: str, **extra):
    form = StepForm(request.POST)

    def act():
        service(actor=actor_for_request(request), route_id=route_id,
                **{extra.get("field", "comment"): cleaned(form)["comment"]})

    return run_action(request, act, success=success, back=_route_back(request.user, route_id))


@login_required
@require_POST
def signing_step_sign(request, route_id: int):
    return _step_action(request, route_id, signoff_step_sign, _("Gezeichnet."))


@login_required
@require_POST
def signing_step_refuse(request, route_id: int):
    return _step_action(request, route_id, signoff_step_refuse,
                        _("Abgelehnt; das Dokument geht an die Verfasserin oder den "
                          "Verfasser zurück."))


@login_required
@require_POST
def signing_route_withdraw(request, route_id: int):
    return _step_action(request, route_id, signoff_route_withdraw,
                        _("Der Umlauf ist zurückgezogen."), field="reason")


@login_required
@require_GET
def signing_awaiting(request):
    """What awaits the user's co-signature or sign-off, and their refused drafts. Titles are
    content: the list is one logged read through the access function."""
    steps = list(steps_awaiting(request.user))
    returned = list(routes_returned(request.user).prefetch_related("steps__acted_by"))
    shown = {document.pk for document in documents_list(
        user=request.user, page=[s.route.document for s in steps]
        + [r.document for r in returned],
        purpose="Zeichnung: was mich erwartet", list_name="signing_awaiting")}
    return render(request, "web/signing_awaiting.html", {
        "current": "signing_awaiting",
        "steps": [s for s in steps if s.route.document_id in shown],
        "returned": [r for r in returned if r.document_id in shown]})
