from celery import shared_task

from .backend import PurgeDeferred
from .indexing import documents_index
from .purging import PURGE_TASK, pending_purges_run


@shared_task(name="search.index_documents", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def index_documents(document_ids: list[int]) -> None:
    documents_index(document_ids)


@shared_task(name=PURGE_TASK, autoretry_for=(OSError, PurgeDeferred),
             retry_backoff=True, max_retries=5)
def purge_documents(document_ids: list[int] | None = None) -> int:
    """For destruction: afterwards no token of a destroyed document remains in the index.
    Purges whatever is pending (search.purging); ids of older messages are not needed."""
    return pending_purges_run()
