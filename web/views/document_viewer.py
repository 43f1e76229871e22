"""The document page's viewer, versions and drawn redaction (issue 12 point 5): page pictures
for the thumbnail strip and the drawing surface, the versions with what changed between two
of them, a preview of drawn boxes, and the redaction asked for with all boxes at once.

Every picture and every comparison is a read of content through the archive's access
function: on the document page the pictures ride on the page's grant (its one logged view),
anywhere else each one is logged."""
import difflib
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from archive.errors import InvalidInput, NotFound
from archive.models import PdfaCheck
from archive.pdfa_check import NO_CLAIM
from archive.selectors import document_visible_or_404
from archive.services.access import page_read, versions_compare_read
from ingest.pages import WIDTHS, page_image, page_sizes, redaction_preview
from ingest.redaction_jobs import (
    boxes_from_drawing,
    drawn_boxes_parse,
    redaction_request_drawn,
    redaction_status,
)

from ..errors import as_domain_error
from .actions import run_action
from .purpose import asks_purpose

THUMBNAIL_WIDTH, DRAWING_WIDTH = WIDTHS
DIFF_CONTEXT_LINES = 2


def viewer_context(user, document, version, versions: dict) -> dict:
    """What the document page's includes need beside the document and its grant."""
    linked = versions["linked"]
    return {
        "pages": list(range(1, (version.page_count if version.rendition_sha256 else 0) + 1)),
        "thumbnail_width": THUMBNAIL_WIDTH, "drawing_width": DRAWING_WIDTH,
        "version_rows": [_version_row(v) for v in versions["all"]],
        "linked_numbers": {v.number for v in linked},
        "compare": ({"old": linked[-2].number, "new": linked[-1].number}
                    if len(linked) >= 2 else None),
    }


def _version_row(version) -> dict:
    """Number, when (the template shows local time), who and why, in German."""
    provenance = version.provenance or {}
    if "redaction_of_version" in provenance:
        why = _("Schwärzung von Version %(number)s: %(reason)s") % {
            "number": provenance["redaction_of_version"], "reason": provenance.get("reason", "")}
    elif provenance.get("new_version_of"):
        why = _("Neue Version hochgeladen")
    elif version.number == 1:
        why = _("Eingang")
    else:
        why = _("Neue Version")
    who = version.created_by.username if version.created_by_id else _("System (Posteingang)")
    return {"number": version.number, "created_at": version.created_at, "who": who,
            "why": why, "pages": version.page_count, **_pdfa_verdict(version)}


def _pdfa_verdict(version) -> dict:
    """The validator's verdict on the rendition in German; on a failure its first finding
    (the validator's own words, in English: a rule id an archivist can look up)."""
    findings = [str(finding) for finding in version.pdfa_findings or []]
    if version.pdfa_check == PdfaCheck.PASS:
        return {"pdfa": _("PDF/A geprüft: gültig"), "pdfa_detail": "", "pdfa_more": 0}
    if version.pdfa_check == PdfaCheck.FAIL:
        detail = findings[0] if findings else ""
        if detail.startswith(NO_CLAIM):
            detail = _("die Datei ist kein PDF/A, sondern ein gewöhnliches PDF")
        return {"pdfa": _("PDF/A-Prüfung fehlgeschlagen"), "pdfa_detail": detail,
                "pdfa_more": max(0, len(findings) - 1)}
    return {"pdfa": _("PDF/A nicht geprüft"), "pdfa_detail": findings[0] if findings else "",
            "pdfa_more": max(0, len(findings) - 1)}


