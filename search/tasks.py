from celery import shared_task

from .indexing import documents_index


@shared_task(name="search.index_documents", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def index_documents(document_ids: list[int]) -> None:
    documents_index(document_ids)
