"""Reactions to archive signals. A transactional backend (PostgreSQL) indexes inside the
filing transaction, so document and entry commit together; the file-based backends index
after the commit, through the index queue (one writer)."""
from django.db import transaction

from .backends import get_backend


def _index(document_id: int) -> None:
    if get_backend().transactional:
        from .indexing import documents_index

        documents_index([document_id])
        return
    from .tasks import index_documents

    transaction.on_commit(lambda: index_documents.delay([document_id]))


def on_version_created(sender, *, document_id, **kwargs):
    _index(document_id)


def on_document_changed(sender, *, document_id, **kwargs):
    _index(document_id)


def on_case_file_changed(sender, *, case_file_id, **kwargs):
    """Closing or reopening a case file changes its documents' state in the index. Filing
    (sender Document) and file plan changes do not change other documents' entries."""
    from archive.models import CaseFile, Document

    if sender is not CaseFile:
        return
    ids = list(Document.objects.filter(case_file_id=case_file_id).values_list("pk", flat=True))
    if not ids:
        return
    if get_backend().transactional:
        from .indexing import documents_index

        documents_index(ids)
        return
    from .tasks import index_documents

    transaction.on_commit(lambda: index_documents.delay(ids))


def on_documents_destroyed(sender, *, document_ids, **kwargs):
    """Destruction is not queued behind other work: the entries and every trace of their
    terms leave the index before the destroying request returns."""
    from .indexing import documents_purge

    documents_purge(list(document_ids))


def on_post_migrate(sender, **kwargs):
    from .indexing import index_ensure_current

    index_ensure_current()
