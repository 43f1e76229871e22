"""Reactions to archive signals. A transactional backend (PostgreSQL) indexes inside the
filing transaction, so document and entry commit together; the file-based backends index
after the commit, through the index queue (one writer), except what hides a document from
someone (an access change, destruction): that is written right after the commit."""
import logging
import threading

from django.db import transaction

from .backends import get_backend

log = logging.getLogger(__name__)


def _index(document_id: int) -> None:
    if get_backend().transactional:
        from .indexing import documents_index

        documents_index([document_id])
        return
    from .tasks import index_documents

    transaction.on_commit(lambda: index_documents.delay([document_id]))


_hiding = threading.local()


def _index_at_commit(document_id: int) -> None:
    """Right after the commit, in this process, not behind the queue (where OCRed batches or a
    purge can wait for minutes): a change that may hide the document from someone. One index
    write for all documents of the transaction; a rolled-back transaction's ids are merely
    indexed (unchanged) with the next one."""
    pending = _hiding.__dict__.setdefault("ids", set())
    pending.add(document_id)

    def flush():
        from .indexing import documents_index

        ids, _hiding.ids = sorted(_hiding.ids), set()
        if not ids:
            return
        try:
            documents_index(ids)
        except Exception:  # the change is committed: the queue retries the index write
            log.exception("indexing documents %s at commit failed; queued instead", ids)
            from .tasks import index_documents

            index_documents.delay(ids)

    transaction.on_commit(flush)


def on_version_filed(sender, *, document_id: int, version_id: int, **_):
    _index(document_id)


def on_document_changed(sender, *, document_id: int, **_):
    _index(document_id)


def on_case_file_access_changed(sender, *, case_file_id: int, document_ids: list[int], **_):
    """Restriction, confidentiality, staff case, named persons: who may find the documents."""
    for document_id in document_ids:
        if get_backend().transactional:
            _index(document_id)
        else:
            _index_at_commit(document_id)


def on_case_file_state_changed(sender, *, case_file_id: int, document_ids: list[int], **_):
    """Closing, reopening or editing a case file changes its documents' entries (state, file
    metadata). Filing and file plan changes do not change other documents' entries."""
    ids = list(document_ids)
    if not ids:
        return
    if get_backend().transactional:
        from .indexing import documents_index

        documents_index(ids)
        return
    from .tasks import index_documents

    transaction.on_commit(lambda: index_documents.delay(ids))


def on_documents_destroyed(sender, *, document_ids: list[int], **_):
    """Destroyed entries leave every query at once; the purge of their traces follows on the
    index queue (search.purging)."""
    from .purging import destroyed_documents_hide

    destroyed_documents_hide(list(document_ids))


def on_case_files_destroyed(sender, *, terms: list[str], **_):
    """Saved searches naming a destroyed file's subject go with it (search.saved)."""
    from .saved import saved_searches_forget

    saved_searches_forget(terms=terms)


def on_post_migrate(sender, **kwargs):
    from .indexing import index_ensure_current

    index_ensure_current()
