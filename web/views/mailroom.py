"""The mailroom's working lists: the inbox (sorted, paged, filtered by unit, type and
suggestion; bulk filing of a selection) and the quarantine with its actions."""
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound, RegistraturError
from archive.models import DocumentType, Role, ScanResult, Unit, Version
from archive.permissions import user_role
from archive.selectors import inbox_documents
from archive.services.access import inbox_list
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import document_move
from ingest.quarantine import quarantine_hand_to_unit, quarantine_release, quarantine_retry
from ingest.selectors import (
    inbox_routable,
    inbox_with_routing,
    jobs_quarantine_closed,
    jobs_quarantine_open,
    jobs_recent,
    with_suggestion,
)
from ingest.watcher import hotfolder_reports, watcher_healthy

from ..listing import Column, listing
from ..params import whole_number
from .actions import run_action


def _mailroom_only(user) -> None:
    if user_role(user) != Role.MAILROOM:
        raise NotFound()


def page_mismatch(provenance: dict) -> dict | None:
    """Declared and found pages of the scan (or of the batch it was cut from) differ: pages
    may be missing (double feed, jam), so the mailroom checks before filing."""
    batch = provenance.get("batch") or {}
    note = (batch.get("scan") or provenance.get("scan") or {}).get("transfer_note") or {}
    if note.get("pages_match", True) and not batch.get("flagged"):
        return None
    return {"declared": note.get("pages_declared"), "found": note.get("pages_found"),
            "batch": batch.get("name", "")}


def _first_provenance(documents) -> dict[int, dict]:
    """The provenance of each document's first version, in one query for the whole list."""
    first: dict[int, dict] = {}
    for document_id, provenance in (Version.objects.filter(document__in=documents)
                                    .order_by("document_id", "-number")
                                    .values_list("document_id", "provenance")):
        first[document_id] = provenance or {}  # the lowest number comes last
    return first


def inbox_rows(documents) -> list[dict]:
    """Each inbox document with what the mailroom must see next to it: a page-count flag,
    the unit it was handed in for, the suggested case file and a note from the quarantine."""
    provenances = _first_provenance(documents)
    rows = []
    for document in documents:
        provenance = provenances.get(document.pk, {})
        suggestion = (provenance.get("recognition") or {}).get("file_reference") or {}
        rows.append({"document": document, "provenance": provenance,
                     "mismatch": page_mismatch(provenance),
                     "unit": provenance.get("route_unit", ""),
                     "suggested": suggestion.get("value") or "",
                     "handed_over": provenance.get("handed_over")})
    return rows


INBOX_COLUMNS = [
    Column("eingang", gettext_lazy("Eingang"), ("received_at",)),
    Column("titel", gettext_lazy("Dokument"), ("title",)),
    Column("typ", gettext_lazy("Dokumenttyp"), ("document_type",)),
    Column("sachgebiet", gettext_lazy("Für Sachgebiet"), ("route_unit",)),
]
INBOX_FILTERS = ("sachgebiet", "typ", "vorschlag")


def _inbox_filtered(user, params):
    """The inbox narrowed by the filters of the query string, still trimmed to the user."""
    # Scans held for the visual check (or waiting for their rescan) are on that page.
    documents = inbox_routable(inbox_documents(user)).exclude(
        scan_check__result__in=[ScanResult.OPEN, ScanResult.REJECTED])
    if params.get("sachgebiet"):
        documents = documents.filter(route_unit=params["sachgebiet"])
    if params.get("typ"):
        documents = documents.filter(document_type=params["typ"])
    if params.get("vorschlag") == "ja":
        documents = with_suggestion(documents)
    return documents


@login_required
@require_GET
def inbox_page(request):
    """Unfiled post as a working list: sorted, paged, filtered by the unit it was handed in
    for, its type and whether a case file is suggested; a selection is filed at once."""
    _mailroom_only(request.user)
    found = listing(request, _inbox_filtered(request.user, request.GET), columns=INBOX_COLUMNS,
                    default_sort="-eingang", keep=INBOX_FILTERS)
    documents = inbox_list(user=request.user, page=found.page.object_list)
    rows = inbox_rows(documents)
    units = dict(Unit.objects.order_by("name").values_list("code", "name"))
    types = dict(DocumentType.objects.order_by("name").values_list("key", "name"))
    for row in rows:
        row["unit_name"] = units.get(row["unit"], row["unit"])
        kind = row["document"].document_type
        row["type_name"] = types.get(kind, kind)
    return render(request, "web/inbox.html", {
        "rows": rows, "listing": found, "units": units.items(), "types": types.items(),
        "chosen": {name: request.GET.get(name, "") for name in INBOX_FILTERS},
        "query": found.url()[1:], "jobs": jobs_recent()[:50],
    })


def _back_to_inbox(query: str) -> str:
    """The inbox as it was (filters, sort, page); only its own parameters survive."""
    allowed = {*INBOX_FILTERS, "sortierung", "seite"}
    kept = [(key, value) for key, value in parse_qsl(query or "") if key in allowed]
    return reverse("web:inbox") + ("?" + urlencode(kept) if kept else "")


