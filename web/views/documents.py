from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.blobstore import blob_open
from archive.errors import InvalidInput, NotFound
from archive.guards import may_work_on
from archive.models import Role
from archive.permissions import user_role
from archive.selectors import document_visible_or_404, documents_visible_to, version_latest
from archive.services.access import (
    document_read,
    document_read_with_grant,
    thumbnail_read,
    version_read,
)
from archive.services.casefiles import case_file_by_reference
from archive.services.doctypes import document_type_choices, document_type_name, type_suggestion
from archive.services.documents import (
    document_correct,
    document_move,
    document_update,
    target_refused,
)
from ingest.redaction_jobs import (
    Box,
    redaction_job_of,
    redaction_jobs_of,
    redaction_request,
    redaction_status,
)
from ingest.uploads import upload_refusal, version_upload_receive

from ..forms import DocumentCorrectionForm, DocumentEditForm, MoveForm, RedactionForm
from .actions import changed, cleaned, run_action
from .casefiles import reopeners
from .document_viewer import viewer_context
from .purpose import asks_purpose
from .signoff import signoff_context


@login_required
@require_GET
@asks_purpose
def document_page(request, document_id: int):
    # One view of the page is one access event; the embedded PDF rides on its grant.
    document = document_read(user=request.user, document_id=document_id, action="viewed",
                             purpose=request.GET.get("zweck", ""))
    version = version_latest(document)
    closed = (document.case_file is not None and document.case_file.is_closed) or (
        document.process is not None and document.process.is_closed)
    versions = _versions_to_link(request.user, document)
    return render(request, "web/document.html",
                  {"document": document, "version": version, "grant": document.access_grant,
                   # The purpose stated for the page serves its downloads too.
                   "read_purpose": request.GET.get("zweck", "").strip(),
                   "move_form": MoveForm(),
                   "redaction_form": RedactionForm(initial={"version": version.number}),
                   "redactions": _redactions(request.user, document),
                   "versions": versions, "closed": closed,
                   "reopeners": reopeners(document.case_file) if closed else [],
                   "edit_form": DocumentEditForm(initial=DocumentEditForm.initial_for(document)),
                   # The viewer, the versions and the drawn redaction (document_viewer.py).
                   **viewer_context(request.user, document, version, versions),
                   # Signing routes and the file note's correction (signoff.py).
                   **signoff_context(request.user, document, closed),
                   **_type_context(request.user, document, closed)})


def _may_correct(user, document) -> bool:
    """Whom the correction form is offered to (the service decides again): the mailroom for
    unfiled post, a caseworker for documents in files they work on."""
    if document.case_file_id is None:
        return user_role(user) == Role.MAILROOM
    return may_work_on(user, document.case_file)


def _type_context(user, document, closed: bool) -> dict:
    """The type's German name, what recognition suggested, and the correction form."""
    first = document.versions.order_by("number").values_list("provenance", flat=True).first()
    suggestion = type_suggestion(first)
    suggestion["name"] = document_type_name(suggestion["value"] or "")
    name = document_type_name(document.document_type)
    may_correct = not closed and _may_correct(user, document)
    return {"type_name": name, "type_suggestion": suggestion, "may_correct": may_correct,
            "correction_form": DocumentCorrectionForm(
                document=document, choices=document_type_choices(), current_name=name)
            if may_correct else None}


def _versions_to_link(user, document) -> dict:
    """Only versions this user may open get a link (the rule of archive.services.access:
    earlier versions may hold what a redaction removed)."""
    versions = list(document.versions.select_related("created_by").order_by("number"))
    earlier = bool(user.has_perm("archive.view_unredacted") and document.case_file_id
                   and may_work_on(user, document.case_file))
    return {"all": versions, "linked": versions if earlier else versions[-1:],
            "hidden": 0 if earlier else len(versions) - 1}


@login_required
@require_GET
@asks_purpose
def document_version_pdf(request, document_id: int, number: int):
    version = version_read(user=request.user, document_id=document_id, number=number,
                           purpose=request.GET.get("zweck", ""))
    return FileResponse(blob_open(version.rendition_sha256), content_type="application/pdf",
                         filename=f"dokument-{document_id}-v{number}.pdf")


@login_required
@require_GET
@never_cache  # a picture of social data: private, no-store, never in a shared cache
def document_thumbnail(request, document_id: int, number: int | None = None):
    """The first page of the latest (or a given) version as a small PNG. On the document page
    it carries that page's grant, on a page of search hits the grant of that search's one
    event; a picture fetched without a grant is a logged read of its own."""
    version = thumbnail_read(user=request.user, document_id=document_id, number=number,
                             grant=request.GET.get("g", ""),
                             purpose=request.GET.get("zweck", ""))
    # Streamed like every other stored file (the response closes the handle), but without
    # the Content-Disposition FileResponse derives from the blob's name.
    response = FileResponse(blob_open(version.thumbnail_sha256), content_type="image/png")
    del response["Content-Disposition"]
    return response


