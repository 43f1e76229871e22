"""The mailroom's review of one document beside its pages (issue 12 point 4): the page
pictures on the left, the recognised fields as a form on the right, filed (and corrected in
the same step) through the review's one decision, then on to the next document of the queue.

The page is one logged read of the document, as the document page is; its page picture rides
on that read's grant, so looking at it writes no second event."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archive.errors import NotFound
from archive.selectors import document_visible_or_404, inbox_documents, version_latest
from archive.services.access import document_read
from archive.services.doctypes import document_type_choices, document_type_names
from ingest.pages import WIDTHS

from ..errors import as_domain_error
from ..params import whole_number
from .intake import first_provenance, mailroom_only, recognised_suggestion, review_decide
from .mailroom import page_mismatch

PICTURE_WIDTH = WIDTHS[-1]
PURPOSE = "Vorschläge prüfen"  # as the review list logs its read


def next_in_queue(user, document) -> int | None:
    """The id of the inbox document after this one in the review's order (newest first,
    as the review list and the inbox show them), or None at the end of the queue."""
    later = Q(received_at__lt=document.received_at) | Q(received_at=document.received_at,
                                                         pk__lt=document.pk)
    return (inbox_documents(user).filter(later).order_by("-received_at", "-id")
            .values_list("pk", flat=True).first())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_document(request, document_id: int):
    """GET shows the document; POST files it as the form says (the suggestion taken or
    corrected: one event) and goes on to the next document. A refusal shows the page again
    with what was typed and the reason, and nothing is changed."""
    mailroom_only(request.user)
    error = None
    if request.method == "POST":
        document = document_visible_or_404(request.user, document_id)
        if document.case_file_id is not None:
            raise NotFound()
        following = next_in_queue(request.user, document)
        try:
            case_file = review_decide(request, document, request.POST)
        except NotFound:
            raise
        except Exception as exception:
            error = as_domain_error(exception)
            if error is None:
                raise
        else:
            messages.success(request, _("„%(title)s“: abgelegt in %(ref)s.") % {
                "title": document.title, "ref": case_file.file_reference})
            return redirect(reverse("web:intake_review_document", args=[following])
                            if following else reverse("web:intake_review"))
    document = document_read(user=request.user, document_id=document_id, action="viewed",
                             purpose=PURPOSE)
    if document.case_file_id is not None:  # filed meanwhile: no longer the mailroom's
        raise NotFound()
    context = _context(request, document, error)
    return render(request, "web/intake_review_document.html", context,
                  status=error.http_status if error else 200)


def _context(request, document, error) -> dict:
    version = version_latest(document)
    pages = version.page_count if version.rendition_sha256 else 0
    page = whole_number(request.GET.get("seite")) or 1
    page = min(max(page, 1), pages or 1)
    provenance = first_provenance(document)
    suggestion = recognised_suggestion(provenance)
    names, choices = document_type_names(), document_type_choices()
    typed = suggestion["document_type"]
    typed["name"] = names.get(typed["value"] or "", typed["value"])
    current = document.document_type
    offered = {key for key, _name in choices}
    posted = request.POST if error else None
    person = suggestion["person"]
    values = {
        "file_reference": suggestion["file_reference"].get("value") or "",
        "title": document.title, "sender": document.sender,
        "letter_date": document.letter_date.isoformat() if document.letter_date else "",
        "document_type": current,
        "person_name": person.get("value", ""),
        "client_number": person.get("client_number", ""),
    }
    if posted is not None:  # what was typed, so that nothing needs typing again
        values = {name: posted.get(name, value) for name, value in values.items()}
    return {
        "document": document, "grant": document.access_grant, "suggestion": suggestion,
        "values": values, "type_choices": choices,
        # A retired type the document has stays selectable, as on the review list.
        "kept_type": (current, names.get(current, current))
        if current and current not in offered else None,
        "pages": pages, "page": page, "picture_width": PICTURE_WIDTH,
        "page_numbers": range(1, pages + 1),
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "next_document": next_in_queue(request.user, document),
        "mismatch": page_mismatch(provenance), "error": error,
    }
