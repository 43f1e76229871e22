"""Intake pages: the mailroom's upload with live per-file progress, printable cover and
separator sheets, and the review of recognised post (confirm or correct is one action)."""
import uuid
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.models import Role
from archive.permissions import user_role
from archive.selectors import document_visible_or_404
from archive.services.access import case_file_read, inbox_list
from archive.services.casefiles import case_file_by_reference
from archive.services.doctypes import (
    document_type_choices,
    document_type_name,
    document_type_names,
    type_suggestion,
)
from archive.services.documents import document_correct
from archive.services.scan_qa import rescan_requests
from ingest.classification.examples import examples_needed
from ingest.reporting import job_status
from ingest.selectors import jobs_visible_to
from ingest.sheets import cover_sheet_pdf, separator_sheet_pdf
from ingest.uploads import MAY_UPLOAD, SCAN_FIELDS, upload_receive, upload_refusal

from ..params import whole_number
from .actions import run_action
from .mailroom import inbox_rows


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# Texts the upload script shows, translated here (the script is a static file).
UPLOAD_TEXTS = {
    "filed": gettext_lazy("abgelegt in"), "inbox": gettext_lazy("im Posteingang"),
    "duplicate": gettext_lazy("bereits archiviert"), "refused": gettext_lazy("abgewiesen"),
    "failed": gettext_lazy("fehlgeschlagen"), "split": gettext_lazy("aufgeteilt"),
    "uploading": gettext_lazy("wird hochgeladen"),
    "no_answer": gettext_lazy("keine Antwort vom Server"),
    "no_state": gettext_lazy("Stand nicht abrufbar"),
    "open": gettext_lazy("Dokument öffnen"),
    "summary": gettext_lazy("%(done)s von %(total)s Dateien verarbeitet"),
}
MAX_SHOWN_JOBS = 100


def _shown_jobs(request) -> list[dict]:
    """The jobs named in the query string (after an upload without JavaScript), as far as
    the user may see them, with their state now: reloading the page shows the progress."""
    ids = []
    for raw in request.GET.getlist("auftrag")[:MAX_SHOWN_JOBS]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    if not ids:
        return []
    jobs = jobs_visible_to(request.user).filter(pk__in=ids).order_by("created_at")
    return [{"job": job, "status": job_status(job, user=request.user)} for job in jobs]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload_page(request):
    """Drop or choose files. With JavaScript each file is sent on its own and its progress
    and outcome appear in the table; without it the form posts here, the files are received
    the same way, and the page lists them with their state (reload for news)."""
    if user_role(request.user) not in MAY_UPLOAD:
        raise NotFound()
    if request.method == "POST":
        return _upload_without_script(request)
    return render(request, "web/intake_upload.html", {
        "texts": {key: str(text) for key, text in UPLOAD_TEXTS.items()},
        "shown": _shown_jobs(request), "rescans": rescan_requests(request.user),
        "rescan_of": whole_number(request.GET.get("neuscan"))})


def _upload_without_script(request):
    received = []

    def receive():
        files = request.FILES.getlist("file")  # read first: the size limit acts while reading
        refusal = upload_refusal(request)
        if refusal is not None:
            raise refusal
        scan = {key: request.POST.get(key) for key in (*SCAN_FIELDS, "pages_declared")}
        received.extend(upload_receive(user=request.user, files=files, source="upload",
                                       password=request.POST.get("password", ""), scan=scan,
                                       rescan_of=request.POST.get("rescan_of") or None))

    back = reverse("web:intake_upload")
    response = run_action(request, receive, back=back, success=_(
        "Die Dateien wurden angenommen und werden verarbeitet."))
    if received:
        return redirect(back + "?" + urlencode([("auftrag", str(job.pk)) for job in received]))
    return response


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


def mailroom_only(user) -> None:
    if user_role(user) != Role.MAILROOM:
        raise NotFound()


def recognised_suggestion(provenance: dict) -> dict:
    recognition = provenance.get("recognition") or {}
    if not isinstance(recognition, dict):
        recognition = {}
    found = {key: recognition.get(key) or {} for key in
             ("file_reference", "letter_date", "sender", "subject")}
    found["document_type"] = type_suggestion(provenance)
    found["person"] = _person(recognition.get("person"))
    return found


def _person(suggested) -> dict:
    """The person recognition found (name, and the case file or unit it points to), as far
    as the provenance has it; empty when none was found."""
    if not isinstance(suggested, dict):
        return {}
    reasons = suggested.get("reasons", suggested.get("reason")) or []
    return {"value": suggested.get("value") or suggested.get("name") or "",
            "confidence": suggested.get("confidence"),
            "birth_date": suggested.get("birth_date") or "",
            "client_number": suggested.get("client_number") or "",
            "file_reference": suggested.get("file_reference") or "",
            "reasons": [reasons] if isinstance(reasons, str) else list(reasons)}