@login_required
@require_GET
@never_cache  # a picture of social data: private, no-store, never in a shared cache
def document_page_image(request, document_id: int, page: int):
    """One page of the latest version as a greyscale PNG (`w`: 160 for the thumbnail strip,
    800 for drawing a redaction)."""
    try:
        width = int(request.GET.get("w", THUMBNAIL_WIDTH))
    except ValueError:
        width = 0
    if width not in WIDTHS:
        raise InvalidInput(_("Diese Bildbreite gibt es nicht."), code="WIDTH_INVALID")
    version = page_read(user=request.user, document_id=document_id, page=page,
                        grant=request.GET.get("g", ""), purpose=request.GET.get("zweck", ""))
    path = page_image(document_id=version.document_id, rendition_sha256=version.rendition_sha256,
                      page=page, width=width)
    response = FileResponse(path.open("rb"), content_type="image/png")
    del response["Content-Disposition"]
    return response


@login_required
@require_GET
@never_cache
def document_redaction_preview(request, document_id: int, page: int):
    """The page with the drawn boxes painted black, exactly where the redaction will paint
    them: the same conversion to millimetres, nothing stored or changed."""
    version = page_read(user=request.user, document_id=document_id, page=page,
                        grant=request.GET.get("g", ""), purpose=request.GET.get("zweck", ""))
    drawn = [box for box in drawn_boxes_parse(request.GET.get("boxes", "[]"))
             if box.page == page]
    sizes = page_sizes(document_id=version.document_id,
                       rendition_sha256=version.rendition_sha256)
    boxes = boxes_from_drawing(drawn, sizes)
    png = redaction_preview(document_id=version.document_id,
                            rendition_sha256=version.rendition_sha256, page=page,
                            boxes_mm=[(b.x, b.y, b.width, b.height) for b in boxes])
    return HttpResponse(png, content_type="image/png")


@dataclass
class DiffLine:
    kind: str  # "same", "removed", "added", "gap"
    old: int | None
    new: int | None
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Line by line, with a little context around each change; skipped runs are a gap."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(DIFF_CONTEXT_LINES)):
        if index or group[0][1] > 0 or group[0][3] > 0:
            lines.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", i + 1, j + 1, a[i]) for i, j in
                          zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            lines += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return lines


@login_required
@require_GET
@asks_purpose
def document_versions_diff(request, document_id: int):
    """What changed in the text between two versions (one logged read of both)."""
    try:
        old, new = int(request.GET.get("alt", "")), int(request.GET.get("neu", ""))
    except ValueError:
        raise InvalidInput(_("Bitte zwei Versionen wählen."), code="VERSIONS_REQUIRED") from None
    first, second = versions_compare_read(user=request.user, document_id=document_id, old=old,
                                          new=new, purpose=request.GET.get("zweck", ""))
    document = first.document
    lines = text_diff(first.text, second.text)
    return render(request, "web/document_diff.html", {
        "document": document, "old": first, "new": second, "lines": lines,
        "changes": sum(line.kind in ("removed", "added") for line in lines)})


@login_required
@require_POST
def document_redact_drawn_action(request, document_id: int):
    """All boxes drawn on the page pictures, with one reason: one redaction job. A page's
    script asks for JSON (the status URL it then polls); a plain form post is redirected
    back to the document page like the numeric form."""
    document = document_visible_or_404(request.user, document_id)
    wants_json = "application/json" in request.headers.get("Accept", "")

    def redact():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            raise InvalidInput(_("Bitte prüfen Sie die Eingaben."), code="VERSION_MISSING") \
                from None
        return redaction_request_drawn(
            user=request.user, document_id=document.pk, version=version,
            drawn=drawn_boxes_parse(request.POST.get("boxes", "")),
            reason=request.POST.get("reason", ""))

    if not wants_json:
        return run_action(request, redact, success=_("Die Schwärzung wird erstellt; den "
                                                     "Stand zeigt diese Seite unter "
                                                     "„Schwärzen“."),
                          back=reverse("web:document", args=[document.pk]))
    try:
        job = redact()
    except NotFound:
        raise
    except Exception as exception:
        error = as_domain_error(exception)
        if error is None:
            raise
        return JsonResponse({"code": error.code, "message": error.message},
                            status=error.http_status)
    return JsonResponse(redaction_status(job) | {
        "url": reverse("web:document_redaction", args=[document.pk, job.pk])}, status=202)
