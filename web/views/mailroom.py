from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from archive.errors import NotFound
from archive.models import Role, Unit, Version
from archive.permissions import user_role
from archive.services.access import inbox_list
from ingest.selectors import jobs_in_quarantine, jobs_recent
from ingest.watcher import hotfolder_reports, watcher_healthy


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
    """Each inbox document with what the mailroom must see next to it: a page-count flag."""
    provenances = _first_provenance(documents)
    rows = []
    for document in documents:
        provenance = provenances.get(document.pk, {})
        rows.append({"document": document, "provenance": provenance,
                     "mismatch": page_mismatch(provenance),
                     "unit": provenance.get("route_unit", "")})
    return rows


@login_required
@require_GET
def inbox_page(request):
    """Unfiled post, with the unit it was handed in for (a hot-folder subfolder of that
    unit) and a filter by it."""
    _mailroom_only(request.user)
    rows = inbox_rows(inbox_list(user=request.user))
    names = dict(Unit.objects.values_list("code", "name"))
    for row in rows:
        row["unit_name"] = names.get(row["unit"], row["unit"])
    units = sorted({(row["unit"], row["unit_name"]) for row in rows if row["unit"]})
    chosen = request.GET.get("sachgebiet", "")
    if chosen:
        rows = [row for row in rows if row["unit"] == chosen]
    return render(request, "web/inbox.html", {
        "rows": rows, "units": units, "chosen_unit": chosen, "jobs": jobs_recent()[:50],
    })


@login_required
@require_GET
def quarantine_page(request):
    _mailroom_only(request.user)
    return render(request, "web/quarantine.html", {
        "jobs": jobs_in_quarantine()[:500],
        # Left in the hot folder (links, pipes, stale temporary files), and whether anyone
        # watches the folder at all.
        "left_in_folder": hotfolder_reports()[:500], "watched": watcher_healthy(),
    })