def _file_one(request, document, target) -> None:
    """One document into the target case file (or, without one, its suggested case file),
    logged as the single filing on the review page is; it moves or nothing changes."""
    suggested = document.suggested_reference or ""
    case_file = target or (case_file_by_reference(suggested) if suggested else None)
    if case_file is None:
        reason = (_("unbekanntes Aktenzeichen %(ref)s (UNKNOWN_FILE_REFERENCE)")
                  % {"ref": suggested} if suggested
                  else _("kein Aktenzeichen vorgeschlagen (NO_SUGGESTION)"))
        messages.error(request, _("„%(title)s“: nicht abgelegt – %(reason)s")
                       % {"title": document.title, "reason": reason})
        return
    reference = case_file.file_reference
    how = ("Vorschlag bestätigt" if suggested == reference
           else f"korrigiert (Vorschlag: {suggested or '–'})")
    try:
        with transaction.atomic():
            document_move(actor=actor_for_request(request), document_id=document.pk,
                          case_file=case_file, reason=f"Poststelle: {how}")
    except RegistraturError as error:
        messages.error(request, _("„%(title)s“: nicht abgelegt – %(message)s (%(code)s)")
                       % {"title": document.title, "message": error.message,
                          "code": error.code})
        return
    messages.success(request, _("„%(title)s“: abgelegt in %(ref)s.")
                     % {"title": document.title, "ref": case_file.file_reference})


@login_required
@require_POST
def inbox_file(request):
    """File a selection of inbox documents in one post: into one case file named by its
    reference, or each into its suggested case file. A single "confirm" button files one
    document into its suggestion. Each document moves or stays on its own, with a message."""
    _mailroom_only(request.user)
    back = _back_to_inbox(request.POST.get("query", ""))
    confirm = whole_number(request.POST.get("bestaetigen"))
    if confirm is not None:
        ids, target = [confirm], ""
    else:
        ids = [pk for pk in map(whole_number, request.POST.getlist("dokument"))
               if pk is not None]
        target = ("" if request.POST.get("ziel") == "vorschlag"
                  else request.POST.get("file_reference", "").strip())
        if not ids:
            messages.error(request, _("Bitte wählen Sie mindestens ein Dokument aus."))
            return redirect(back)
        if request.POST.get("ziel") != "vorschlag" and not target:
            messages.error(request, _("Bitte geben Sie das Aktenzeichen der Zielakte an oder "
                                      "wählen Sie „jeweils in die vorgeschlagene Akte“."))
            return redirect(back)
    case_file = None
    if target:
        case_file = case_file_by_reference(target)
        if case_file is None:
            messages.error(request, _("Unbekanntes Aktenzeichen: %(ref)s (UNKNOWN_FILE_REFERENCE)")
                           % {"ref": target})
            return redirect(back)
    found = {document.pk: document for document in
             inbox_with_routing(inbox_documents(request.user)).filter(pk__in=ids)}
    for pk in dict.fromkeys(ids):
        if pk not in found:
            # Filed meanwhile, or never the mailroom's: either way not in the inbox.
            messages.error(request, _("Dokument %(id)s: nicht im Posteingang.") % {"id": pk})
            continue
        _file_one(request, found[pk], case_file)
    return redirect(back)


QUARANTINE_COLUMNS = [
    Column("eingang", gettext_lazy("Eingang"), ("created_at",)),
    Column("datei", gettext_lazy("Datei"), ("original_name",)),
    Column("code", gettext_lazy("Code"), ("code",)),
]


@login_required
@require_GET
def quarantine_page(request):
    _mailroom_only(request.user)
    found = listing(request, jobs_quarantine_open(), columns=QUARANTINE_COLUMNS,
                    default_sort="-eingang")
    units = dict(Unit.objects.order_by("name").values_list("code", "name"))
    return render(request, "web/quarantine.html", {
        "listing": found, "jobs": list(found.page.object_list), "units": units.items(),
        "released": jobs_quarantine_closed().order_by("-updated_at")[:50],
        # Left in the hot folder (links, pipes, stale temporary files), and whether anyone
        # watches the folder at all.
        "left_in_folder": hotfolder_reports()[:500], "watched": watcher_healthy(),
    })


def _quarantine_action(request, action, success: str):
    _mailroom_only(request.user)
    return run_action(request, action, success=success, back=reverse("web:quarantine"))


@login_required
@require_POST
def quarantine_retry_action(request, job_id):
    return _quarantine_action(request, lambda: quarantine_retry(
        actor=actor_for_request(request), job_id=job_id,
        password=request.POST.get("password", "")),
        _("Die Datei wird erneut verarbeitet."))


@login_required
@require_POST
def quarantine_release_action(request, job_id):
    return _quarantine_action(request, lambda: quarantine_release(
        actor=actor_for_request(request), job_id=job_id, reason=request.POST.get("reason", "")),
        _("Die Datei ist freigegeben; das Original bleibt gespeichert."))


@login_required
@require_POST
def quarantine_hand_action(request, job_id):
    return _quarantine_action(request, lambda: quarantine_hand_to_unit(
        actor=actor_for_request(request), job_id=job_id,
        unit_code=request.POST.get("unit", ""), note=request.POST.get("note", "")),
        _("Die Datei wird für das Sachgebiet erneut verarbeitet."))