@login_required
@require_GET
def review_page(request):
    mailroom_only(request.user)
    documents = inbox_list(user=request.user, limit=100, purpose="Vorschläge prüfen")
    names, choices = document_type_names(), document_type_choices()
    offered = {key for key, _name in choices}
    rows = []
    for row in inbox_rows(documents):
        suggestion = recognised_suggestion(row["provenance"])
        typed = suggestion["document_type"]
        typed["name"] = names.get(typed["value"] or "", typed["value"])
        current = row["document"].document_type
        rows.append({**row, "suggestion": suggestion,
                     # A retired or removed type the document has stays selectable, so that
                     # filing does not clear it unasked.
                     "kept_type": ((current, names.get(current, current))
                                   if current and current not in offered else None)})
    # Until a type has enough confirmed examples, the types' rules classify it (issue 11.9).
    learning = [(names.get(key, key), count) for key, count in examples_needed().items()
                if count]
    return render(request, "web/intake_review.html",
                  {"rows": rows, "type_choices": choices, "learning": learning})


@login_required
@require_POST
def review_file(request, document_id):
    """File an inbox document: confirming the suggestion and correcting it (the file, the
    type, title, sender, date) are the same one action and one event, which records whether
    each suggestion was taken, and for the type the model version and confidence."""
    mailroom_only(request.user)
    document = document_visible_or_404(request.user, document_id)
    review_decide(request, document, request.POST)
    return redirect("web:intake_review")


def review_decide(request, document, form):
    """The mailroom's decision on one inbox document, as the review list and the review of
    one document beside its pages post it: the target file and the corrected fields, filed
    through document_correct (one transaction, one event). Returns the target case file."""
    reference = form.get("file_reference", "").strip()
    case_file = case_file_by_reference(reference) if reference else None
    if case_file is None:
        raise InvalidInput(_("Unbekanntes Aktenzeichen: %(ref)s") % {"ref": reference},
                           code="UNKNOWN_FILE_REFERENCE")
    corrections = _corrections(form)
    suggestion = recognised_suggestion(first_provenance(document))
    suggested = suggestion["file_reference"].get("value")
    how = ("Vorschlag bestätigt" if suggested == reference
           else f"korrigiert (Vorschlag: {suggested or '–'})")
    edited = [FIELD_NAMES[name] for name in corrections
              if getattr(document, name) != corrections[name]]
    review = {"file_reference": {"suggested": suggested, "taken": suggested == reference}}
    person = _person_decision(form, suggestion["person"])
    if person is not None:
        review["person"] = person
        edited += [PERSON_FIELD_NAMES[name] for name in person["corrected"]]
    if edited:
        how += "; berichtigt: " + ", ".join(edited)
    chosen = form.get("document_type")
    chosen = chosen.strip() if chosen is not None else None
    suggested_type = suggestion["document_type"]["value"]
    if chosen is not None and chosen != (suggested_type or document.document_type):
        how += (f"; Dokumenttyp korrigiert (Vorschlag: "
                f"{document_type_name(suggested_type or '') or '–'})")
    document_correct(actor=actor_for_request(request), document_id=document.pk,
                     case_file=case_file, document_type=chosen, changes=corrections,
                     reason=f"Poststelle: {how}", review=review)
    return case_file


def first_provenance(document) -> dict:
    first = document.versions.order_by("number").first()
    return (first.provenance or {}) if first else {}


FIELD_NAMES = {"title": "Betreff", "sender": "Absender", "letter_date": "Briefdatum"}
# The person is no field of the document: recognition used it to find the case file, and
# what the mailroom corrects is kept in the filing event (its review), beside the suggestion.
PERSON_FIELD_NAMES = {"name": "Person", "client_number": "Kundennummer"}
PERSON_FORM_FIELDS = {"name": "person_name", "client_number": "client_number"}


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


def _person_decision(form, suggested: dict) -> dict | None:
    """What the mailroom decided about the recognised person, when its form sent the person
    fields (the review of one document does; the list does not): the suggestion, the values
    as typed, which of them were corrected and whether the suggestion was taken."""
    if not any(field in form for field in PERSON_FORM_FIELDS.values()):
        return None
    was = {"name": suggested.get("value") or "",
           "client_number": suggested.get("client_number") or ""}
    now = {key: form.get(field, "").strip()[:200] for key, field in PERSON_FORM_FIELDS.items()}
    corrected = [key for key in PERSON_FIELD_NAMES if now[key] != was[key]]
    return {"suggested": was, "value": now, "corrected": corrected, "taken": not corrected}
