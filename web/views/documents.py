from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from archive.blobstore import blob_open
from archive.errors import InvalidInput, NotFound
from archive.guards import may_work_on
from archive.selectors import document_visible_or_404, version_latest
from archive.services.access import (
    document_read,
    document_read_with_grant,
    thumbnail_read,
    version_read,
)
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import document_move, document_update
from ingest.redaction import Box, document_redact
from ingest.uploads import version_upload_receive

from ..forms import DocumentEditForm, MoveForm, RedactionForm
from .actions import changed, cleaned, run_action
from .casefiles import reopeners


@login_required
@require_GET
def document_page(request, document_id: int):
    # One view of the page is one access event; the embedded PDF rides on its grant.
    document = document_read(user=request.user, document_id=document_id, action="viewed",
                             purpose=request.GET.get("zweck", ""))
    version = version_latest(document)
    closed = (document.case_file is not None and document.case_file.is_closed) or (
        document.process is not None and document.process.is_closed)
    return render(request, "web/document.html",
                  {"document": document, "version": version, "grant": document.access_grant,
                   "move_form": MoveForm(), "redaction_form": RedactionForm(),
                   "versions": _versions_to_link(request.user, document), "closed": closed,
                   "reopeners": reopeners(document.case_file) if closed else [],
                   "edit_form": DocumentEditForm(initial=DocumentEditForm.initial_for(document))})


def _versions_to_link(user, document) -> dict:
    """Only versions this user may open get a link (the rule of archive.services.access:
    earlier versions may hold what a redaction removed)."""
    versions = list(document.versions.order_by("number"))
    earlier = bool(user.has_perm("archive.view_unredacted") and document.case_file_id
                   and may_work_on(user, document.case_file))
    return {"all": versions, "linked": versions if earlier else versions[-1:],
            "hidden": 0 if earlier else len(versions) - 1}


@login_required
@require_GET
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
    it carries that page's grant; elsewhere (search hits) every picture is a logged read."""
    version = thumbnail_read(user=request.user, document_id=document_id, number=number,
                             grant=request.GET.get("g", ""),
                             purpose=request.GET.get("zweck", ""))
    with blob_open(version.thumbnail_sha256) as handle:
        return HttpResponse(handle.read(), content_type="image/png")


@login_required
@require_POST
def document_redact_action(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = RedactionForm(request.POST)

    def redact():
        data = cleaned(form)
        box = Box(page=data["page"], x=data["x"], y=data["y"], width=data["width"],
                  height=data["height"])
        document_redact(user=request.user, document_id=document.pk, boxes=[box],
                        reason=data["reason"])

    return run_action(request, redact, success=_("Die geschwärzte Fassung ist die neue "
                                                 "Version."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_POST
def document_version_upload(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)

    def receive():
        upload = request.FILES.get("file")
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
        document_update(user=request.user, document_id=document.pk, **changed(form))

    return run_action(request, edit, success=_("Die Angaben wurden gespeichert."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_POST
def document_move_action(request, document_id: int):
    document = document_visible_or_404(request.user, document_id)
    form = MoveForm(request.POST)

    def move():
        target = case_file_by_reference(form.data.get("file_reference", "").strip())
        if target is None:
            raise NotFound()
        document_move(user=request.user, document_id=document.pk, case_file=target,
                      reason=form.data.get("reason", ""))

    return run_action(request, move, success=_("Das Dokument wurde verschoben."),
                      back=reverse("web:document", args=[document.pk]))


@login_required
@require_GET
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
def document_original(request, document_id: int):
    document = document_read(user=request.user, document_id=document_id, action="downloaded",
                             purpose=request.GET.get("zweck", ""))
    version = version_latest(document)
    return FileResponse(blob_open(version.original_sha256), content_type=version.original_mime,
                        filename=version.original_name, as_attachment=True)
