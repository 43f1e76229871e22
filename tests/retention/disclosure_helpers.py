"""The case file the disclosure tests build packages from (test_disclosure.py,
test_disclosure_jobs.py)."""

import hashlib
import io

import pikepdf
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.blobstore import blob_put_bytes
from archive.pdfa import pdfa_from_lines
from archive.services.documents import VersionContent, document_file_new
from signoff.notes import file_note_write
from signoff.routes import signoff_route_start
from tests.archive.helpers import grant, staff
from tests.conftest import user


def pdf_document(case_file, title: str, text: str, lines: int = 1, *, rendition=True):
    """A document with a real PDF/A rendition of `lines` lines (many lines: several pages)
    and a distinct original."""
    pdf = pdfa_from_lines(title, [title, *[f"{text} Zeile {n}" for n in range(lines)]])
    original = blob_put_bytes(f"Original von {title}: {text}".encode())
    rendition_blob = blob_put_bytes(pdf) if rendition else None
    content = VersionContent(
        original_sha256=original.sha256,
        original_size=original.size,
        original_name=f"{title}.txt",
        original_mime="text/plain",
        rendition_sha256=rendition_blob.sha256 if rendition else "",
        rendition_is_pdfa=rendition,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        page_count=len(pikepdf.open(io.BytesIO(pdf)).pages),
    )
    return document_file_new(
        content=content,
        case_file=case_file,
        title=title,
        received_at=timezone.now(),
        actor=acting(user("sachbearbeitung-a")),
    )


def disclosure_case(demo) -> dict:
    """A file of A with a long application, a letter naming other people, a mail without PDF/A,
    a file note and a draft on a signing route."""
    a = demo["A"]
    application = pdf_document(a, "Antrag", "Antrag auf Hilfe zum Lebensunterhalt", lines=90)
    tip = pdf_document(a, "Mitteilung", "Die Nachbarin meldet einen weiteren Mitbewohner.")
    plain = pdf_document(a, "Mail", "Eine E-Mail ohne PDF/A-Fassung", rendition=False)
    note = file_note_write(
        actor=acting(user("sachbearbeitung-a")),
        case_file_id=a.pk,
        kind="telefonat",
        noted_on=timezone.localdate(),
        text="Interne Einschätzung zum Antrag.",
    )
    staff("verfasser-a", unit_code="A")
    grant("verfasser-a", "sign_off")
    draft = pdf_document(a, "Bescheidentwurf", "Entwurf eines Bescheids")
    route = signoff_route_start(
        actor=acting(user("sachbearbeitung-a")),
        document_id=draft.pk,
        cosigners=[],
        final_signer="verfasser-a",
    )
    return {
        "route": route,
        "file": a,
        "application": application,
        "tip": tip,
        "plain": plain,
        "note": note,
        "draft": draft,
    }
