from celery import shared_task

from .indexing import documents_index, documents_purge


@shared_task(name="search.index_documents", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def index_documents(document_ids: list[int]) -> None:
    documents_index(document_ids)


@shared_task(name="search.purge_documents", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def purge_documents(document_ids: list[int]) -> None:
    """For destruction: afterwards no token of these documents remains in the index."""
    documents_purge(document_ids)
