"""File notes (Aktenvermerke): written in a case file, filed as an immutable document version
(a PDF/A-2b composed from the note, plus its text) through the archive's ordinary filing
services, so that search indexes it, the trail logs it and retention trims it like every
document. A correction is a new version of the note's document, never an edit."""
import hashlib
import io
from datetime import date

import pikepdf
from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.blobstore import blob_put_bytes
from archive.errors import InvalidInput
from archive.guards import require_open, require_person, require_work
from archive.models import Document, Version
from archive.pdfa import pdfa_from_lines
from archive.pdfa_check import pdfa_check
from archive.selectors import case_file_visible_or_404, document_visible_or_404
from archive.services.documents import (
    VersionContent,
    document_file_new,
    document_update,
    version_add,
)

# The types of note (code -> German name); the name is what the note and its title say.
NOTE_KINDS = {
    "telefonat": "Telefonat",
    "hausbesuch": "Hausbesuch",
    "gespraech": "Gespräch",
    "entscheidung": "Entscheidung",
    "sonstiges": "Sonstiges",
}
MEDIUM = "file_note"  # Document.medium of a note: not post that arrived
MAX_TEXT = 20_000


def _who(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _checked(kind: str, noted_on: date | None, text: str) -> tuple[str, date, str]:
    if kind not in NOTE_KINDS:
        raise InvalidInput("Bitte wählen Sie die Art des Vermerks.", code="NOTE_KIND_UNKNOWN")
    if noted_on is None:
        raise InvalidInput("Bitte geben Sie das Datum des Vermerks an.", code="NOTE_DATE_MISSING")
    if noted_on > timezone.localdate():
        raise InvalidInput("Ein Vermerk hält fest, was war: das Datum liegt in der Zukunft.",
                           code="NOTE_DATE_IN_FUTURE")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Der Vermerk ist leer.", code="NOTE_EMPTY")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Der Vermerk ist zu lang (höchstens {MAX_TEXT} Zeichen).",
                           code="NOTE_TOO_LONG")
    return kind, noted_on, text


def note_title(kind: str, noted_on: date) -> str:
    return f"Aktenvermerk ({NOTE_KINDS[kind]}) vom {noted_on:%d.%m.%Y}"


def _note_content(*, user, case_file, kind: str, noted_on: date, text: str,
                  corrects: int | None = None, reason: str = "") -> VersionContent:
    """The note as PDF/A-2b plus exactly the text it shows. The PDF is both original and
    rendition: it is born as the archival format."""
    written = timezone.localtime()
    lines = [note_title(kind, noted_on), "",
             f"Akte: {case_file.file_reference} · {case_file.title}",
             f"Art: {NOTE_KINDS[kind]}",
             f"Datum: {noted_on:%d.%m.%Y}",
             f"Verfasst von: {_who(user)} am {written:%d.%m.%Y, %H:%M} Uhr"]
    if corrects:
        lines.append(f"Berichtigt Version {corrects}: {reason}")
    lines += ["", *text.split("\n")]
    pdf = pdfa_from_lines(lines[0], lines)
    stored = blob_put_bytes(pdf)
    pdfa = pdfa_check(pdf)  # composed by us and small: a few milliseconds, in the request
    page_count = len(pikepdf.open(io.BytesIO(pdf)).pages)
    full_text = "\n".join(lines)
    return VersionContent(
        original_sha256=stored.sha256, original_size=stored.size,
        original_name="aktenvermerk.pdf", original_mime="application/pdf",
        rendition_sha256=stored.sha256, rendition_is_pdfa=pdfa.passed,
        pdfa_check=pdfa.status, pdfa_findings=pdfa.findings, text=full_text,
        text_sha256=hashlib.sha256(full_text.encode()).hexdigest(), page_count=page_count,
        provenance={"source": MEDIUM, "file_note": {
            "kind": kind, "date": noted_on.isoformat(), "author": user.username,
            "corrects": corrects, "reason": reason}})


def file_note_write(*, actor: Actor, case_file_id, kind: str, noted_on: date | None,
                    text: str) -> Document:
    """A new note in a case file one works on; filed (and logged as `filed`) by the archive."""
    user = require_person(actor)
    case_file = case_file_visible_or_404(user, case_file_id)
    require_work(user, case_file)
    require_open(case_file)
    kind, noted_on, text = _checked(kind, noted_on, text)
    content = _note_content(user=user, case_file=case_file, kind=kind, noted_on=noted_on,
                            text=text)
    return document_file_new(content=content, case_file=case_file,
                             title=note_title(kind, noted_on), received_at=timezone.now(),
                             letter_date=noted_on, actor=actor, medium=MEDIUM,
                             reason=f"Aktenvermerk ({NOTE_KINDS[kind]}) geschrieben")


def note_of(document: Document) -> dict | None:
    """What the latest version says about the note, or None for a document that is none."""
    provenance = (document.versions.order_by("-number").values_list("provenance", flat=True)
                  .first()) or {}
    return provenance.get("file_note") if provenance.get("source") == MEDIUM else None


def file_note_correct(*, actor: Actor, document_id, kind: str, noted_on: date | None,
                      text: str, reason: str) -> Version:
    """Vermerk berichtigen: the corrected note as the next version; every earlier one stays.
    The archive's version_add authorizes (works on the file, file open, not signed off)."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    if document.medium != MEDIUM or note_of(document) is None:
        raise InvalidInput("Nur Aktenvermerke werden so berichtigt.", code="NOT_A_FILE_NOTE")
    require_work(user, document.case_file)
    kind, noted_on, text = _checked(kind, noted_on, text)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Bitte begründen Sie die Berichtigung.", code="REASON_MISSING")
    latest = document.versions.order_by("-number").values_list("number", flat=True).first()
    content = _note_content(user=user, case_file=document.case_file, kind=kind,
                            noted_on=noted_on, text=text, corrects=latest, reason=reason[:500])
    with transaction.atomic():
        version = version_add(actor=actor, document_id=document.pk, content=content)
        title = note_title(kind, noted_on)
        if (document.title, document.letter_date) != (title, noted_on):
            # A corrected type or date: the document's title and date follow (one "changed").
            document_update(actor=actor, document_id=document.pk, title=title,
                            letter_date=noted_on)
    return version