def _redactions(user, document) -> list[dict]:
    """The user's own latest running redaction, else the outcome of the last one: at most
    one, for the page's status block."""
    jobs = list(redaction_jobs_of(user=user, document=document)[:5])
    shown = [job for job in jobs if not job.is_terminal][:1] or jobs[:1]
    return [redaction_status(job) | {"url": reverse("web:document_redaction",
                                                    args=[document.pk, job.pk])}
            for job in shown]


@login_required
@require_POST
def document_redact_action(request, document_id: int):
    """Only checks and queues: the worker rasterises and OCRs (minutes, not a request)."""
    document = document_visible_or_404(request.user, document_id)
    form = RedactionForm(request.POST)

    def redact():
        data = cleaned(form)
        box = Box(page=data["page"], x=data["x"], y=data["y"], width=data["width"],
                  height=data["height"])
        redaction_request(user=request.user, document_id=document.pk,
                          version=data["version"], boxes=[box], reason=data["reason"])

    return run_action(request, redact, success=_("Die Schwärzung wird erstellt; den Stand "
                                                 "zeigt diese Seite unter „Schwärzen“."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_GET
@never_cache
def document_redaction_status(request, document_id: int, job_id):
    """The state of one of the user's own redactions, for the page's polling (JSON).
    Job state only, no content: no access event."""
    job = redaction_job_of(user=request.user, document_id=document_id, job_id=job_id)
    return JsonResponse(redaction_status(job))


@login_required
@require_POST
def document_version_upload(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)

    def receive():
        upload = request.FILES.get("file")
        if (refusal := upload_refusal(request)) is not None:
            raise refusal
        if upload is None:
            raise InvalidInput(_("Bitte eine Datei wählen."), code="NO_FILE")
        version_upload_receive(user=request.user, document_id=document.pk, upload=upload)

    return run_action(request, receive, success=_("Die neue Version wird verarbeitet und "
                                                  "erscheint hier, sobald sie abgelegt ist."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_POST
def document_edit_action(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = DocumentEditForm(request.POST, initial=DocumentEditForm.initial_for(document))

    def edit():
        document_update(actor=actor_for_request(request), document_id=document.pk, **changed(form))

    return run_action(request, edit, success=_("Die Angaben wurden gespeichert."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_POST
def document_correct_action(request, document_id: int):
    """A wrong type and/or a wrong filing (an auto-filing into the wrong case file) corrected
    in one step: one service call, one event."""
    document = document_visible_or_404(request.user, document_id)
    form = DocumentCorrectionForm(request.POST, document=document)

    def correct():
        data = cleaned(form)
        reference = data["file_reference"].strip()
        target = case_file_by_reference(reference) if reference else None
        if reference and target is None:
            raise target_refused()  # as for a file one may not file into: no oracle
        # Left out of the post, or sent as it was: the type stays (and is not "decided").
        document_type = (data["document_type"].strip() if "document_type" in request.POST
                         and "document_type" in form.changed_data else None)
        document_correct(actor=actor_for_request(request), document_id=document.pk,
                         document_type=document_type, case_file=target,
                         to_inbox=data["to_inbox"], reason=data["reason"])

    response = run_action(request, correct, success=_("Die Berichtigung wurde gespeichert."),
                          back=reverse("web:document", args=[document.pk]))
    if documents_visible_to(request.user).filter(pk=document.pk).exists():
        return response
    # Filed out of the mailroom's sight, or handed back to it: back to where one came from.
    return redirect(reverse("web:case_file", args=[document.case_file_id])
                    if document.case_file_id else reverse("web:inbox"))


@login_required
@require_POST
def document_move_action(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = MoveForm(request.POST)

    def move():
        target = case_file_by_reference(form.data.get("file_reference", "").strip())
        if target is None:
            raise NotFound()
        document_move(actor=actor_for_request(request), document_id=document.pk, case_file=target,
                      reason=form.data.get("reason", ""))

    return run_action(request, move, success=_("Das Dokument wurde verschoben."),
                      back=reverse("web:document", args=[document.pk]))


# The one answer a page of the site may frame: the document page embeds the rendition when its
# viewer cannot run (settings: X_FRAME_OPTIONS and the policy's frame-ancestors).
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@login_required
@require_GET
@asks_purpose
def document_rendition(request, document_id: int):
    grant = request.GET.get("g")
    if grant:
        document = document_read_with_grant(user=request.user, document_id=document_id,
                                            grant=grant)
    else:
        document = document_read(user=request.user, document_id=document_id,
                                 action="downloaded")
    version = version_latest(document)
    return FileResponse(blob_open(version.rendition_sha256), content_type="application/pdf",
                        filename=f"dokument-{document.pk}-v{version.number}.pdf",
                        as_attachment=not grant)


@login_required
@require_GET
@asks_purpose
def document_original(request, document_id: int):
    document = document_read(user=request.user, document_id=document_id, action="downloaded",
                             purpose=request.GET.get("zweck", ""))
    version = version_latest(document)
    return FileResponse(blob_open(version.original_sha256), content_type=version.original_mime,
                        filename=version.original_name, as_attachment=True)
