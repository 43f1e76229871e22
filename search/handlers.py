"""Reactions to archive signals: index after the database commit, through the index queue."""
from django.db import transaction


def _enqueue(document_id: int) -> None:
    from .tasks import index_documents

    transaction.on_commit(lambda: index_documents.delay([document_id]))


def on_version_created(sender, *, document_id, **kwargs):
    _enqueue(document_id)


def on_document_changed(sender, *, document_id, **kwargs):
    _enqueue(document_id)
