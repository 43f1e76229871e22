"""Filing: a document with its first version, or a new version of an existing one."""
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from ..actors import Actor
from ..errors import Conflict, InvalidInput, NotFound
from ..guards import may_work_on, require_open, require_person, require_work
from ..models import CaseFile, Direction, Document, PdfaCheck, Process, Role, Version
from ..permissions import user_role
from ..selectors import document_visible_or_404
from ..signals import document_changed, retention_basis_changed, version_adding, version_filed
from .changes import apply_changes
from .doctypes import document_type_checked, type_suggestion
from .events import event_append
from .scan_qa import scan_qa_pending

EDITABLE = {"title", "document_type", "sender", "letter_date", "medium"}


@dataclass(frozen=True)
class VersionContent:
    """What the pipeline hands over: hashes of blobs already stored, plus the text."""

    original_sha256: str
    original_size: int
    original_name: str
    original_mime: str
    rendition_sha256: str
    rendition_is_pdfa: bool  # what the pipeline asks for; stored only with a "pass" below
    text: str
    text_sha256: str
    page_count: int
    provenance: dict = field(default_factory=dict)
    thumbnail_sha256: str = ""  # a convenience: a version is complete without one
    # The validator's verdict on the stored rendition (archive/pdfa_check.py).
    pdfa_check: str = PdfaCheck.NOT_CHECKED
    pdfa_findings: tuple[str, ...] = ()

    @property
    def stored_is_pdfa(self) -> bool:
        """A rendition is PDF/A for the archive only if the validator approved it."""
        return self.rendition_is_pdfa and self.pdfa_check == PdfaCheck.PASS

    def version_fields(self) -> dict:
        """The Version fields this content sets, for every path that creates a version."""
        return dict(
            original_sha256=self.original_sha256, original_size=self.original_size,
            original_name=self.original_name[:255], original_mime=self.original_mime,
            rendition_sha256=self.rendition_sha256, rendition_is_pdfa=self.stored_is_pdfa,
            pdfa_check=self.pdfa_check, pdfa_findings=list(self.pdfa_findings),
            text=self.text, text_sha256=self.text_sha256, page_count=self.page_count,
            thumbnail_sha256=self.thumbnail_sha256, provenance=self.provenance,
        )


