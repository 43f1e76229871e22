"""Filing: a document with its first version, or a new version of an existing one."""
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from ..models import CaseFile, Document, Version
from ..signals import version_created
from .events import event_append


@dataclass(frozen=True)
class VersionContent:
    """What the pipeline hands over: hashes of blobs already stored, plus the text."""

    original_sha256: str
    original_size: int
    original_name: str
    original_mime: str
    rendition_sha256: str
    rendition_is_pdfa: bool
    text: str
    text_sha256: str
    page_count: int
    provenance: dict = field(default_factory=dict)


def document_file_new(
    *, content: VersionContent, case_file: CaseFile | None, title: str, received_at: datetime,
    actor: str, sender: str = "", letter_date: date | None = None, document_type: str = "",
    medium: str = "scan", reason: str = "",
) -> Document:
    """Create Document + Version 1 in one transaction with its events; without a case file the
    document lands in the mailroom inbox."""
    with transaction.atomic():
        document = Document.objects.create(
            case_file=case_file, title=title[:300], sender=sender[:300], letter_date=letter_date,
            document_type=document_type, received_at=received_at, medium=medium,
        )
        version = Version.objects.create(
            document=document, number=1,
            original_sha256=content.original_sha256, original_size=content.original_size,
            original_name=content.original_name[:255], original_mime=content.original_mime,
            rendition_sha256=content.rendition_sha256, rendition_is_pdfa=content.rendition_is_pdfa,
            text=content.text, text_sha256=content.text_sha256, page_count=content.page_count,
            provenance=content.provenance,
        )
        event_append(
            action="filed" if case_file else "inbox", object_type="document",
            object_id=document.pk, actor=actor, purpose=reason,
            data={
                "case_file": case_file.file_reference if case_file else None,
                "version": version.number,
                "original_sha256": content.original_sha256,
                "rendition_sha256": content.rendition_sha256,
                "text_sha256": content.text_sha256,
            },
        )
        version_created.send(sender=Version, document_id=document.pk, version_id=version.pk)
    return document
