"""Intake pages: the mailroom's upload with live per-file progress, printable cover and
separator sheets, and the review of recognised post (confirm or correct is one action)."""
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.models import Role
from archive.permissions import user_role
from archive.selectors import document_visible_or_404
from archive.services.access import case_file_read, inbox_list
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import document_move, document_update
from ingest.sheets import cover_sheet_pdf, separator_sheet_pdf
from ingest.uploads import MAY_UPLOAD

from .mailroom import inbox_rows


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_GET
def upload_page(request):
    if user_role(request.user) not in MAY_UPLOAD:
        raise NotFound()
    return render(request, "web/intake_upload.html")


@login_required
@require_GET
def cover_sheet(request, case_file_id):
    # The sheet prints the file's title: a read like any other, logged once.
    case_file = case_file_read(user=request.user, case_file_id=case_file_id, action="exported",
                               purpose="Deckblatt für den Scan")
    data = cover_sheet_pdf(file_reference=case_file.file_reference, title=case_file.title,
                           unit=case_file.unit.name)
    return _pdf(data, f"deckblatt-{case_file.file_reference}.pdf")


@login_required
@require_GET
def separator_sheet(request):
    if user_role(request.user) not in MAY_UPLOAD:
        raise NotFound()
    return _pdf(separator_sheet_pdf(), "trennblatt.pdf")


def _mailroom_only(user) -> None:
    if user_role(user) != Role.MAILROOM:
        raise NotFound()


def _suggestion(provenance: dict) -> dict:
    recognition = provenance.get("recognition", {})
    return {key: recognition.get(key, {}) for key in
            ("file_reference", "letter_date", "sender", "subject")}


@login_required
@require_GET
def review_page(request):
    _mailroom_only(request.user)
    documents = inbox_list(user=request.user, limit=100, purpose="Vorschläge prüfen")
    rows = [{**row, "suggestion": _suggestion(row["provenance"])}
            for row in inbox_rows(documents)]
    return render(request, "web/intake_review.html", {"rows": rows})


@login_required
@require_POST
def review_file(request, document_id):
    """File an inbox document: confirming the suggestion and correcting it are the same one
    action; the move is logged with whether the suggestion was taken."""
    _mailroom_only(request.user)
    document = document_visible_or_404(request.user, document_id)
    reference = request.POST.get("file_reference", "").strip()
    case_file = case_file_by_reference(reference) if reference else None
    if case_file is None:
        raise InvalidInput(_("Unbekanntes Aktenzeichen: %(ref)s") % {"ref": reference},
                           code="UNKNOWN_FILE_REFERENCE")
    corrections = _corrections(request.POST)
    first = document.versions.order_by("number").first()
    provenance = (first.provenance or {}) if first else {}
    suggested = _suggestion(provenance)["file_reference"].get("value")
    how = ("Vorschlag bestätigt" if suggested == reference
           else f"korrigiert (Vorschlag: {suggested or '–'})")
    with transaction.atomic():
        # Corrected while still in the inbox (the mailroom's), then filed: both or neither.
        if corrections:
            changed = document_update(actor=actor_for_request(request), document_id=document.pk,
                                      **corrections)
            edited = [name for name in corrections if getattr(document, name) !=
                      getattr(changed, name)]
            if edited:
                how += "; berichtigt: " + ", ".join(FIELD_NAMES[name] for name in edited)
        document_move(actor=actor_for_request(request), document_id=document.pk,
                      case_file=case_file, reason=f"Poststelle: {how}")
    return redirect("web:intake_review")


FIELD_NAMES = {"title": "Betreff", "sender": "Absender", "letter_date": "Briefdatum"}


def _corrections(form) -> dict:
    """Title, sender and letter date as the mailroom typed them; an empty field keeps what
    was recognised."""
    changes = {name: form.get(name, "").strip() for name in ("title", "sender")
               if form.get(name, "").strip()}
    raw = form.get("letter_date", "").strip()
    if raw:
        try:
            changes["letter_date"] = (parse_date(raw)
                                      or datetime.strptime(raw, "%d.%m.%Y").date())
        except ValueError:
            raise InvalidInput(_("Ungültiges Briefdatum: %(date)s") % {"date": raw},
                               code="INVALID_DATE") from None
    return changes