def document_file_new(
    *, content: VersionContent, case_file: CaseFile | None, title: str, received_at: datetime,
    actor: Actor, sender: str = "", letter_date: date | None = None, document_type: str = "",
    medium: str = "scan", reason: str = "", process: Process | None = None,
    direction: str = "incoming",
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
    if process is not None and (case_file is None or process.case_file_id != case_file.pk):
        raise InvalidInput("Der Vorgang gehört nicht zu dieser Akte.", code="PROCESS_NOT_IN_FILE")
    if process is not None:
        require_open(case_file, process)
    if direction not in Direction.values:
        raise InvalidInput(f"Unbekannte Richtung: {direction}.", code="DIRECTION_UNKNOWN")
    with transaction.atomic():
        document = Document.objects.create(
            case_file=case_file, title=title[:300], sender=sender[:300], letter_date=letter_date,
            document_type=document_type, received_at=received_at, medium=medium,
            process=process, direction=direction,
        )
        version = Version.objects.create(
            document=document, number=1, created_by=None if actor.is_system else actor.user,
            **content.version_fields(),
        )
        event_append(
            action="filed" if case_file else "inbox", object_type="document",
            object_id=document.pk, actor=actor, purpose=reason,
            data={
                "case_file": case_file.file_reference if case_file else None,
                "version": version.number,
                **({"process": process.pk} if process else {}),
                **({"direction": direction} if direction != Direction.INCOMING else {}),
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
    """Title, type, sender, letter date, medium: one "changed" event with old and new."""
    return document_correct(actor=actor, document_id=document_id, changes=changes)


def document_move(*, actor: Actor, document_id, case_file: CaseFile,
                  process: Process | None = None, reason: str = "") -> Document:
    """Moving keeps the id and history; the event records from and to. The mailroom files
    inbox post into any case file; caseworkers move between case files they work on."""
    return document_correct(actor=actor, document_id=document_id, case_file=case_file,
                            process=process, reason=reason)


def document_type_set(*, actor: Actor, document_id, key: str, reason: str = "") -> Document:
    """Set or correct a document's type: one event ("changed", or "confirmed" when it keeps
    the type it has) with the old and new type and what recognition had suggested (model
    version, confidence), so that the classifier learns from the person's decision."""
    return document_correct(actor=actor, document_id=document_id, document_type=key,
                            reason=reason)


def target_refused() -> InvalidInput:
    """A file reference that is unknown and one of a file the actor may not file into get the
    same refusal, so that nobody learns from it which files exist."""
    return InvalidInput("Unter diesem Aktenzeichen gibt es keine Akte, in die Sie ablegen "
                        "dürfen.", code="FILE_REFERENCE_NOT_AVAILABLE")


def _first_provenance(document: Document) -> dict:
    """The provenance of the version recognition read when the post arrived."""
    first = document.versions.order_by("number").values_list("provenance", flat=True).first()
    return first or {}


def _type_decision(document: Document, old: str, new: str) -> dict:
    """What the trail keeps about a person's decision on the type: old and new, and what was
    suggested with which confidence by which model (None: the rules, or nothing)."""
    suggested = type_suggestion(_first_provenance(document))
    return {"from": old, "to": new, "suggested": suggested["value"],
            "taken": suggested["value"] is not None and suggested["value"] == new,
            "confidence": suggested["confidence"], "model_version": suggested["model_version"]}


def document_correct(*, actor: Actor, document_id, document_type: str | None = None,
                     case_file: CaseFile | None = None, process: Process | None = None,
                     to_inbox: bool = False, changes: dict | None = None,
                     reason: str = "", review: dict | None = None) -> Document:
    """One logged correction: the type, other metadata and where the document is filed, in
    one transaction and one event ("moved" when the filing changes, else "changed").

    Who may: the mailroom for unfiled post (and files it into any case file); a caseworker
    for documents in case files they work on, moving them only into such files or back to
    the mailroom's inbox (a wrong auto-filing into a file of another unit: the mailroom files
    it from there). Closed files and processes refuse. `document_type` is a key of
    DocumentType ("" for none); unknown keys are refused (DOCUMENT_TYPE_UNKNOWN). When a
    person decided the type (set it, or filed post out of the inbox) the event records
    whether recognition's suggestion was taken, with its model version and confidence;
    `review` adds what the mailroom's review decided about the other suggestions."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    _require_work_on_document(user, document)
    changes = dict(changes or {})
    if set(changes) - EDITABLE:
        raise InvalidInput(f"Nicht änderbar: {', '.join(sorted(set(changes) - EDITABLE))}.")
    if document_type is not None:
        changes["document_type"] = document_type
    if "document_type" in changes:
        changes["document_type"] = document_type_checked(changes["document_type"],
                                                         current=document.document_type)
    if to_inbox and case_file is not None:
        raise InvalidInput("Entweder in eine Akte oder zurück in den Posteingang.",
                           code="MOVE_TARGET_AMBIGUOUS")
    if process is not None and (case_file is None or process.case_file_id != case_file.pk):
        raise InvalidInput("Der Vorgang gehört nicht zu dieser Akte.", code="PROCESS_MISMATCH")
    require_open(document.case_file, document.process)
    moving = (to_inbox and document.case_file_id is not None) or (
        case_file is not None and (case_file.pk != document.case_file_id
                                   or (process.pk if process else None) != document.process_id))
    if case_file is not None and document.case_file_id is not None and not may_work_on(
            user, case_file):
        raise target_refused()
    if case_file is not None:
        require_open(case_file, process)
    if moving and document.case_file_id is None and scan_qa_pending(document):
        raise Conflict("Dieser Scan wartet auf die Sichtprüfung (oder auf den Neuscan) und "
                       "wird erst danach abgelegt.", code="SCAN_QA_PENDING")
    if moving and to_inbox and not reason.strip():
        raise InvalidInput("Bitte begründen Sie, warum das Dokument an die Poststelle "
                           "zurückgeht.", code="REASON_MISSING")
    # Filing out of the inbox confirms (or corrects) recognition's type as well.
    decides_type = "document_type" in changes or (moving and document.case_file_id is None)
    source = document.case_file.file_reference if document.case_file_id else None
    source_id = document.case_file_id
    old_type = document.document_type
    with transaction.atomic():
        diff = apply_changes(document, changes)
        if not diff and not moving and document_type is None:
            return document
        data: dict = {}
        if diff:
            data["changes"] = diff
        if review:
            data["review"] = review
        if decides_type:
            data["document_type"] = _type_decision(document, old_type, document.document_type)
        if moving:
            document.case_file = None if to_inbox else case_file
            document.process = None if to_inbox else process
            data.update({"from": source, "to": case_file.file_reference if case_file else None,
                         "process": process.pk if process else None})
        if not diff and not moving:
            # The type confirmed as it is: nothing changes, and the trail says who decided.
            event_append(action="confirmed", object_type="document", object_id=document.pk,
                         actor=actor, purpose=reason, data=data)
            return document
        document.save()
        event_append(action="moved" if moving else "changed", object_type="document",
                     object_id=document.pk, actor=actor, purpose=reason, data=data)
        document_changed.send(sender=Document, document_id=document.pk)
        if moving:
            for affected in {source_id, document.case_file_id} - {None}:
                retention_basis_changed.send(sender=CaseFile, case_file_id=affected)
    return document


def version_add_check(document: Document) -> None:
    """Whether the document takes a new version now: other apps veto by raising (a signed-off
    document, one on a signing route). Asked when a version is handed in and again when it is
    stored."""
    version_adding.send(sender=Document, document_id=document.pk)


def version_add(*, actor: Actor, document_id, content: VersionContent) -> Version:
    """A new version never changes an old one."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    _require_work_on_document(user, document)
    require_open(document.case_file, document.process)
    with transaction.atomic():
        version_add_check(document)
        number = (document.versions.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        version = Version.objects.create(
            document=document, number=number, created_by=user, **content.version_fields(),
        )
        event_append(action="version_added", object_type="document", object_id=document.pk,
                     actor=actor,
                     data={"version": number, "original_sha256": content.original_sha256})
        version_filed.send(sender=Version, document_id=document.pk, version_id=version.pk)
    return version
