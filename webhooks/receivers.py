"""Receivers of the archive's signals (connected in WebhooksConfig.ready)."""
from django.db import IntegrityError, transaction

from archive.models import CaseFile, Document

from .announce import announce, case_file_ref, document_ref
from .models import Announcement


def _filed(document: Document, *, new_post: bool) -> None:
    """Announce a document's arrival in its case file once per case file."""
    case_file = CaseFile.objects.filter(pk=document.case_file_id).only("unit_id").first()
    if case_file is None:
        return
    try:
        with transaction.atomic():
            Announcement.objects.create(document_id=document.pk, case_file_id=case_file.pk)
    except IntegrityError:
        return
    data = {"case_file": case_file_ref(case_file.pk), "document": document_ref(document.pk)}
    if new_post:
        announce("post.received", unit_id=case_file.unit_id, data=data)
    announce("document.filed", unit_id=case_file.unit_id, data=data)


def version_stored(sender, *, document_id, version_id, **kwargs):
    document = Document.objects.filter(pk=document_id).only("case_file_id").first()
    if document is not None and document.case_file_id:
        first = not document.versions.exclude(pk=version_id).exists()
        if first:
            _filed(document, new_post=True)


def document_moved(sender, *, document_id, **kwargs):
    document = Document.objects.filter(pk=document_id).only("case_file_id").first()
    if document is not None and document.case_file_id:
        _filed(document, new_post=False)


def case_file_closed(sender, *, case_file_id, document_ids=(), **kwargs):
    case_file = CaseFile.objects.filter(pk=case_file_id).only("unit_id").first()
    if case_file is not None:
        announce("case_file.closed", unit_id=case_file.unit_id,
                 data={"case_file": case_file_ref(case_file_id)})


def follow_up_due(sender, *, follow_up_id, unit_id, due, case_file_id=None, document_id=None,
                  **kwargs):
    data = {"follow_up": {"id": follow_up_id, "due": due.isoformat()}}
    if case_file_id:
        data["case_file"] = case_file_ref(case_file_id)
    if document_id:
        data["document"] = document_ref(document_id)
    announce("follow_up.due", unit_id=unit_id, data=data)
