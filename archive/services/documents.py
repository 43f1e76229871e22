"""Filing: a document with its first version, or a new version of an existing one."""
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput, NotFound
from ..guards import require_open, require_person, require_work
from ..models import CaseFile, Document, Process, Role, Version
from ..permissions import user_role
from ..selectors import document_visible_or_404
from ..signals import document_changed, retention_basis_changed, version_filed
from .changes import apply_changes
from .events import event_append

EDITABLE = {"title", "document_type", "sender", "letter_date", "medium"}


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
    thumbnail_sha256: str = ""  # a convenience: a version is complete without one


def document_file_new(
    *, content: VersionContent, case_file: CaseFile | None, title: str, received_at: datetime,
    actor: Actor, sender: str = "", letter_date: date | None = None, document_type: str = "",
    medium: str = "scan", reason: str = "",
) -> Document:
    """Create Document + Version 1 in one transaction with its events; without a case file the
    document lands in the mailroom inbox. The pipeline (a system actor) files what it was
    handed; a person files only into a case file they work on, or into the inbox if they are
    the mailroom."""
    if not actor.is_system:
        user = require_person(actor)
        if case_file is None:
            if user_role(user) != Role.MAILROOM:
                raise NotFound()
        else:
            require_work(user, case_file)
            require_open(case_file)
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
            thumbnail_sha256=content.thumbnail_sha256, provenance=content.provenance,
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
        version_filed.send(sender=Version, document_id=document.pk, version_id=version.pk)
        if case_file is not None:
            retention_basis_changed.send(sender=CaseFile, case_file_id=case_file.pk)
    return document


def _require_work_on_document(user, document: Document) -> None:
    if document.case_file_id is None:
        # Unfiled post is the mailroom's to sort.
        if user_role(user) != Role.MAILROOM:
            raise NotFound()
        return
    require_work(user, document.case_file)


def document_update(*, actor: Actor, document_id, **changes) -> Document:
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    _require_work_on_document(user, document)
    require_open(document.case_file, document.process)
    if set(changes) - EDITABLE:
        raise InvalidInput(f"Nicht änderbar: {', '.join(sorted(set(changes) - EDITABLE))}.")
    with transaction.atomic():
        diff = apply_changes(document, changes)
        if diff:
            document.save()
            event_append(action="changed", object_type="document", object_id=document.pk,
                         actor=actor, data={"changes": diff})
            document_changed.send(sender=Document, document_id=document.pk)
    return document


def document_move(*, actor: Actor, document_id, case_file: CaseFile,
                  process: Process | None = None, reason: str = "") -> Document:
    """Moving keeps the id and history; the event records from and to. The mailroom files
    inbox post into any case file; caseworkers move between case files they work on."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    _require_work_on_document(user, document)
    if document.case_file_id is not None:
        require_work(user, case_file)
    if process is not None and process.case_file_id != case_file.pk:
        raise InvalidInput("Der Vorgang gehört nicht zu dieser Akte.", code="PROCESS_MISMATCH")
    require_open(document.case_file, document.process)
    require_open(case_file, process)
    source = document.case_file.file_reference if document.case_file_id else None
    source_id = document.case_file_id
    with transaction.atomic():
        document.case_file, document.process = case_file, process
        document.save(update_fields=["case_file", "process"])
        event_append(action="moved", object_type="document", object_id=document.pk,
                     actor=actor, purpose=reason,
                     data={"from": source, "to": case_file.file_reference,
                           "process": process.pk if process else None})
        document_changed.send(sender=Document, document_id=document.pk)
        for affected in {source_id, case_file.pk} - {None}:
            retention_basis_changed.send(sender=CaseFile, case_file_id=affected)
    return document


def version_add(*, actor: Actor, document_id, content: VersionContent) -> Version:
    """A new version never changes an old one."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    _require_work_on_document(user, document)
    require_open(document.case_file, document.process)
    with transaction.atomic():
        number = (document.versions.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        version = Version.objects.create(
            document=document, number=number, created_by=user,
            original_sha256=content.original_sha256, original_size=content.original_size,
            original_name=content.original_name[:255], original_mime=content.original_mime,
            rendition_sha256=content.rendition_sha256, rendition_is_pdfa=content.rendition_is_pdfa,
            text=content.text, text_sha256=content.text_sha256, page_count=content.page_count,
            thumbnail_sha256=content.thumbnail_sha256, provenance=content.provenance,
        )
        event_append(action="version_added", object_type="document", object_id=document.pk,
                     actor=actor,
                     data={"version": number, "original_sha256": content.original_sha256})
        version_filed.send(sender=Version, document_id=document.pk, version_id=version.pk)
    return version
